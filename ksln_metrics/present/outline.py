"""A Markdown document cut at its headings, with a table of contents, for long pages such as Metodologi."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ksln_metrics.reference import normalize_text

_HEADING = re.compile(r"^(#{1,3}) +(.+?)\s*$")


@dataclass(frozen=True)
class Section:
    level: int  # 1 for '#', 2 for '##', 3 for '###'
    title: str  # Markdown of the heading, without the hashes
    anchor: str  # unique within the document
    body: str  # Markdown up to the next heading


def sections(markdown: str) -> list[Section]:
    """The headings of ``markdown`` in order, each with the text under it; text before any heading is level 0."""
    found: list[Section] = []
    level, title, body = 0, "", []
    used: set[str] = set()

    def close() -> None:
        if title or any(line.strip() for line in body):
            found.append(Section(level, title, _anchor(title, used), "\n".join(body).strip()))

    for line in markdown.splitlines():
        if match := _HEADING.match(line):
            close()
            level, title, body = len(match.group(1)), match.group(2), []
        else:
            body.append(line)
    close()
    return found


def _anchor(title: str, used: set[str]) -> str:
    base = normalize_text(title).replace(" ", "-") or "bagian"
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


def table_of_contents(parts: list[Section], max_level: int = 3) -> str:
    """A nested Markdown list of links to the sections of level 2 and deeper."""
    lines = [
        f"{'  ' * (s.level - 2)}- [{s.title.replace('`', '')}](#{s.anchor})"
        for s in parts if 2 <= s.level <= max_level
    ]
    return "\n".join(lines)
