"""Check: the engine gives exactly the frames a reference commit's engine gives (default ``main``).

Builds (or reuses, in ``--workdir``) a few stores: the demo store (Banten), the small synthetic store, the
national synthetic store (20k agreements, 1M activities) read in the Banten scope and in the national
scope, and the two-province national test store. On each, for several reference dates and filters, it runs
``compute`` (every frame of ``Results``), ``fiscal_year_table`` and ``agreement_detail`` of a few
agreements, once with the code of this tree and once with the code of the reference commit (taken with
``git archive`` into the work folder, run in a subprocess), and compares every frame exactly: values,
column order, dtypes and index.

    .venv/bin/python bench/engine_identical.py [--ref main] [--workdir /tmp/ksln-engine-identical] [--quick]

Ends with ``engine identical: N frames (target all) ok|ABOVE``.
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DEMO_TODAY = date(2026, 11, 28)  # the demo's fixed "today" (tests/unit/national_stores.py)
DATES = {
    "demo": (date(2026, 11, 28), date(2025, 3, 1), date(2024, 1, 2), date(2023, 12, 31)),
    "small": (date(2025, 3, 1), date(2024, 6, 30)),
    "national": (date(2025, 3, 1), date(2024, 1, 15)),
    "two_provinces": (date(2026, 11, 28), date(2025, 2, 3)),
}


def build_stores(workdir: Path) -> dict[str, tuple[Path, str]]:
    """The stores (path, scope code) compared, built once into ``workdir``."""
    from ksln_metrics import reference as ref
    from ksln_metrics.sample.demo import load_demo
    from ksln_metrics.sample.synth import write_synthetic
    from ksln_metrics.store import Store

    workdir.mkdir(parents=True, exist_ok=True)
    demo, small, national = workdir / "demo.duckdb", workdir / "small.duckdb", workdir / "national.duckdb"
    if not demo.exists():
        with ref.use_scope("36"), Store(demo) as store:
            load_demo(store, today=DEMO_TODAY)
    if not small.exists():
        with ref.use_scope("36"), Store(small) as store:
            write_synthetic(store, seed=3, scale="small")
    if not national.exists():
        with ref.use_scope("36"), Store(national) as store:
            write_synthetic(store, seed=1, scale="national")
    # A store is bound to the scope it was written in: the national view reads a copy written in it.
    national_scope = workdir / "national-scope.duckdb"
    if not national_scope.exists():
        with ref.use_scope("nasional"), Store(national_scope) as store:
            write_synthetic(store, seed=1, scale="national")
    two = workdir / "two" / "nasional.duckdb"
    if not two.exists():
        sys.path.insert(0, str(ROOT))
        from tests.unit.national_stores import national_store

        (workdir / "two").mkdir(exist_ok=True)
        national_store(workdir / "two")
    return {"demo": (demo, "36"), "small": (small, "36"), "national": (national, "36"),
            "national_scope": (national_scope, "nasional"), "two_provinces": (two, "nasional")}


def cases(quick: bool):
    """(store name, date, filters as keyword arguments of Filters.of) compared."""
    for name, dates in DATES.items():
        for as_of in dates[:1] if quick else dates:
            stores = ("national", "national_scope") if name == "national" else (name,)
            for store in stores:
                yield store, as_of, {}
    yield "demo", DEMO_TODAY, {"kabkota": ["36.02", "36.71"]}
    yield "demo", DEMO_TODAY, {"jenis": ["KSDPL"]}
    yield "demo", DEMO_TODAY, {"kabkota": []}
    yield "small", date(2025, 3, 1), {"negara": ["JPN", "KOR"]}
    yield "national", date(2025, 3, 1), {"kabkota": ["36", "36.02", "32.01"], "jenis": ["KSDPL", "KSDLL"]}


def dump(code_root: Path, workdir: Path, out: Path, quick: bool) -> None:
    """Every compared frame, computed with the package under ``code_root``, pickled into ``out``."""
    sys.path.insert(0, str(code_root))
    import pandas as pd

    from ksln_metrics import reference as ref
    from ksln_metrics.engine import indicators
    from ksln_metrics.engine.rules import DEFAULT_RULES, load_rules
    from ksln_metrics.store import Store

    assert Path(indicators.__file__).resolve().is_relative_to(code_root.resolve()), indicators.__file__
    rules = load_rules(DEFAULT_RULES)
    stores = build_stores(workdir)
    frames: dict[str, pd.DataFrame | pd.Series] = {}
    for name, as_of, filters in cases(quick):
        path, scope = stores[name]
        key = f"{name} {as_of} {filters}"
        with ref.use_scope(scope), Store(path, read_only=True) as store:
            results = indicators.compute(store, as_of, rules, indicators.Filters.of(**filters))
            for field in results.__dataclass_fields__:
                frames[f"{key} compute.{field}"] = getattr(results, field)
            if filters:
                continue
            frames[f"{key} fiscal_year_table"] = indicators.fiscal_year_table(store, as_of, rules)
            ids = list(results.agreements["id_perjanjian"])
            for agreement_id in ids[:: max(1, len(ids) // 4)][:5] + ["TIDAK-ADA"]:
                detail = indicators.agreement_detail(store, agreement_id, as_of, rules)
                if detail is None:
                    frames[f"{key} detail {agreement_id}"] = pd.Series([None], name="none")
                    continue
                for field in detail.__dataclass_fields__:
                    frames[f"{key} detail {agreement_id}.{field}"] = getattr(detail, field)
    out.write_bytes(pickle.dumps(frames))


def compare(ours: dict, theirs: dict) -> list[str]:
    import pandas as pd

    problems = []
    if ours.keys() != theirs.keys():
        problems.append(f"different frames: {sorted(set(ours) ^ set(theirs))[:10]}")
    for key in sorted(set(ours) & set(theirs)):
        a, b = ours[key], theirs[key]
        try:
            if isinstance(b, pd.Series):
                pd.testing.assert_series_equal(a, b, check_exact=True)
            else:
                pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError as exc:
            problems.append(f"{key}: {str(exc).splitlines()[0:6]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="main", help="the commit whose engine gives the expected frames")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ksln-engine-identical")
    parser.add_argument("--quick", action="store_true", help="one date per store")
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        dump(args.code, args.workdir, args.dump, args.quick)
        return 0

    args.workdir.mkdir(parents=True, exist_ok=True)
    ref_code = args.workdir / "ref"
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", args.ref], check=True, capture_output=True,
                            text=True).stdout.strip()
    marker = ref_code / "COMMIT"
    if not marker.exists() or marker.read_text() != commit:
        subprocess.run(["rm", "-rf", str(ref_code)], check=True)
        ref_code.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "ksln_metrics", "data", "tests"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(ref_code)], input=archive, check=True)
        marker.write_text(commit)
    quick = ["--quick"] if args.quick else []
    outputs = {}
    for label, code in (("this tree", ROOT), (f"{args.ref} ({commit[:8]})", ref_code)):
        # The reference commit's frames are kept: its code does not change.
        out = args.workdir / (f"frames-ref-{commit}{'-quick' if quick else ''}.pkl" if code == ref_code
                              else "frames-ours.pkl")
        if code == ROOT or not out.exists():
            subprocess.run([sys.executable, __file__, "--dump", str(out), "--code", str(code),
                            "--workdir", str(args.workdir), *quick], check=True, cwd=code)
        outputs[label] = pickle.loads(out.read_bytes())
    ours, theirs = outputs.values()
    problems = compare(ours, theirs)
    for problem in problems:
        print("DIFFERENT", problem)
    print(f"compared {len(theirs)} frames of {len(list(cases(args.quick)))} computations against {args.ref} "
          f"({commit[:8]})")
    print(f"engine identical: {len(theirs) - len(problems)}/{len(theirs)} frames (target all) "
          f"{'ok' if not problems else 'ABOVE'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
