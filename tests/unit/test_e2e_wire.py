"""The browser tests' websocket record (tests/e2e/wire.py) tells a run asked for and finished from one that is not."""

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.e2e.wire import Wire, _back, _forward


def _rerun() -> str:
    msg = BackMsg()
    msg.rerun_script.page_script_hash = "40dcfb03aa"
    return _back(msg.SerializeToString())


def _finished(status: int) -> str:
    msg = ForwardMsg()
    msg.script_finished = status
    return _forward(msg.SerializeToString())


def _new_session() -> str:
    msg = ForwardMsg()
    msg.new_session.SetInParent()
    return _forward(msg.SerializeToString())


def _delta() -> str:
    msg = ForwardMsg()
    msg.delta.new_element.markdown.body = "x"
    return _forward(msg.SerializeToString())


def test_a_run_is_finished_only_when_the_last_run_asked_for_ends_not_to_make_way_for_another():
    wire = Wire()
    wire.add(_rerun())
    wire.add(_new_session())
    wire.add(_finished(0))  # a run before the mark does not count
    mark = wire.mark()
    assert wire.progress(mark) == "none"
    wire.add(_finished(0))  # a late answer to a run asked for before the mark
    assert wire.progress(mark) == "none"
    wire.add(_rerun())
    assert wire.progress(mark) == "sent"
    wire.add(_new_session())
    wire.add(_finished(2))  # FINISHED_EARLY_FOR_RERUN: st.rerun() starts the next run
    assert wire.progress(mark) == "sent"
    wire.add(_new_session())
    wire.add(_finished(0))
    assert wire.progress(mark) == "finished"
    wire.add(_rerun())  # asked again: not finished until this one is
    assert wire.progress(mark) == "sent"


def test_a_run_going_when_the_action_asked_for_another_does_not_count_as_its_answer():
    wire = Wire()
    wire.add(_rerun())
    wire.add(_new_session())  # a run still going at the mark
    mark = wire.mark()
    wire.add(_rerun())  # the action
    wire.add(_finished(0))  # the earlier run ends before the server starts the action's
    assert wire.progress(mark) == "sent"
    wire.add(_new_session())
    wire.add(_delta())
    assert wire.progress(mark) == "sent"
    wire.add(_finished(0))
    assert wire.progress(mark) == "finished"


def test_the_record_names_the_messages_and_counts_repeats():
    wire = Wire()
    mark = wire.mark()
    assert "nothing" in wire.since(mark)
    wire.add(_rerun())
    for _ in range(3):
        wire.add(_delta())
    wire.add(_finished(0))
    lines = wire.since(mark).splitlines()
    assert [line.split(" s  ", 1)[1] for line in lines] == [
        "browser -> rerun_script (page 40dcfb03, 0 widgets)", "server -> delta  x3",
        "server -> script_finished FINISHED_SUCCESSFULLY"]
    assert _forward(b"\xff\xff\xff") == "server -> unreadable frame (3 bytes)"
    assert _back("text") == "browser -> text frame (4 chars)"
