"""Query results as a plain-text table a person reads in a terminal.

A resource column ``x`` that comes with label columns ``x_ja`` and ``x_en`` is shown as
its label in the chosen language, under the header ``x``; other resources are shown as
prefixed names. Widths count East Asian wide characters as two columns.
"""

from __future__ import annotations

import unicodedata

import pyoxigraph as ox

from egov_kg.iris import compact
from egov_kg.results import QueryResult, to_python

__all__ = ["render_table"]

_LANGUAGES = ("ja", "en")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_table(result: QueryResult, lang: str) -> str:
    """Render ``result`` with labels in ``lang``."""
    names = list(result.variables)
    shown: list[tuple[str, int, int | None]] = []  # header, value index, fallback index
    for index, name in enumerate(names):
        base, _, suffix = name.rpartition("_")
        if suffix in _LANGUAGES and base in names:
            continue  # shown in place of its resource column
        if suffix in _LANGUAGES and base not in names:
            if suffix != lang:
                continue
            shown.append((base, index, None))
            continue
        label = f"{name}_{lang}"
        if label in names:
            shown.append((name, names.index(label), index))
        else:
            shown.append((name, index, None))
    cells: list[list[str]] = []
    for row in result.terms:
        line = []
        for _, index, fallback in shown:
            term = row[index]
            if term is None and fallback is not None:
                term = row[fallback]
            if term is None:
                line.append("")
            elif isinstance(term, ox.NamedNode):
                line.append(compact(term.value))
            elif isinstance(term, ox.BlankNode):
                line.append(str(term))
            else:
                line.append(str(to_python(term)).replace("\n", " "))
        cells.append(line)
    headers = [header for header, _, _ in shown]
    widths = [max([_width(h), *(_width(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    out = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out.extend(
        "  ".join(_pad(c, w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells
    )
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"
