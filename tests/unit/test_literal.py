"""Data shown as text (issue 11 item 3): the escaping helper the pages and slides use."""

import pandas as pd

from ksln_ui.literal import literal, literal_table


def test_hostile_values_lose_their_markdown_meaning():
    assert literal("![x](http://evil.example/pixel.png)") == "\\!\\[x\\](http\u2060://evil.example/pixel.png)"
    assert literal("{{7*7}}") == "\\{\\{7\\*7\\}\\}"
    assert literal("# judul") == "\\# judul" and literal("1. satu") == "1\\. satu" and literal("- a") == "\\- a"
    assert literal("<img src=x>") == "\\<img src=x\\>" and literal(":red[merah]") == "\\:red\\[merah\\]"
    assert literal("lihat www.evil.example") == "lihat www\u2060.evil.example"
    assert literal("surat ke a@evil.example") == "surat ke a@\u2060evil.example"
    assert literal("awas :material/warning: :smile:") == "awas \\:material/warning: \\:smile:"
    assert literal("baris\nbaru") == "baris baru" and literal(None) == ""
    assert literal("lebak.xlsx: batch #1 disimpan") == "lebak.xlsx: batch #1 disimpan"  # plain text unchanged


def test_tables_escape_text_and_keep_numbers():
    table = literal_table(pd.DataFrame({"Judul": ["![x](http://evil.example/p.png)"], "Skor": [71.5]}))
    assert table["Judul"].iloc[0].startswith("\\!\\[x\\]") and table["Skor"].iloc[0] == 71.5
