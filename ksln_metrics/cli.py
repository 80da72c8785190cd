"""The command line of DESIGN §6: ``python -m ksln_metrics <command> ...``.

Exit codes: 0 success, 1 rejected input (problems printed), 2 usage error.
Each subcommand is one ``cmd_<name>`` function registered in ``build_parser``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import duckdb

from ksln_metrics.store import Store, StoreError, default_db_path


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; only the messages are made Indonesian."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse hook
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: kesalahan penggunaan: {message}\n")


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="berkas DuckDB (bawaan: $KSLN_DB atau data/ksln.duckdb)",
    )


def _open_store(args: argparse.Namespace) -> Store:
    path = args.db or default_db_path()
    try:
        return Store(path)
    except duckdb.IOException as exc:
        raise StoreError(
            f"basis data {path} tidak dapat dibuka ({exc.__class__.__name__}); mungkin sedang dipakai proses lain, "
            "mis. aplikasi yang sedang berjalan. Hentikan proses itu lalu ulangi."
        ) from None


def cmd_ingest(args: argparse.Namespace) -> int:
    from ksln_metrics.ingest import commit_upload, read_uploads

    paths: list[Path] = args.files
    missing = [p for p in paths if not p.is_file()]
    if missing:
        for p in missing:
            print(f"{p}: berkas tidak ditemukan", file=sys.stderr)
        return 2
    with _open_store(args) as store:
        uploads = read_uploads([(p.name, p.read_bytes()) for p in paths], store=store)
        failed = False
        for upload in uploads:
            for problem in upload.problems:
                print(problem.line(), file=sys.stderr if problem.is_error else sys.stdout)
            failed = failed or not upload.ok
        if failed:
            print("Tidak ada yang disimpan: perbaiki kesalahan di atas lalu unggah ulang.", file=sys.stderr)
            return 1
        for upload in uploads:
            result = commit_upload(store, upload, user=args.user, replace=args.replace)
            print(upload.summary(result))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ksln_metrics.demo import load_demo

    with _open_store(args) as store:
        if args.if_empty and not store.is_empty():
            print(f"Basis data {store.path} sudah berisi data; data contoh tidak dimuat.")
            return 0
        results = load_demo(store)
        written = [r for r in results if r.batch_id is not None]
        print(f"Data contoh dimuat ke {store.path}: {len(written)} batch baru.")
    return 0


def _as_of_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"tanggal acuan '{text}' tidak sah; tulis TTTT-BB-HH, mis. 2025-03-31"
        ) from None


def cmd_export(args: argparse.Namespace) -> int:
    from datetime import date

    from ksln_metrics.export import export_indicators
    from ksln_metrics.rules import RulesError, load_rules

    db = args.db or default_db_path()
    if not Path(db).is_file():
        print(f"Basis data {db} tidak ditemukan.", file=sys.stderr)
        return 2
    try:
        rules = load_rules()
    except RulesError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
    with _open_store(args) as store:
        text = export_indicators(store, args.level, args.format, args.as_of or date.today(), rules)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_metodologi(args: argparse.Namespace) -> int:
    from ksln_metrics.methodology import methodology_markdown
    from ksln_metrics.rules import RulesError, load_rules

    try:
        rules = load_rules()
    except RulesError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(methodology_markdown(rules))
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from ksln_metrics.synth import write_synthetic

    with _open_store(args) as store:
        counts = write_synthetic(store, seed=args.seed, scale=args.scale)
    summary = ", ".join(f"{n:,} {table}".replace(",", ".") for table, n in counts.items())
    print(f"Data sintetis (bukan data resmi) ditulis ke {store.path}: {summary}.")
    return 0


def _meeting_slides(args: argparse.Namespace):
    """The rakor slides for ``--as-of`` (default today), or an exit code when the inputs are wrong."""
    from datetime import date

    from ksln_metrics.indicators import compute
    from ksln_metrics.rules import RulesError, load_rules
    from ksln_metrics.slides import build_slides

    db = args.db or default_db_path()
    if not Path(db).is_file():
        print(f"Basis data {db} tidak ditemukan.", file=sys.stderr)
        return None, 2
    try:
        rules = load_rules()
    except RulesError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return None, 1
    as_of = args.as_of or date.today()
    with _open_store(args) as store:
        results = compute(store, as_of, rules)
        sample = store.has_sample_data()
    return (build_slides(results, as_of, rules=rules, sample_data=sample), as_of), 0


def cmd_deck(args: argparse.Namespace) -> int:
    from ksln_metrics.deck import build_deck
    from ksln_metrics.slides import footer_text

    made, code = _meeting_slides(args)
    if made is None:
        return code
    slides, as_of = made
    deck = build_deck(slides, footer_text(as_of))
    args.out.write_bytes(deck.data)
    if deck.message:
        print(f"Peringatan: {deck.message}", file=sys.stderr)
    print(f"Presentasi ditulis ke {args.out}: {len(slides)} salindia, {deck.pictures} gambar grafik.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ksln_metrics.report import report_html
    from ksln_metrics.slides import MEETING_NAME, footer_text

    made, code = _meeting_slides(args)
    if made is None:
        return code
    slides, as_of = made
    args.out.write_text(report_html(slides, MEETING_NAME, footer_text(as_of)), encoding="utf-8")
    print(f"Laporan luring ditulis ke {args.out}: {len(slides)} halaman.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m ksln_metrics", description="KSLN Monitor — baris perintah")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ingest = sub.add_parser("ingest", help="impor berkas xlsx/xls/ods/csv ke basis data")
    ingest.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _add_db(ingest)
    ingest.add_argument("--user", default=getpass.getuser(), help="nama pengguna yang tercatat pada batch")
    ingest.add_argument(
        "--replace",
        action="store_true",
        help="ganti seluruh data kab/kota dalam berkas (baris yang tidak ada di berkas dihapus lewat batch)",
    )
    ingest.set_defaults(func=cmd_ingest)

    demo = sub.add_parser("demo", help="muat data contoh (bukan data resmi)")
    _add_db(demo)
    demo.add_argument("--if-empty", action="store_true", help="hanya bila basis data masih kosong")
    demo.set_defaults(func=cmd_demo)

    export = sub.add_parser("export", help="ekspor skor dan bendera per perjanjian atau per kab/kota")
    _add_db(export)
    export.add_argument("--level", required=True, choices=("perjanjian", "kabkota"))
    export.add_argument("--as-of", type=_as_of_date, default=None, metavar="YYYY-MM-DD",
                        help="tanggal acuan perhitungan (bawaan: hari ini)")
    export.add_argument("--format", required=True, choices=("csv", "json"))
    export.add_argument("--out", type=Path, default=None, metavar="FILE", help="berkas keluaran (bawaan: layar)")
    export.set_defaults(func=cmd_export)

    metodologi = sub.add_parser("metodologi", help="cetak metodologi skor dan bendera (Markdown)")
    _add_db(metodologi)
    metodologi.set_defaults(func=cmd_metodologi)

    synth = sub.add_parser("synth", help="buat data sintetis skala nasional untuk uji kinerja")
    _add_db(synth)
    synth.add_argument("--seed", type=int, default=1, help="benih acak (hasil sama untuk benih sama)")
    synth.add_argument("--scale", choices=("national", "small"), default="national")
    synth.set_defaults(func=cmd_synth)

    for name, func, help_text, suffix in (
        ("deck", cmd_deck, "buat salindia rakor (.pptx) dari data", "pptx"),
        ("report", cmd_report, "buat laporan luring rakor (satu berkas HTML) dari data", "html"),
    ):
        command = sub.add_parser(name, help=help_text)
        _add_db(command)
        command.add_argument("--as-of", type=_as_of_date, default=None, metavar="YYYY-MM-DD",
                             help="tanggal acuan perhitungan (bawaan: hari ini)")
        command.add_argument("--out", type=Path, required=True, metavar=f"FILE.{suffix}", help="berkas keluaran")
        command.set_defaults(func=func)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except StoreError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
