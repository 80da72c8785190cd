"""Reading uploaded files in a child process, so that a hostile file cannot take the server down.

The spreadsheet reader (calamine, in Rust) aborts the whole process when an allocation fails,
and a sheet can ask for any amount of memory. So files are read by a long-lived worker
process (``python -m ksln_metrics.importing.sandbox``) with an address-space limit
(``KSLN_IMPORT_MEMORY_MB`` above what the worker needs for its own code, default 2048) and a
CPU-time budget per file; the parent also stops waiting after a wall-clock timeout. A worker
that dies is replaced on the next file and the file is refused with a message.

Requests and answers are pickles (protocol 5) framed by their length, over the worker's stdin
and stdout, their large buffers (the file's bytes, the frames' Arrow and numpy columns) written
beside the pickle rather than copied into it: the parent sends (file name, bytes, known
agreements, limits), the worker answers with the canonical frames and the problems, never the
file again. The text columns of the frames travel as Arrow arrays (one buffer each, see
:func:`pack_tables`), not as a pickle per string.

While it reads an .xlsx, the worker scans the sheet XML in one thread and lets calamine parse in
another (see ``ingest._excel_sheets``); a worker ended by the parse is asked again for the scan
alone (:func:`extent_refusal_in_worker`), so that the file gets the scan's message.
"""

from __future__ import annotations

import atexit
import os
import pickle
import resource
import select
import struct
import subprocess
import sys
import threading
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

MEMORY_ENV = "KSLN_IMPORT_MEMORY_MB"
DEFAULT_MEMORY_MB = 2048
CPU_SECONDS = 120  # per file, in the worker
WALL_SECONDS = 180  # per file, seen from the parent
_HEADER = struct.Struct("!QI")  # pickle size, number of out-of-band buffers
_SIZE = struct.Struct("!Q")


class WorkerFailed(Exception):
    """The worker died or overran its time on one file; ``reason`` says which, in Bahasa Indonesia.

    ``crashed``: the worker ended while reading (not a timeout): what killed it may be found by a
    cheaper check of the same file (see :func:`extent_refusal_in_worker`).
    """

    def __init__(self, reason: str, *, crashed: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.crashed = crashed


@dataclass(frozen=True)
class Answer:
    """What the worker found in one file: its frames as :func:`pack_tables` sent them, the problems, the units."""

    packed: dict
    problems: list
    regions: set

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return unpack_tables(self.packed)


def pack_tables(tables: dict[str, pd.DataFrame]) -> dict[str, tuple]:
    """Frames for the pipe: each text column (str or None per cell) as one Arrow array, the rest as it is."""
    packed = {}
    for name, frame in tables.items():
        texts = {}
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.StringDtype):  # already Arrow: sent as it is
                values = pa.array(frame[column].array)
                texts[column] = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
            elif frame[column].dtype == object:
                try:
                    texts[column] = pa.array(frame[column].to_numpy(), type=pa.string(), from_pandas=True)
                except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: pickled with the rest
                    continue
        packed[name] = (frame.drop(columns=list(texts)), texts, list(frame.columns))
    return packed


def unpack_tables(packed: dict[str, tuple]) -> dict[str, pd.DataFrame]:
    """:func:`pack_tables` undone: text columns back to Python strings (None where empty)."""
    tables = {}
    for name, (rest, texts, order) in packed.items():
        frame = rest.copy(deep=False)
        for column, values in texts.items():
            frame[column] = pd.Series(values.to_numpy(zero_copy_only=False), index=rest.index, dtype=object)
        tables[name] = frame[order]
    return tables


def arrow_tables(packed: dict[str, tuple]) -> dict[str, pa.Table] | None:
    """:func:`pack_tables`'s frames as Arrow tables (text columns as they came, the others from numpy), for the store.

    None when a column does not convert (a column of mixed objects): the caller uses the frames.
    """
    tables = {}
    for name, (rest, texts, order) in packed.items():
        try:
            others = pa.Table.from_pandas(rest, preserve_index=False) if len(rest.columns) else None
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return None
        columns = [texts[c] if c in texts else others.column(c) for c in order]
        tables[name] = pa.Table.from_arrays(columns, names=list(order))
    return tables


def memory_budget_bytes() -> int:
    raw = os.environ.get(MEMORY_ENV)
    try:
        mb = float(raw) if raw else DEFAULT_MEMORY_MB
    except ValueError:
        mb = DEFAULT_MEMORY_MB
    return int(max(mb, 16) * 1024 * 1024)


def _send(stream, obj) -> None:
    """One message: the pickle, then its large buffers (the file's bytes, Arrow and numpy columns) as they are.

    Pickle protocol 5 hands the buffers over instead of copying them into the pickle; they are
    written to the pipe straight from where they lie, and read back into buffers of their size.
    """
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    _write_all(stream, _HEADER.pack(len(payload), len(raws)) + b"".join(_SIZE.pack(r.nbytes) for r in raws))
    _write_all(stream, payload)
    for raw in raws:
        _write_all(stream, raw)
    stream.flush()


def _write_all(stream, data) -> None:
    view = memoryview(data).cast("B")
    while view:
        written = stream.write(view)
        view = view[written:]


def _read_exactly(stream, size: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        count = stream.readinto(view[got:])
        if not count:
            raise EOFError
        got += count
    return buffer


def _receive(stream):
    header = stream.read(_HEADER.size)
    if not header or len(header) < _HEADER.size:
        raise EOFError
    size, count = _HEADER.unpack(header)
    sizes = [_SIZE.unpack_from(b, 0)[0] for b in _chunks(_read_exactly(stream, _SIZE.size * count), _SIZE.size)]
    payload = _read_exactly(stream, size)
    return pickle.loads(payload, buffers=[_read_exactly(stream, n) for n in sizes])


def _chunks(data: bytearray, width: int) -> list[bytearray]:
    return [data[i:i + width] for i in range(0, len(data), width)]


class _Worker:
    """One worker process and the lock that gives it one file at a time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ)
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env.setdefault("MALLOC_ARENA_MAX", "2")  # the parse thread shares malloc's arenas: no 64 MB reserve each
        process = subprocess.Popen(
            [sys.executable, "-m", "ksln_metrics.importing.sandbox"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, env=env, cwd=root,
            bufsize=0, close_fds=True,
        )
        return process

    def call(self, request: tuple, wall_seconds: float) -> Answer:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.process = self._start()
            process = self.process
            try:
                _send(process.stdin, request)
                ready, _, _ = select.select([process.stdout], [], [], wall_seconds)
                if not ready:
                    self._stop()
                    raise WorkerFailed(TIMEOUT_REASON)
                status, value = _receive(process.stdout)
            except (EOFError, BrokenPipeError, OSError, pickle.UnpicklingError):
                code = self._stop()
                reason = _death_reason(code)
                raise WorkerFailed(reason, crashed=reason != TIMEOUT_REASON) from None
            if status == "error":
                raise WorkerFailed(value)
            return value

    def _stop(self, gently: bool = False) -> int | None:
        process, self.process = self.process, None
        if process is None:
            return None
        try:
            if gently and process.poll() is None:
                process.stdin.close()  # end of requests: the worker returns from its loop
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            if process.poll() is None:
                process.kill()
            return process.wait(timeout=10)
        except (subprocess.TimeoutExpired, OSError):
            return None
        finally:
            for stream in (process.stdin, process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass

    def close(self) -> None:
        with self.lock:
            self._stop(gently=True)


TIMEOUT_REASON = "pembacaan berkas melebihi batas waktu"


def _death_reason(code: int | None) -> str:
    if code in (-9, -24, 137, 152):  # SIGKILL, SIGXCPU
        return TIMEOUT_REASON
    if code in (1, 2):  # a Python error in the worker itself (its traceback is in the server log)
        return "proses pembaca berkas berhenti karena kesalahan tak terduga (sudah dicatat di log server)"
    return "berkas memerlukan memori melebihi batas saat dibaca (lembar terlalu besar atau rusak)"


_WORKER = _Worker()
atexit.register(_WORKER.close)


def read_in_worker(file_name: str, content: bytes, known, limits) -> Answer:
    """The worker's answer for one file; raises WorkerFailed when it died or ran out of time."""
    request = ("read", file_name, pickle.PickleBuffer(content), known, limits)
    packed, problems, regions = _WORKER.call(request, WALL_SECONDS)
    return Answer(packed, problems, regions)


def extent_refusal_in_worker(file_name: str, content: bytes, limits) -> str | None:
    """The refusal of a workbook's sheet XML scan alone (its used range against the caps), run by a worker.

    For a workbook whose parse ended the worker: the scan runs beside the parse, and a grid too
    large for the memory budget can end the worker before the scan has said so.
    """
    return _WORKER.call(("extent", file_name, pickle.PickleBuffer(content), None, limits), WALL_SECONDS)


def stop_worker() -> None:
    _WORKER.close()


# --- the worker side ------------------------------------------------------------------------------


def _limit_memory() -> None:
    """Address space: what the worker uses now (its code and libraries) plus the budget."""
    with open("/proc/self/status") as status:
        current_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    limit = current_kb * 1024 + memory_budget_bytes()
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _limit_cpu_for_next_file() -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + CPU_SECONDS
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def serve() -> None:
    """Answer requests until stdin closes (the worker's main loop)."""
    # The protocol owns the real stdout; anything a library prints goes to stderr instead.
    channel = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    from ksln_metrics.importing import ingest

    ingest.start_parse_thread()
    _limit_memory()
    while True:
        try:
            mode, file_name, content, known, limits = _receive(requests)
        except EOFError:
            return
        content = bytes(content)  # the readers take bytes (a copy of a buffer of the file's size)
        _limit_cpu_for_next_file()
        try:
            if mode == "extent":
                answer = ("ok", ingest.extent_refusal(content, limits))
            else:
                upload = ingest.read_upload_here(file_name, content, known=known, limits=limits, text_as_arrow=True)
                # A plain tuple: this module runs as __main__ here, so its classes would not unpickle.
                answer = ("ok", (pack_tables(upload.tables), upload.problems, upload.regions))
        except MemoryError:
            answer = ("error", "berkas memerlukan memori melebihi batas saat dibaca (lembar terlalu besar)")
        del content
        _send(channel, answer)


if __name__ == "__main__":
    serve()
