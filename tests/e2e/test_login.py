"""Login in Debian's chromium: each role sees its navigation, a wrong password is refused, logout ends the session
(more on the session cookie in test_session.py)."""

import pytest

from tests.e2e.conftest import E2E_ACCOUNTS, assert_no_exception, open_as, rerun, screenshot, wait_until_idle

LEADER = ["Ringkasan", "Kabupaten/Kota", "Perjanjian", "Peringatan", "Tindak Lanjut", "Status Data", "Metodologi",
          "Pengingat", "Presentasi"]
ROLE_PAGES = {
    "pimpinan": LEADER,
    "analis.lebak": [*LEADER[:6], "Unggah Data", *LEADER[6:]],
    "admin": [*LEADER[:6], "Unggah Data", *LEADER[6:], "Pengaturan", "Akun", "Audit"],
}


def navigation(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]')
    return [text.strip().splitlines()[-1] for text in links.all_inner_texts()]  # after the icon's ligature


def title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


@pytest.mark.parametrize("name", list(ROLE_PAGES))
def test_each_role_logs_in_sees_its_navigation_and_logs_out(page, app_url, name):
    open_as(page, app_url, name)
    assert title(page) == "Ringkasan"
    assert navigation(page) == ROLE_PAGES[name]
    assert name in page.locator('[data-testid="stSidebar"]').inner_text()
    assert_no_exception(page)
    screenshot(page, f"masuk-{name}")

    with rerun(page):
        page.get_by_role("button", name="Keluar").click()
    page.get_by_text("Anda telah keluar.").wait_for()
    page.get_by_label("Nama pengguna", exact=True).wait_for()
    assert title(page) == "Masuk"
    assert navigation(page) == []


def test_a_wrong_password_is_refused(page, app_url):
    page.goto(app_url)
    wait_until_idle(page)
    assert title(page) == "Masuk" and navigation(page) == []
    page.get_by_label("Nama pengguna", exact=True).fill("pimpinan")
    page.get_by_label("Kata sandi", exact=True).fill(E2E_ACCOUNTS["pimpinan"][2] + "x")
    with rerun(page):
        page.get_by_role("button", name="Masuk").click()
    page.get_by_text("Nama pengguna atau kata sandi salah.").wait_for()
    assert title(page) == "Masuk" and navigation(page) == []
    assert_no_exception(page)
    screenshot(page, "masuk-salah")


def test_a_deep_link_opens_after_login_but_not_beyond_the_role(page, app_url):
    open_as(page, f"{app_url}/peringatan", "pimpinan")
    assert title(page) == "Peringatan"
    page.goto(f"{app_url}/unggah")  # the upload page's address, still logged in as a leader (the session cookie)
    page.get_by_role("button", name="Keluar").wait_for()
    page.wait_for_timeout(1500)
    wait_until_idle(page)
    assert title(page) != "Unggah Data"
    assert page.locator('[data-testid="stFileUploader"]').count() == 0

    page.context.clear_cookies()  # a new browser: the deep link waits for the login, which keeps the role's limits
    page.goto(f"{app_url}/unggah")
    wait_until_idle(page)
    page.get_by_label("Nama pengguna", exact=True).fill("pimpinan")
    page.get_by_label("Kata sandi", exact=True).fill(E2E_ACCOUNTS["pimpinan"][2])
    with rerun(page):
        page.get_by_role("button", name="Masuk").click()
    page.get_by_role("button", name="Keluar").wait_for()
    page.wait_for_timeout(1500)  # the dialog came with the first run's messages
    wait_until_idle(page)
    assert title(page) == "Ringkasan"  # the main page, without Streamlit's "Page not found" dialog
    assert page.locator('[role="dialog"]').count() == 0
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
