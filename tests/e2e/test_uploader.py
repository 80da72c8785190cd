"""The uploader speaks Bahasa Indonesia (issue 10 defect 7, issue 11 item 7), in chromium: its button and
hint, a file above the limit, and a file that is no spreadsheet."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_no_exception, open_as, rerun, screenshot, wait_until_idle

ENGLISH = re.compile(r"\bUpload\b|per file|or smaller|not allowed|Drag and drop|Browse files")


def visible_text(page, selector: str) -> str:
    """What the eye sees in ``selector``: the text plus the CSS ``content`` of ::before/::after pseudo-elements."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map(root => {
            const parts = [];
            const walk = (el) => {
                const style = getComputedStyle(el);
                if (style.display === 'none' || style.visibility === 'hidden') return;
                for (const pseudo of ['::before', '::after']) {
                    const c = getComputedStyle(el, pseudo).content;
                    if (c && c !== 'none' && c !== 'normal') parts.push(c.replace(/^"|"$/g, ''));
                }
                for (const node of el.childNodes) {
                    if (node.nodeType === Node.TEXT_NODE && parseFloat(style.fontSize) > 0
                        && !(el.getAttribute('role') === 'alert')) parts.push(node.textContent);
                    else if (node.nodeType === Node.ELEMENT_NODE) walk(node);
                }
            };
            walk(root);
            return parts.join(' ');
        }).join(' | ')""",
        selector,
    )


def test_uploader_texts_and_refusals_are_indonesian(page, app_url, tmp_path, monkeypatch):
    open_as(page, f"{app_url}/unggah", "analis.lebak")
    shown = visible_text(page, '[data-testid="stFileUploader"]')
    assert "Pilih berkas" in shown and "Batas 50 MB per berkas • .xlsx, .xlsm, .xls, .ods, .csv" in shown
    assert not ENGLISH.search(shown), shown

    big = tmp_path / "rekap_besar.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * (51 * 1024 * 1024))
    pdf = tmp_path / "surat.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    page.locator('input[type="file"]').set_input_files([str(big), str(pdf)])
    page.locator('[data-testid="stFileChip"][aria-invalid="true"]').wait_for()
    page.locator('[data-testid="stFileChip"][aria-invalid="true"]').hover()
    page.locator('[data-testid="stTooltipErrorContent"]').wait_for()
    tooltip = visible_text(page, '[data-testid="stTooltipErrorContent"]')
    assert "lebih besar dari batas 50 MB" in tooltip and not ENGLISH.search(tooltip), tooltip
    # The PDF is not refused by the browser in English: the importer refuses it in Indonesian.
    with rerun(page):
        page.get_by_role("button", name="Periksa berkas").click()
    # The report table is a canvas grid: its cells are in the page for assistive technology, not painted as DOM.
    page.get_by_text("jenis berkas '.pdf' tidak didukung", exact=False).first.wait_for(state="attached")
    wait_until_idle(page)
    everything = visible_text(page, '[data-testid="stMain"]')
    assert not ENGLISH.search(everything), ENGLISH.search(everything)
    assert_no_exception(page)
    screenshot(page, "unggah-penolakan-berkas")
