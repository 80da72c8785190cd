"""Benchmark: the rakor deck (.pptx) of the demo store, with every chart drawn as a picture by one browser.

What the Presentasi page's "Salindia PowerPoint" button does (``ksln_metrics.present.deck.build_deck``
on the page's slides), timed three ways, interleaved, medians over ``--repeat`` rounds:

- first: the first deck of a server process, so the browser is started for it (once, for all charts);
- next: another deck while that browser is kept (``figure_images.KEEP_SECONDS``);
- without pictures: the same deck with no browser at all, the floor of the .pptx itself.

    .venv/bin/python bench/bench_deck.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import browser_timing as bt  # noqa: E402

from tests.e2e.conftest import E2E_TODAY  # noqa: E402

TARGET = 3.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = bt.make_store(Path(tempfile.mkdtemp(prefix="bench-deck-")))
    os.environ.update(env)
    from ksln_metrics.engine.indicators import Filters, compute
    from ksln_metrics.engine.rules import load_rules
    from ksln_metrics.present import figure_images
    from ksln_metrics.present.deck import build_deck, deck_pptx
    from ksln_metrics.present.slides import build_slides, footer_text
    from ksln_metrics.store import Store

    if figure_images.find_chromium() is None:
        raise SystemExit(figure_images.missing_browser_message())
    with Store(env["KSLN_DB"]) as store:
        rules = load_rules()
        results = compute(store, E2E_TODAY, rules, Filters())
        slides = build_slides(results, E2E_TODAY, Filters(), rules, sample_data=store.has_sample_data())
    footer = footer_text(E2E_TODAY, True)
    charts = sum(s.figure is not None for s in slides)

    def timed(fn) -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    def whole_deck() -> None:
        deck = build_deck(slides, footer)
        if deck.pictures != charts:
            raise SystemExit(f"the deck has {deck.pictures} of {charts} pictures: {deck.message}")

    first, kept, bare = [], [], []
    started_load = bt.machine_load()
    for _ in range(args.repeat):
        figure_images.close_browsers()  # a server process that has not drawn a picture yet
        first.append(timed(whole_deck))
        kept.append(timed(whole_deck))
        bare.append(timed(lambda: deck_pptx(slides, {}, footer)))
    figure_images.close_browsers()
    print(f"{len(slides)} salindia, {charts} grafik; median dari {args.repeat} putaran")
    print(f"  pertama (peramban dimulai): {bt.median(first):.2f} s  {[round(v, 2) for v in first]}")
    print(f"  berikutnya (peramban tetap): {bt.median(kept):.2f} s  {[round(v, 2) for v in kept]}")
    print(f"  tanpa gambar: {bt.median(bare):.2f} s")
    print(f"  {started_load}; at the end {bt.machine_load()}")
    print()
    print(bt.verdict("deck .pptx first (browser started once for all charts)", bt.median(first), TARGET))
    print(bt.verdict("deck .pptx next (browser kept)", bt.median(kept), TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
