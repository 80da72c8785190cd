"""What a test's browser page said to the Streamlit server and heard back, to explain a wait that timed out.

Every page of the e2e browser records its websocket: when it opened and closed, each message the
browser sent (a BackMsg: ``rerun_script``, ``app_heartbeat`` ...) and each message the server sent
(a ForwardMsg: ``new_session`` starts a run, ``delta`` draws, ``script_finished`` ends it), plus the
console's warnings and errors. When a click "starts no run", the record tells which side dropped
it: no ``rerun_script`` sent (the click missed, or the frontend did not send), sent but nothing came
back (the server dropped it), or a run that came back without the page changing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

_FINISHED = {value.number: value.name for value in
             ForwardMsg.DESCRIPTOR.fields_by_name["script_finished"].enum_type.values}


@dataclass
class Wire:
    """The record of one page: (monotonic time, what) pairs, oldest first."""

    events: list[tuple[float, str]] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.events.append((time.monotonic(), what))

    def mark(self) -> tuple[int, float]:
        """Now, as a position in the record; ``since(mark)`` describes what came after it."""
        return len(self.events), time.monotonic()

    def progress(self, mark: tuple[int, float]) -> str:
        """Since ``mark``: "none" (no run asked for), "sent" (a run asked for, not finished) or "finished": the
        last run asked for has started (``new_session`` after the request; a run already going when it was asked
        for ends before that) and ended, not just to make way for another one."""
        state = "none"
        for _, what in self.events[mark[0]:]:
            if what.startswith("browser -> rerun_script"):
                state = "sent"
            elif what == "server -> new_session" and state in ("sent", "started"):
                state = "started"
            elif state == "started" and what.startswith("server -> script_finished") \
                    and "EARLY_FOR_RERUN" not in what:
                state = "finished"
        return "sent" if state == "started" else state

    def since(self, mark: tuple[int, float] = (0, 0.0), limit: int = 60) -> str:
        """What happened after ``mark``, one line per event (runs of the same event counted), times from the mark."""
        position, start = mark
        start = start or (self.events[0][0] if self.events else 0.0)
        lines: list[str] = []
        last, count, first_at = None, 0, 0.0
        for at, what in self.events[position:]:
            if what == last:
                count += 1
                continue
            if last is not None:
                lines.append(_line(first_at - start, last, count))
            last, count, first_at = what, 1, at
        if last is not None:
            lines.append(_line(first_at - start, last, count))
        if not lines:
            return "  (nothing: no message either way)"
        if len(lines) > limit:
            lines = [*lines[: limit // 2], f"  ... {len(lines) - limit} more ...", *lines[-limit // 2:]]
        return "\n".join(lines)


def _line(offset: float, what: str, count: int) -> str:
    return f"  +{offset:7.2f} s  {what}" + (f"  x{count}" if count > 1 else "")


def _parsed(message, payload: bytes | str, side: str):
    """``payload`` parsed into ``message`` (a BackMsg or a ForwardMsg), or what the frame was when it is not one."""
    if isinstance(payload, str):
        return f"{side} -> text frame ({len(payload)} chars)"
    try:
        message.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - recorded, not raised: the recorder must never break a test
        return f"{side} -> unreadable frame ({len(payload)} bytes)"
    return message


def _back(payload: bytes | str) -> str:
    msg = _parsed(BackMsg(), payload, "browser")
    if isinstance(msg, str):
        return msg
    kind = msg.WhichOneof("type") or "?"
    if kind == "rerun_script":
        page = msg.rerun_script.page_script_hash[:8] or msg.rerun_script.page_name or "-"
        return f"browser -> rerun_script (page {page}, {len(msg.rerun_script.widget_states.widgets)} widgets)"
    return f"browser -> {kind}"


def _forward(payload: bytes | str) -> str:
    msg = _parsed(ForwardMsg(), payload, "server")
    if isinstance(msg, str):
        return msg
    kind = msg.WhichOneof("type") or "?"
    if kind == "script_finished":
        return f"server -> script_finished {_FINISHED.get(msg.script_finished, msg.script_finished)}"
    if kind == "session_status_changed":
        return f"server -> session_status_changed (running={msg.session_status_changed.script_is_running})"
    return f"server -> {kind}"


def record(page) -> Wire:
    """Start recording ``page`` (before it opens anything); the record is also ``page.ksln_wire``."""
    wire = Wire()

    def on_websocket(ws) -> None:
        wire.add(f"websocket open {ws.url.split('?')[0]}")
        ws.on("framesent", lambda payload: wire.add(_back(payload)))
        ws.on("framereceived", lambda payload: wire.add(_forward(payload)))
        ws.on("socketerror", lambda error: wire.add(f"websocket error {error}"))
        ws.on("close", lambda _ws: wire.add("websocket closed"))

    def on_console(message) -> None:
        if message.type in ("warning", "error"):
            wire.add(f"console {message.type}: {message.text[:200]}")

    page.on("websocket", on_websocket)
    page.on("console", on_console)
    page.on("crash", lambda _page: wire.add("page crashed"))
    page.ksln_wire = wire
    return wire


def of(page) -> Wire | None:
    return getattr(page, "ksln_wire", None)
