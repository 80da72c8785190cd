"""What pages draw from the cached results is computed once for every session, and again after a new batch."""

from ksln_metrics.access import ADMIN, User
from ksln_metrics.present import charts
from ksln_ui.state import get_store
from tests.app.pages_support import open_page


def test_two_sessions_share_one_map_and_a_new_batch_draws_it_again(demo_db, monkeypatch):
    drawn = []
    original = charts.score_map
    monkeypatch.setattr(charts, "score_map", lambda regions: drawn.append(len(regions)) or original(regions))
    first = open_page("ringkasan")
    second = open_page("ringkasan", as_user="pimpinan")
    assert not first.exception and not second.exception
    assert first.title[0].value == second.title[0].value == "Ringkasan"
    assert len(drawn) == 1  # the second session got the first one's map

    store = get_store()  # the app's own store: the file allows one read-write connection
    batches = store.batches()
    assert len(batches) > 1
    store.rollback(int(batches["batch_id"].max()), user=User("admin", ADMIN, None))
    first.run()
    assert not first.exception
    assert len(drawn) == 2  # a new data version: drawn again from the new results
