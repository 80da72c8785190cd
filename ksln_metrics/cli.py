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

from ksln_metrics.clock import today as clock_today
from ksln_metrics.db import check_location, is_postgres, safe_location
from ksln_metrics.store import Store, StoreBusy, StoreError, default_db_path, store_exists


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; only the messages are made Indonesian."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse hook
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: kesalahan penggunaan: {message}\n")


def _db_argument(text: str) -> str | Path:
    """``--db``: a DuckDB file, or a PostgreSQL URL without a password (refused before anything connects)."""
    if is_postgres(text):
        try:
            return check_location(text)
        except StoreError as exc:  # ArgumentTypeError: argparse then prints the message, never the value
            raise argparse.ArgumentTypeError(str(exc)) from None
    return Path(text)


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=_db_argument,
        default=None,
        metavar="BERKAS|URL",
        help="berkas DuckDB, atau postgresql://PENGGUNA@HOST:PORT/NAMA_DB dengan kata sandi di PGPASSWORD atau "
             "~/.pgpass (bawaan: $KSLN_DB atau data/ksln.duckdb)",
    )


def _location(args: argparse.Namespace) -> str | Path:
    """Where the command's store is: ``--db``, else ``KSLN_DB``, else data/ksln.duckdb."""
    location = args.db or default_db_path()
    return check_location(location) if is_postgres(location) else Path(location)


def _missing_store(args: argparse.Namespace) -> str | None:
    """Why a command that only reads cannot start: its DuckDB file does not exist (a server is asked when opened)."""
    location = _location(args)
    return None if store_exists(location) else f"Basis data {location} tidak ditemukan."


def _open_store(args: argparse.Namespace) -> Store:
    location = _location(args)
    try:
        return Store(location)  # an unreachable PostgreSQL or a refused password: StoreError, with the reason
    except (duckdb.IOException, StoreBusy):
        raise StoreError(
            f"basis data {safe_location(location)} tidak dapat dibuka; mungkin sedang dipakai proses lain, "
            "mis. aplikasi yang sedang berjalan. Hentikan proses itu lalu ulangi."
        ) from None


class _UnknownAccount(Exception):
    """``--user`` names no usable account (a usage error: exit 2)."""


def _acting_user(store: Store, args: argparse.Namespace):
    """Who ``ingest`` acts as: the account ``--user`` names, with its role's limits.

    ``--sebagai-admin`` is the server operator acting with full rights under the name given
    (the shell can write the database file anyway; the flag makes that explicit and it is
    audited). Before any account exists the name is recorded as given, as it always was.
    """
    from ksln_metrics.accounts.users import active_user, has_accounts, normalize_name

    if args.sebagai_admin or not has_accounts(store):
        return args.user
    user = active_user(store, args.user)
    if user is None:
        raise _UnknownAccount(
            f"akun '{normalize_name(args.user)}' tidak ada atau nonaktif di {store.location}. Sebutkan akun dengan "
            "--user NAMA (hak aksesnya berlaku), atau tambahkan --sebagai-admin untuk mengimpor sebagai operator "
            "server dengan hak admin (tercatat di audit)."
        )
    return user


def cmd_ingest(args: argparse.Namespace) -> int:
    from ksln_metrics.importing.ingest import NO_SHEET, Problem, commit_upload, read_uploads

    paths: list[Path] = args.files
    missing = [p for p in paths if not p.is_file()]
    if missing:
        for p in missing:
            print(f"{p}: berkas tidak ditemukan", file=sys.stderr)
        return 2
    with _open_store(args) as store:
        try:
            user = _acting_user(store, args)
        except _UnknownAccount as exc:
            print(f"Gagal: {exc}", file=sys.stderr)
            return 2
        uploads = read_uploads([(p.name, p.read_bytes()) for p in paths], store=store)
        failed = False
        for upload in uploads:
            for problem in upload.problems:
                print(problem.line(), file=sys.stderr if problem.is_error else sys.stdout)
            failed = failed or not upload.ok
        if failed:
            print("Tidak ada yang disimpan: perbaiki kesalahan di atas lalu unggah ulang.", file=sys.stderr)
            return 1
        # Every file is checked against the account's unit before any is written.
        refused = [(u, r) for u in uploads if (r := store.change_refusal(user, u.tables, u.regions))]
        for upload, refusal in refused:
            store.audit(user, "unggah_ditolak", target=upload.file_name, detail=refusal)
            print(Problem(upload.file_name, NO_SHEET, None, "-", refusal).line(), file=sys.stderr)
        if refused:
            return 1
        for upload in uploads:
            result = commit_upload(store, upload, user=user, replace=args.replace)
            print(upload.summary(result))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ksln_metrics.sample.demo import DemoError, load_demo

    with _open_store(args) as store:
        if args.if_empty and not store.is_empty():
            print(f"Basis data {store.location} sudah berisi data; data contoh tidak dimuat.")
            return 0
        try:
            results = load_demo(store)
        except DemoError as error:
            print(error, file=sys.stderr)
            return 2
        written = [r for r in results if r.batch_id is not None]
        print(f"Data contoh dimuat ke {store.location}: {len(written)} batch baru.")
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

    from ksln_metrics.engine.rules import RulesError, load_rules
    from ksln_metrics.present.export import export_indicators

    if missing := _missing_store(args):
        print(missing, file=sys.stderr)
        return 2
    try:
        rules = load_rules()
    except RulesError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
    with _open_store(args) as store:
        text = export_indicators(store, args.level, args.format, args.as_of or clock_today(), rules)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from ksln_metrics.engine.rules import RulesError, load_rules
    from ksln_metrics.followup.rakor import diff_table
    from ksln_metrics.present.export import to_csv, to_json

    if missing := _missing_store(args):
        print(missing, file=sys.stderr)
        return 2
    if args.date_from > args.date_to:
        print(f"Gagal: --from {args.date_from.isoformat()} setelah --to {args.date_to.isoformat()}.", file=sys.stderr)
        return 2
    try:
        rules = load_rules()
    except RulesError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
    with _open_store(args) as store:
        table = diff_table(store, args.date_from, args.date_to, rules)
    text = to_csv(table) if args.format == "csv" else to_json(table)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_metodologi(args: argparse.Namespace) -> int:
    from ksln_metrics.engine.rules import RulesError, load_rules
    from ksln_metrics.present.methodology import methodology_markdown

    try:
        rules = load_rules()
    except RulesError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(methodology_markdown(rules))
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from ksln_metrics.sample.synth import write_synthetic

    with _open_store(args) as store:
        counts = write_synthetic(store, seed=args.seed, scale=args.scale)
    summary = ", ".join(f"{n:,} {table}".replace(",", ".") for table, n in counts.items())
    print(f"Data sintetis (bukan data resmi) ditulis ke {store.location}: {summary}.")
    return 0


# --- users: accounts of the application ---------------------------------------------------------


def _cli_actor() -> str:
    """Account changes made on the server's command line are audited under the operator's system name."""
    return f"baris-perintah:{getpass.getuser()}"


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass("Kata sandi baru: ")
        again = getpass.getpass("Ulangi kata sandi: ")
    except EOFError:
        raise StoreError("kata sandi tidak terbaca; ketik di terminal atau pakai --password-stdin.") from None
    if again != first:
        raise StoreError("kedua kata sandi tidak sama; tidak ada yang diubah.")
    return first


def _unit_example() -> str:
    """"kode kab/kota (mis. 36.01) atau 36 untuk provinsi", from the configured province."""
    from ksln_metrics.reference import example_units

    kab, _ = example_units()
    return f"kode kab/kota (mis. {kab.code}) atau {kab.province} untuk provinsi"


def cmd_users_add(args: argparse.Namespace) -> int:
    from ksln_metrics.accounts.users import create_account, describe_role
    from ksln_metrics.reminders.contacts import ContactError, check_email, set_account_email

    if (args.role == "analis") != (args.kabkota is not None):
        print(f"Gagal: --kabkota wajib untuk analis dan hanya untuk analis ({_unit_example()}).", file=sys.stderr)
        return 2
    if args.email is not None:
        try:
            check_email(args.email)  # before the account exists: nothing half-made on a bad address
        except ContactError as exc:
            print(f"Gagal: {exc} Akun tidak dibuat.", file=sys.stderr)
            return 2
    with _open_store(args) as store:
        user = create_account(store, args.name, args.role, _read_password(args), kabkota=args.kabkota,
                              by=_cli_actor())
        email = set_account_email(store, user.name, args.email, by=_cli_actor()) if args.email else None
    print(f"Akun {user.name} dibuat: {describe_role(user.role, user.kabkota)}" + (f", surel {email}." if email else "."))
    return 0


def cmd_users_email(args: argparse.Namespace) -> int:
    from ksln_metrics.reminders.contacts import ContactError, set_account_email

    if (args.address is None) == (not args.hapus):
        print("Gagal: sebutkan alamat surel baru, atau --hapus untuk menghapusnya (tidak keduanya).", file=sys.stderr)
        return 2
    with _open_store(args) as store:
        try:
            email = set_account_email(store, args.name, None if args.hapus else args.address, by=_cli_actor())
        except ContactError as exc:
            print(f"Gagal: {exc}", file=sys.stderr)
            return 2
    print(f"Surel akun {args.name} " + (f"diubah menjadi {email}." if email else "dihapus."))
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    import pandas as pd

    from ksln_metrics.accounts.users import account_status, describe_role, list_accounts

    with _open_store(args) as store:
        accounts = list_accounts(store)
    if accounts.empty:
        print("Belum ada akun. Buat admin pertama: python -m ksln_metrics users ensure-admin")
        return 0
    for row in accounts.itertuples(index=False):
        kabkota = row.kabkota if isinstance(row.kabkota, str) else None
        status = account_status(row.active, row.locked_until)
        last = f"{row.last_login:%d-%m-%Y %H.%M}" if pd.notna(row.last_login) else "belum pernah"
        print(f"{row.user_name:<24} {describe_role(row.role, kabkota):<44} {status:<30} masuk terakhir: {last}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from ksln_metrics.accounts.users import set_active

    with _open_store(args) as store:
        set_active(store, args.name, args.command_name == "enable", by=_cli_actor())
    print(f"Akun {args.name} {'diaktifkan' if args.command_name == 'enable' else 'dinonaktifkan'}.")
    return 0


def cmd_users_passwd(args: argparse.Namespace) -> int:
    from ksln_metrics.accounts.users import set_password

    with _open_store(args) as store:
        set_password(store, args.name, _read_password(args), by=_cli_actor())
    print(f"Kata sandi akun {args.name} diganti (kunci karena salah kata sandi, bila ada, dibuka).")
    return 0


def cmd_users_unlock(args: argparse.Namespace) -> int:
    from ksln_metrics.accounts.users import unlock

    with _open_store(args) as store:
        unlock(store, args.name, by=_cli_actor())
    print(f"Kunci akun {args.name} dibuka.")
    return 0


def cmd_users_ensure_admin(args: argparse.Namespace) -> int:
    from ksln_metrics.accounts.users import ensure_admin
    from ksln_metrics.engine.rules_change import import_change_log

    with _open_store(args) as store:
        created = ensure_admin(store)
        moved = import_change_log(store)
    if moved:
        print(f"{moved} catatan perubahan pengaturan lama dipindahkan ke jejak audit.")
    if created:
        name, password = created
        print(
            "\n=== KSLN Monitor: akun admin pertama dibuat ===\n"
            f"  nama pengguna : {name}\n"
            f"  kata sandi    : {password}\n"
            "Catat sekarang: kata sandi ini hanya ditampilkan sekali dan tidak disimpan dalam bentuk teks.\n"
            "Setelah masuk, ganti lewat menu samping (Ganti kata sandi) dan buat akun untuk setiap pengguna.\n"
        )
    return 0


def _add_users(sub) -> None:
    from ksln_metrics.access import ROLES
    from ksln_metrics.reference import REGIONS

    users = sub.add_parser("users", help="kelola akun aplikasi (pimpinan, analis, admin)")
    commands = users.add_subparsers(dest="users_command", required=True, parser_class=_Parser)

    add = commands.add_parser("add", help="buat akun; kata sandi ditanyakan (atau dibaca dari stdin)")
    add.add_argument("name", metavar="NAMA")
    add.add_argument("--role", required=True, choices=list(ROLES), help="peran akun")
    add.add_argument("--kabkota", choices=list(REGIONS), metavar="KODE", help=f"untuk analis: {_unit_example()}")
    add.add_argument("--password-stdin", action="store_true", help="baca kata sandi dari baris pertama stdin")
    add.add_argument("--email", metavar="ALAMAT", default=None, help="alamat surel untuk pengingat (opsional)")
    add.set_defaults(func=cmd_users_add)

    email = commands.add_parser("email", help="ubah atau hapus alamat surel akun (penerima pengingat)")
    email.add_argument("name", metavar="NAMA")
    email.add_argument("address", metavar="ALAMAT", nargs="?", default=None)
    email.add_argument("--hapus", action="store_true", help="hapus alamat surel akun")
    email.set_defaults(func=cmd_users_email)

    listing = commands.add_parser("list", help="daftar akun")
    listing.set_defaults(func=cmd_users_list)

    for name, text in (("disable", "nonaktifkan akun (tidak dapat masuk lagi)"), ("enable", "aktifkan lagi akun")):
        toggle = commands.add_parser(name, help=text)
        toggle.add_argument("name", metavar="NAMA")
        toggle.set_defaults(func=cmd_users_disable, command_name=name)

    passwd = commands.add_parser("passwd", help="ganti kata sandi akun (juga membuka kunci)")
    passwd.add_argument("name", metavar="NAMA")
    passwd.add_argument("--password-stdin", action="store_true", help="baca kata sandi dari baris pertama stdin")
    passwd.set_defaults(func=cmd_users_passwd)

    unlock = commands.add_parser("unlock", help="buka kunci akun setelah terlalu banyak kata sandi salah")
    unlock.add_argument("name", metavar="NAMA")
    unlock.set_defaults(func=cmd_users_unlock)

    ensure = commands.add_parser(
        "ensure-admin", help="bila belum ada admin aktif: buat akun admin dengan kata sandi acak (dicetak sekali)"
    )
    ensure.set_defaults(func=cmd_users_ensure_admin)

    for parser in commands.choices.values():
        _add_db(parser)


def _meeting_slides(args: argparse.Namespace):
    """The rakor slides for ``--as-of`` (default today), or an exit code when the inputs are wrong."""

    from ksln_metrics.engine.indicators import compute
    from ksln_metrics.engine.rules import RulesError, load_rules
    from ksln_metrics.followup.rakor import since_last_meeting
    from ksln_metrics.followup.stories import list_stories
    from ksln_metrics.present.slides import build_slides

    if missing := _missing_store(args):
        print(missing, file=sys.stderr)
        return None, 2
    try:
        rules = load_rules()
    except RulesError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return None, 1
    as_of = args.as_of or clock_today()
    with _open_store(args) as store:
        results = compute(store, as_of, rules)
        sample = store.has_sample_data()
        since = since_last_meeting(store, as_of, rules, after=results)
        stories = list_stories(store, published_only=True)
    return (build_slides(results, as_of, rules=rules, sample_data=sample, since=since, stories=stories), as_of,
            sample), 0


def cmd_deck(args: argparse.Namespace) -> int:
    from ksln_metrics.present.deck import build_deck
    from ksln_metrics.present.slides import footer_text

    made, code = _meeting_slides(args)
    if made is None:
        return code
    slides, as_of, sample = made
    deck = build_deck(slides, footer_text(as_of, sample))
    args.out.write_bytes(deck.data)
    if deck.message:
        print(f"Peringatan: {deck.message}", file=sys.stderr)
    print(f"Presentasi ditulis ke {args.out}: {len(slides)} salindia, {deck.pictures} gambar grafik.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ksln_metrics.present.report import report_html
    from ksln_metrics.present.slides import footer_text, meeting_name

    made, code = _meeting_slides(args)
    if made is None:
        return code
    slides, as_of, sample = made
    args.out.write_text(report_html(slides, meeting_name(), footer_text(as_of, sample)), encoding="utf-8")
    print(f"Laporan luring ditulis ke {args.out}: {len(slides)} halaman.")
    return 0


# --- reminders: calendar, letters, e-mail (issue 13) -----------------------------------------------


def _reminder_inputs(args: argparse.Namespace):
    """(rules, as_of) for a reminder command, or an exit code when the database or the rules are wrong."""

    from ksln_metrics.engine.rules import RulesError, load_rules

    if missing := _missing_store(args):
        print(f"Gagal: {missing[0].lower()}{missing[1:]}", file=sys.stderr)
        return None, 2
    try:
        rules = load_rules()
    except RulesError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return None, 1
    return (rules, args.as_of or clock_today()), 0


def cmd_kalender(args: argparse.Namespace) -> int:
    from ksln_metrics.reference import region_name
    from ksln_metrics.reminders.agenda import agenda
    from ksln_metrics.reminders.ical import calendar_ics

    made, code = _reminder_inputs(args)
    if made is None:
        return code
    rules, as_of = made
    with _open_store(args) as store:
        items = agenda(store, as_of, rules, kabkota=[args.kabkota] if args.kabkota else None)
    data = calendar_ics(items, as_of, args.kabkota)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    scope = region_name(args.kabkota) if args.kabkota else "semua unit"
    print(f"Kalender {scope} ditulis ke {args.out}: {len(items)} acara.")
    return 0


def cmd_surat(args: argparse.Namespace) -> int:
    from ksln_metrics.reference import region_name
    from ksln_metrics.reminders.agenda import agenda
    from ksln_metrics.reminders.letters import letter_file_name, unit_letters

    made, code = _reminder_inputs(args)
    if made is None:
        return code
    rules, as_of = made
    if args.out.exists() and not args.out.is_dir():
        print(f"Gagal: {args.out} ada tetapi bukan folder.", file=sys.stderr)
        return 2
    with _open_store(args) as store:
        items = agenda(store, as_of, rules, kabkota=[args.kabkota] if args.kabkota else None)
    letters = unit_letters(items, as_of, rules)
    if not letters:
        print("Tidak ada unit yang perlu diingatkan per tanggal itu; tidak ada surat dibuat.")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for unit, data in letters.items():
        path = args.out / letter_file_name(unit, as_of)
        path.write_bytes(data)
        print(f"{region_name(unit)}: {path}")
    print(f"{len(letters)} surat pengingat ditulis ke {args.out}.")
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    from ksln_metrics.reference import region_name
    from ksln_metrics.reminders.mail import MailSettingsError, SmtpSettings, run_reminders

    made, code = _reminder_inputs(args)
    if made is None:
        return code
    rules, as_of = made
    try:
        settings = SmtpSettings.from_env(args.smtp)
    except MailSettingsError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 2
    with _open_store(args) as store:
        outcomes = run_reminders(store, as_of, rules, settings, dry_run=args.dry_run)
    if not outcomes:
        print("Tidak ada pengingat baru untuk dikirim.")
        return 0
    failed = 0
    for outcome in outcomes:
        unit = region_name(outcome.kabkota)
        to = ", ".join(outcome.recipients) or "(tanpa penerima)"
        if args.dry_run:
            print(f"[uji coba] {unit} → {to}: {len(outcome.reminders)} hal")
            for reminder in outcome.reminders:
                print(f"    - {reminder.item.line(as_of)} [{reminder.label}]")
            if outcome.error:
                print(f"    ! {outcome.error}")
        elif outcome.delivered:
            print(f"Terkirim: {unit} → {to} ({len(outcome.reminders)} hal)")
        else:
            failed += 1
            print(f"Gagal mengirim ke {unit}: {outcome.error}. Dicatat; dicoba lagi pada jalankan berikutnya.",
                  file=sys.stderr)
    if args.dry_run:
        print("Uji coba: tidak ada pesan yang dikirim dan tidak ada yang dicatat.")
        return 0
    if failed:
        print(f"{failed} dari {len(outcomes)} pesan gagal dikirim.", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m ksln_metrics", description="KSLN Monitor — baris perintah")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ingest = sub.add_parser("ingest", help="impor berkas xlsx/xls/ods/csv ke basis data")
    ingest.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _add_db(ingest)
    ingest.add_argument("--user", default=getpass.getuser(),
                        help="akun yang mengimpor (bila sudah ada akun, hak aksesnya berlaku; bawaan: nama pengguna sistem)")
    ingest.add_argument("--sebagai-admin", action="store_true",
                        help="impor sebagai operator server dengan hak admin, atas nama --user (tercatat di audit)")
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

    diff = sub.add_parser("diff", help="bendera baru, selesai dan tetap antara dua tanggal acuan (sejak rakor)")
    _add_db(diff)
    diff.add_argument("--from", dest="date_from", type=_as_of_date, required=True, metavar="YYYY-MM-DD",
                      help="tanggal acuan awal (mis. tanggal rakor terakhir)")
    diff.add_argument("--to", dest="date_to", type=_as_of_date, required=True, metavar="YYYY-MM-DD",
                      help="tanggal acuan akhir")
    diff.add_argument("--format", required=True, choices=("csv", "json"))
    diff.add_argument("--out", type=Path, default=None, metavar="FILE", help="berkas keluaran (bawaan: layar)")
    diff.set_defaults(func=cmd_diff)

    metodologi = sub.add_parser("metodologi", help="cetak metodologi skor dan bendera (Markdown)")
    _add_db(metodologi)
    metodologi.set_defaults(func=cmd_metodologi)

    synth = sub.add_parser("synth", help="buat data sintetis skala nasional untuk uji kinerja")
    _add_db(synth)
    synth.add_argument("--seed", type=int, default=1, help="benih acak (hasil sama untuk benih sama)")
    synth.add_argument("--scale", choices=("national", "small"), default="national")
    synth.set_defaults(func=cmd_synth)

    _add_users(sub)

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

    _add_reminders(sub)
    return parser


def _add_reminders(sub) -> None:
    from ksln_metrics.reference import REGIONS

    as_of_help = "tanggal acuan (bawaan: hari ini)"
    kalender = sub.add_parser("kalender", help="kalender .ics batas laporan, masa berlaku dan tindak lanjut")
    _add_db(kalender)
    kalender.add_argument("--as-of", type=_as_of_date, default=None, metavar="YYYY-MM-DD", help=as_of_help)
    kalender.add_argument("--kabkota", choices=list(REGIONS), metavar="KODE", help="satu unit (bawaan: semua unit)")
    kalender.add_argument("--out", type=Path, required=True, metavar="FILE.ics", help="berkas keluaran")
    kalender.set_defaults(func=cmd_kalender)

    surat = sub.add_parser("surat", help="surat pengingat .docx untuk setiap unit yang perlu diingatkan")
    _add_db(surat)
    surat.add_argument("--as-of", type=_as_of_date, default=None, metavar="YYYY-MM-DD", help=as_of_help)
    surat.add_argument("--kabkota", choices=list(REGIONS), metavar="KODE", help="satu unit (bawaan: semua unit)")
    surat.add_argument("--out", type=Path, required=True, metavar="FOLDER", help="folder keluaran")
    surat.set_defaults(func=cmd_surat)

    remind = sub.add_parser("remind", help="kirim surel pengingat (jalankan setiap hari lewat cron/systemd)")
    _add_db(remind)
    remind.add_argument("--as-of", type=_as_of_date, default=None, metavar="YYYY-MM-DD", help=as_of_help)
    remind.add_argument("--smtp", default=None, metavar="HOST:PORT",
                        help="server SMTP (bawaan: $KSLN_SMTP_HOST:$KSLN_SMTP_PORT atau localhost:25)")
    remind.add_argument("--dry-run", action="store_true", help="tampilkan yang akan dikirim tanpa mengirim")
    remind.set_defaults(func=cmd_remind)


def main(argv: list[str] | None = None) -> int:
    from ksln_metrics.settings import SettingsError

    try:
        parser = build_parser()  # the --kabkota choices come from the configured province
        args = parser.parse_args(argv)
        return args.func(args)
    except SettingsError as exc:
        print(f"Gagal: pengaturan wilayah tidak dapat dipakai. {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"Gagal: {exc}", file=sys.stderr)
        return 1
