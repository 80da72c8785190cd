"""Login sessions in Debian's chromium: the HttpOnly cookie survives a reload, logout and disabling end it everywhere,
and a deep link on a freshly started server opens without Streamlit's "Page not found" dialog."""

from tests.e2e.conftest import (
    E2E_ACCOUNTS,
    assert_no_exception,
    make_store,
    open_as,
    rerun,
    screenshot,
    serve,
    wait_until_idle,
)
from tests.unit.realistic_files import agreements_workbook

COOKIE = "ksln_sesi"


def title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def logged_in(page) -> bool:
    return page.get_by_role("button", name="Keluar").count() == 1


def on_login_form(page) -> bool:
    page.get_by_label("Nama pengguna", exact=True).wait_for()
    return title(page) == "Masuk" and not logged_in(page)


def session_cookie(context) -> dict:
    (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE]
    return cookie


def reload(page) -> None:
    page.reload()
    wait_until_idle(page)


def test_a_reload_keeps_the_user_logged_in_on_the_same_page_and_logout_ends_it(page, app_url):
    open_as(page, f"{app_url}/peringatan", "pimpinan")
    assert title(page) == "Peringatan"
    cookie = session_cookie(page.context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # http on 127.0.0.1
    assert COOKIE not in page.evaluate("document.cookie")  # page scripts cannot read it
    reload(page)
    assert title(page) == "Peringatan" and logged_in(page)
    assert "pimpinan" in page.locator('[data-testid="stSidebar"]').inner_text()
    other_tab = page.context.new_page()  # the same browser: another tab is logged in too
    other_tab.goto(f"{app_url}/kabupaten-kota")
    wait_until_idle(other_tab)
    assert title(other_tab) == "Kabupaten/Kota" and logged_in(other_tab)
    assert_no_exception(page)
    screenshot(page, "sesi-setelah-muat-ulang")

    with rerun(page):
        page.get_by_role("button", name="Keluar").click()
    page.get_by_text("Anda telah keluar.").wait_for()
    reload(page)
    assert on_login_form(page)
    reload(other_tab)
    assert on_login_form(other_tab)


def test_a_copied_cookie_opens_the_session_only_until_logout(page, browser, app_url):
    open_as(page, app_url, "analis.lebak")
    stolen = session_cookie(page.context)
    thief = browser.new_context()
    try:
        thief.add_cookies([stolen])
        copy = thief.new_page()
        copy.goto(f"{app_url}/perjanjian")
        wait_until_idle(copy)
        assert title(copy) == "Perjanjian" and logged_in(copy)  # a cookie is a credential: HttpOnly keeps it from scripts

        with rerun(page):
            page.get_by_role("button", name="Keluar").click()
        page.get_by_text("Anda telah keluar.").wait_for()
        reload(copy)
        assert on_login_form(copy)
        late = thief.new_page()
        late.goto(f"{app_url}/peringatan")
        wait_until_idle(late)
        assert on_login_form(late)
        screenshot(late, "sesi-salinan-cookie-ditolak")
    finally:
        thief.close()


def test_the_upload_works_in_a_session_restored_from_the_cookie_with_xsrf_on(page, app_url, tmp_path):
    workbook = tmp_path / "lebak_sesi.xlsx"
    workbook.write_bytes(agreements_workbook())
    open_as(page, f"{app_url}/unggah", "analis.lebak")
    reload(page)
    assert title(page) == "Unggah Data"
    xsrf = [c for c in page.context.cookies() if c["name"] == "_streamlit_xsrf"]
    assert xsrf, "Streamlit's XSRF cookie is set (server.enableXsrfProtection = true)"
    with rerun(page):
        page.locator('input[type="file"]').set_input_files(str(workbook))
    page.get_by_role("button", name="Periksa berkas").click()
    page.get_by_role("button", name="Simpan ke basis data").wait_for()  # the upload reached the server
    assert_no_exception(page)


# The accounts this test disables, a fresh one for each attempt (conftest reruns a failed browser test).
_ACCOUNTS_TO_DISABLE = iter(["uji.sesi.1", "uji.sesi.2", "uji.sesi.3"])


def test_disabling_the_account_ends_its_open_and_stored_sessions(page, browser, app_url):
    account = next(_ACCOUNTS_TO_DISABLE)
    open_as(page, app_url, account)
    admin_context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        admin = admin_context.new_page()
        open_as(admin, f"{app_url}/akun", "admin")
        admin.get_by_role("tab", name="Ubah akun").click()
        admin.get_by_role("combobox", name="Akun").click()
        with rerun(admin):
            admin.get_by_role("option", name=account, exact=True).click()
        admin.get_by_text("pimpinan — aktif").wait_for()  # the form now belongs to the account
        admin.get_by_role("button", name="Nonaktifkan akun").click()
        admin.get_by_text("pimpinan — nonaktif").wait_for(state="attached")  # in the tab, hidden after the rerun
    except Exception:
        screenshot(admin, "GAGAL-sesi-admin")
        raise
    finally:
        admin_context.close()

    # The open tab ends at its next click, and says why.
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Peringatan").click()
    page.get_by_text("Akun Anda dinonaktifkan; hubungi admin.").wait_for()
    assert on_login_form(page)
    reload(page)
    assert on_login_form(page)
    screenshot(page, "sesi-akun-dinonaktifkan")


def test_a_deep_link_on_a_freshly_started_server_shows_no_page_not_found_dialog(browser, tmp_path):
    with serve(tmp_path, make_store(tmp_path)) as url:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        try:
            page = context.new_page()
            page.goto(f"{url}/perjanjian")  # the server's very first request
            wait_until_idle(page, timeout=60_000)
            page.wait_for_timeout(1500)  # the dialog came with the first run's messages
            assert page.locator('[role="dialog"]').count() == 0
            assert page.get_by_text("Page not found").count() == 0
            assert on_login_form(page)
            screenshot(page, "sesi-tautan-langsung-server-baru")
            page.get_by_label("Nama pengguna", exact=True).fill("pimpinan")
            page.get_by_label("Kata sandi", exact=True).fill(E2E_ACCOUNTS["pimpinan"][2])
            with rerun(page):
                page.get_by_role("button", name="Masuk").click()
            page.get_by_role("button", name="Keluar").wait_for()
            assert title(page) == "Perjanjian"
        finally:
            context.close()
