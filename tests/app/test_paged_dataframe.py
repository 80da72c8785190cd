"""ksln_ui.tables.paged_dataframe: a long table is sent a page at a time, every row reachable, none twice."""

from streamlit.testing.v1 import AppTest


def script():
    import pandas as pd

    from ksln_ui.tables import paged_dataframe

    rows = int(__import__("streamlit").session_state.get("rows", 0))
    paged_dataframe(pd.DataFrame({"No.": range(rows)}), "uji", page_size=10, hide_index=True)


def run(rows: int, page: int | None = None) -> AppTest:
    app = AppTest.from_function(script)
    app.session_state["rows"] = rows
    app = app.run()
    if page is not None:
        app = app.number_input(key="uji_halaman").set_value(page).run()
    assert not app.exception
    return app


def test_a_short_table_is_sent_whole_without_a_page_input():
    app = run(10)
    assert list(app.dataframe[0].value["No."]) == list(range(10))
    assert not app.number_input


def test_a_long_table_is_sent_one_page_at_a_time_and_every_row_is_reachable():
    app = run(25)
    assert app.number_input(key="uji_halaman").label == "Halaman (dari 3; 10 baris per halaman, 25 baris)"
    seen = list(app.dataframe[0].value["No."])
    for page in (2, 3):
        seen += list(run(25, page).dataframe[0].value["No."])
    assert seen == list(range(25))


def test_a_page_beyond_the_end_shows_the_last_page_when_the_table_shrinks():
    app = run(25, 3)
    app.session_state["rows"] = 15
    app = app.run()
    assert not app.exception
    assert app.number_input(key="uji_halaman").value == 2
    assert list(app.dataframe[0].value["No."]) == list(range(10, 15))
