"""The pictures drawn with matplotlib: the org chart, the timeline and the rankings.

No system binary and no system font is needed: the boxes and the tree layout of the org
chart are computed here from the parent links, and Japanese is drawn with IPAexGothic, which
the ``matplotlib-fontja`` package ships (found without importing it: its import changes
matplotlib's global settings). Latin text uses matplotlib's own DejaVu Sans, and each font
falls back on the other. A glyph missing from both is an error, never a box.

Output is deterministic: SVG ids come from a fixed hash salt, and neither SVG nor PNG holds a
date or a version, so the same graph gives byte-identical files with the same matplotlib.
Every mark of a resource carries its :func:`~egov_kg.pictures.element_id` as its SVG ``id``,
and matplotlib writes each line of text as an XML comment before its glyphs.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import logging
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final, cast

import matplotlib
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch, Rectangle
from matplotlib.textpath import text_to_path

from egov_kg.pictures import (
    Body,
    DrawError,
    OrgChart,
    Rankings,
    Timeline,
    element_id,
    segments,
    words,
)

__all__ = [
    "IMAGE_FORMATS",
    "figure",
    "japanese_font_file",
    "org_chart_figure",
    "rankings_figure",
    "render",
    "timeline_figure",
    "wrap",
]

IMAGE_FORMATS: Final = ("svg", "png")
_JAPANESE_FONT: Final = "IPAexGothic"
_LATIN_FONT: Final = "DejaVu Sans"
_DPI: Final = 100
_FONT_SIZE: Final = 8.0
_LINE: Final = _FONT_SIZE * 1.3 / 72  # inches per line of text

_INK: Final = "#1f2933"
_MUTED: Final = "#7b8794"
_JAPAN_RED: Final = "#c8102e"
_LANE_COLOURS: Final[Mapping[str, str]] = {
    "laws": "#1f77b4",
    "plans": "#2ca02c",
    "bodies": "#d62728",
    "networks": "#9467bd",
    "other": "#7f7f7f",
}


def japanese_font_file() -> Path:
    """The IPAexGothic font file of the ``matplotlib-fontja`` package.

    Raises:
        DrawError: the package is not installed.
    """
    spec = importlib.util.find_spec("matplotlib_fontja")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        candidate = Path(location) / "fonts" / "ipaexg.ttf"
        if candidate.is_file():
            return candidate
    raise DrawError(
        "the Japanese font IPAexGothic is missing: pip install matplotlib-fontja "
        "(a dependency of egov-kg)"
    )


@functools.cache
def _register_fonts() -> None:
    font_manager.fontManager.addfont(str(japanese_font_file()))


@contextlib.contextmanager
def _style(lang: str) -> Iterator[None]:
    """The matplotlib settings of every picture: fonts, sizes, deterministic SVG."""
    _register_fonts()
    families = [_JAPANESE_FONT, _LATIN_FONT] if lang == "ja" else [_LATIN_FONT, _JAPANESE_FONT]
    settings = {
        "font.family": families,
        "font.size": _FONT_SIZE,
        "svg.hashsalt": "egov-kg",
        "svg.fonttype": "path",
        "axes.unicode_minus": False,
        "text.color": _INK,
        "axes.edgecolor": _MUTED,
        "xtick.color": _INK,
        "ytick.color": _INK,
    }
    quiet = _QuietFontWeights()
    logger = logging.getLogger("matplotlib.font_manager")
    logger.addFilter(quiet)
    try:
        with matplotlib.rc_context(cast(Any, settings)):
            yield
    finally:
        logger.removeFilter(quiet)


class _QuietFontWeights(logging.Filter):
    """Drop matplotlib's note that IPAexGothic has no bold (its regular weight is used)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Failed to find font weight" not in record.getMessage()


def render(fig: Figure, fmt: str) -> bytes:
    """``fig`` as SVG or PNG bytes, without dates or versions.

    Raises:
        DrawError: an unknown format, or a character that no font has a glyph for.
    """
    if fmt not in IMAGE_FORMATS:
        raise DrawError(f"matplotlib draws {', '.join(IMAGE_FORMATS)}, not {fmt!r}")
    lang = str(getattr(fig, "egov_kg_lang", "en"))
    buffer = io.BytesIO()
    metadata: dict[str, str | None] = (
        {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    )
    with _style(lang), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buffer, format=fmt, dpi=_DPI, metadata=metadata)
    for warning in caught:
        message = str(warning.message)
        if "Glyph" in message and "missing" in message:
            raise DrawError(f"a character cannot be drawn: {message}")
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return buffer.getvalue()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def wrap(text: str, width: float, measure: Callable[[str], float] = _width) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, as ``measure`` measures them.

    By default widths are terminal columns (a wide character counts 2). Lines break at
    spaces, or next to a wide character; a run of Latin letters or digits is cut only
    when it is longer than a line.

    >>> wrap("各府省情報化統括責任者(CIO)連絡会議", 16)
    ['各府省情報化統括', '責任者(CIO)連絡', '会議']
    >>> wrap("Chair of the CIO Council", 12)
    ['Chair of the', 'CIO Council']
    """
    tokens: list[str] = []
    for char in text:
        wide = _width(char) == 2
        if wide or char == " " or not tokens or tokens[-1] == " " or _width(tokens[-1][-1]) == 2:
            tokens.append(char)
        else:
            tokens[-1] += char
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token == " ":
            if line:
                line += " "
            continue
        if line and measure(line + token) > width:
            lines.append(line.rstrip())
            line = ""
        while len(token) > 1 and measure(token) > width:  # a word longer than a line
            cut = len(token) - 1
            while cut > 1 and measure(token[:cut]) > width:
                cut -= 1
            lines.append(token[:cut])
            token = token[cut:]
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _measure(size: float, bold: bool = False) -> Callable[[str], float]:
    """Width in inches of a text drawn in the current fonts at ``size`` points."""
    properties = FontProperties(size=size, weight="bold" if bold else "normal")

    def width(text: str) -> float:
        measured, _, _ = text_to_path.get_text_width_height_descent(text, properties, ismath=False)
        return float(measured) / 72

    return width


def _canvas(width: float, height: float, lang: str) -> tuple[Figure, matplotlib.axes.Axes]:
    """A figure whose one axes is measured in inches from the top left corner."""
    fig = Figure(figsize=(width, height), dpi=_DPI, facecolor="white")
    fig.egov_kg_lang = lang  # type: ignore[attr-defined]
    axes = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_xlim(0, width)
    axes.set_ylim(height, 0)
    axes.set_axis_off()
    return fig, axes


# ---------------------------------------------------------------------------
# The org chart
# ---------------------------------------------------------------------------

_BOX_WIDTH: Final = 2.7
_COLUMN: Final = 3.3
_MARGIN: Final = 0.3
_TITLE_HEIGHT: Final = 0.7
_GAP: Final = 0.25  # between two boxes of a column


def _box_lines(body: Body, lang: str) -> tuple[list[str], list[str]]:
    """The name lines and the detail lines of a body's box."""
    say = words(lang)
    room = _BOX_WIDTH - 0.22
    name = wrap(body.label, room, _measure(_FONT_SIZE + 0.5, bold=True))
    details: list[str] = []
    for post in body.posts:
        details += wrap(post, room, _measure(_FONT_SIZE))
    if body.established:
        details += wrap(say["established"] + body.established, room, _measure(_FONT_SIZE))
    return name, details


def _tree_layout(
    chart: OrgChart, heights: Mapping[str, float]
) -> tuple[dict[str, tuple[int, float]], float]:
    """Each tree body's depth and centre (inches from the top), and the trees' height.

    A body's band is as tall as its box or as its children's bands stacked, whichever is
    taller; the children are centred in it, and so is the body.
    """
    needs: dict[str, float] = {}

    def need(body: Body, path: frozenset[str]) -> float:
        if body.iri in path:
            raise DrawError(f"the parent links of {body.iri} form a cycle")
        if body.iri not in needs:
            children = chart.children(body.iri)
            stacked = sum(need(child, path | {body.iri}) for child in children)
            stacked += _GAP * max(len(children) - 1, 0)
            needs[body.iri] = max(heights[body.iri], stacked)
        return needs[body.iri]

    placed: dict[str, tuple[int, float]] = {}

    def place(body: Body, depth: int, top: float) -> None:
        band = needs[body.iri]
        children = chart.children(body.iri)
        stacked = sum(needs[child.iri] for child in children) + _GAP * max(len(children) - 1, 0)
        cursor = top + (band - stacked) / 2
        for child in children:
            place(child, depth + 1, cursor)
            cursor += needs[child.iri] + _GAP
        placed[body.iri] = (depth, top + band / 2)

    cursor = 0.0
    for root in _tree_roots(chart):
        need(root, frozenset())
        place(root, 0, cursor)
        cursor += needs[root.iri] + 2 * _GAP
    loose = {body.iri for body in _loose_bodies(chart)}
    missing = [
        body.iri for body in chart.bodies if body.iri not in placed and body.iri not in loose
    ]
    if missing:
        raise DrawError(f"the parent links of {missing[0]} form a cycle")
    return placed, max(cursor - 2 * _GAP, 0.0)


def _tree_roots(chart: OrgChart) -> tuple[Body, ...]:
    """The roots with something under them, and the outside parents (the Cabinet)."""
    return tuple(body for body in chart.children(None) if body.outside or chart.children(body.iri))


def _loose_bodies(chart: OrgChart) -> tuple[Body, ...]:
    """The bodies with nothing above and nothing under them: drawn apart, in a grid."""
    return tuple(
        body for body in chart.children(None) if not body.outside and not chart.children(body.iri)
    )


def _draw_box(axes: matplotlib.axes.Axes, body: Body, x: float, y: float, lang: str) -> None:
    """A body's box, centred at height ``y``, its left edge at ``x``."""
    name, details = _box_lines(body, lang)
    height = _box_height(name, details)
    top = y - height / 2
    gid = element_id(body.iri)
    axes.add_patch(
        FancyBboxPatch(
            (x, top),
            _BOX_WIDTH,
            height,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor="#f0f0f0" if body.outside else "#e8f1fb",
            edgecolor=_MUTED if body.outside else "#1f5f9f",
            linestyle="--" if body.outside else "-",
            linewidth=1.0,
            gid=gid,
        )
    )
    axes.text(
        x + 0.1,
        top + 0.1,
        "\n".join(name),
        va="top",
        fontsize=_FONT_SIZE + 0.5,
        fontweight="bold",
        color="#102a43",
        linespacing=1.3,
        gid=f"{gid}-name",
    )
    if details:
        axes.text(
            x + 0.1,
            top + 0.1 + len(name) * _LINE * (_FONT_SIZE + 0.5) / _FONT_SIZE,
            "\n".join(details),
            va="top",
            linespacing=1.3,
            color="#3e4c59",
            gid=f"{gid}-details",
        )


def _box_height(name: list[str], details: list[str]) -> float:
    return len(name) * _LINE * (_FONT_SIZE + 0.5) / _FONT_SIZE + len(details) * _LINE + 0.2


def org_chart_figure(chart: OrgChart) -> Figure:
    """The org chart: a tree of boxes, each body right of the one it sits under.

    The parent bodies that are not part of the structure (the Cabinet) have dashed boxes;
    the bodies with no parent and no child recorded are drawn apart, below the trees.
    """
    lang = chart.lang
    say = words(lang)
    with _style(lang):
        heights = {body.iri: _box_height(*_box_lines(body, lang)) for body in chart.bodies}
        layout, trees_height = _tree_layout(chart, heights)
        loose = _loose_bodies(chart)
        depth = max((d for d, _ in layout.values()), default=0)
        columns = max(depth + 1, min(len(loose), 3))
        grid_rows = [loose[i : i + columns] for i in range(0, len(loose), columns)]
        grid_heights = [max(heights[body.iri] for body in row) for row in grid_rows]
        caption = 0.45 if loose else 0.0
        grid_top = _TITLE_HEIGHT + trees_height + (0.5 if layout else 0.0) + caption
        height = grid_top + sum(grid_heights) + _GAP * len(grid_rows) + _MARGIN
        width = 2 * _MARGIN + (columns - 1) * _COLUMN + _BOX_WIDTH
        fig, axes = _canvas(width, height, lang)
        axes.text(_MARGIN, 0.35, chart.title, fontsize=13, fontweight="bold", va="center")

        def left(depth: int) -> float:
            return _MARGIN + depth * _COLUMN

        for body in chart.bodies:
            if body.parent is None or body.parent not in layout or body.iri not in layout:
                continue
            parent_depth, parent_y = layout[body.parent]
            child_depth, child_y = layout[body.iri]
            start = left(parent_depth) + _BOX_WIDTH
            middle = start + (left(child_depth) - start) / 2
            axes.plot(
                [start, middle, middle, left(child_depth)],
                [_TITLE_HEIGHT + parent_y] * 2 + [_TITLE_HEIGHT + child_y] * 2,
                color=_MUTED,
                linewidth=1.2,
                solid_joinstyle="miter",
                gid=f"{element_id(body.iri)}-link",
            )
        for body in chart.bodies:
            if body.iri in layout:
                depth_of, y = layout[body.iri]
                _draw_box(axes, body, left(depth_of), _TITLE_HEIGHT + y, lang)
        if loose:
            axes.text(
                _MARGIN,
                grid_top - caption / 2,
                say["no-parent"],
                va="center",
                fontsize=9,
                color="#52606d",
            )
            top = grid_top
            for row, row_height in zip(grid_rows, grid_heights, strict=True):
                for index, body in enumerate(row):
                    _draw_box(axes, body, left(index), top + row_height / 2, lang)
                top += row_height + _GAP
    return fig


# ---------------------------------------------------------------------------
# The timeline
# ---------------------------------------------------------------------------

_TIMELINE_WIDTH: Final = 14.0
_ROW: Final = 0.24
_LANE_GAP: Final = 0.6  # rows between two lanes
_LEFT: Final = 1.5
_RIGHT: Final = 0.3


def _number(day: date) -> float:
    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def timeline_figure(chart: Timeline) -> Figure:
    """The timeline: a row per event, lane by lane, on a time axis split at long gaps.

    A date stated to the day is a dot; one stated to the month (or year) is a bar spanning
    that month (or year), so a month never looks like a day. Where an outside source gives
    the day of such an event, a white dot marks it inside the bar.
    """
    lang = chart.lang
    say = words(lang)
    events = chart.events
    if not events:
        raise DrawError("the timeline has no event to draw")
    rows: dict[str, float] = {}
    lane_rows: list[tuple[str, float, float]] = []
    cursor = 0.0
    for lane, lane_events in chart.lanes:
        start = cursor
        for event in lane_events:
            rows[event.iri] = cursor + 0.5
            cursor += 1
        lane_rows.append((lane, start, cursor))
        cursor += _LANE_GAP
    total = cursor - _LANE_GAP
    top, bottom = 1.25, 0.45
    height = top + total * _ROW + bottom
    spans = segments(events)
    years = [max(1, b.year - a.year) for a, b in spans]
    with _style(lang):
        fig = Figure(figsize=(_TIMELINE_WIDTH, height), dpi=_DPI, facecolor="white")
        fig.egov_kg_lang = lang  # type: ignore[attr-defined]
        grid = fig.add_gridspec(
            1,
            len(spans),
            width_ratios=[max(y, 1.5) for y in years],
            left=_LEFT / _TIMELINE_WIDTH,
            right=1 - _RIGHT / _TIMELINE_WIDTH,
            top=1 - top / height,
            bottom=bottom / height,
            wspace=0.04,
        )
        fig.text(
            _LEFT / _TIMELINE_WIDTH,
            1 - 0.3 / height,
            chart.title,
            fontsize=13,
            fontweight="bold",
            va="center",
        )
        all_axes = [fig.add_subplot(grid[0, index]) for index in range(len(spans))]
        figure_left = _LEFT / _TIMELINE_WIDTH
        figure_width = 1 - (_LEFT + _RIGHT) / _TIMELINE_WIDTH
        for index, (axes, (first, last)) in enumerate(zip(all_axes, spans, strict=True)):
            axes.set_xlim(_number(first), _number(last))
            axes.set_ylim(total, 0)
            axes.set_yticks([])
            step = 1 if last.year - first.year <= 15 else 2
            ticks = [date(year, 1, 1) for year in range(first.year, last.year + 1, step)]
            if index < len(spans) - 1 and ticks[-1] == last:
                ticks.pop()  # the next stretch labels its own start, right after the break
            axes.set_xticks([_number(tick) for tick in ticks], [str(t.year) for t in ticks])
            axes.tick_params(axis="x", labelsize=7.5)
            axes.grid(axis="x", color="#e4e7eb", linewidth=0.6)
            axes.set_axisbelow(True)
            for lane, start, end in lane_rows:
                axes.axhspan(start, end, color=_LANE_COLOURS[lane], alpha=0.06, linewidth=0)
            if index > 0:
                axes.spines["left"].set_visible(False)
                axes.tick_params(axis="y", left=False)
            if index < len(spans) - 1:
                axes.spines["right"].set_visible(False)
            for side, x in ((index > 0, 0.0), (index < len(spans) - 1, 1.0)):
                if side:  # the break: two short slanted strokes
                    for y in (0.0, 1.0):
                        axes.plot(
                            [x - 0.008, x + 0.008],
                            [y - 0.01, y + 0.01],
                            transform=axes.transAxes,
                            color=_MUTED,
                            clip_on=False,
                            linewidth=1,
                        )
        lane_measure = _measure(10, bold=True)
        for lane, start, end in lane_rows:
            all_axes[0].text(
                -0.01,
                (start + end) / 2,
                "\n".join(wrap(say[lane], _LEFT - 0.25, lane_measure)),
                transform=all_axes[0].get_yaxis_transform(),
                ha="right",
                va="center",
                fontsize=10,
                fontweight="bold",
                color=_LANE_COLOURS[lane],
            )
        position = all_axes[0].get_position()
        for event in events:
            index = next(i for i, (a, b) in enumerate(spans) if a <= event.first and event.last < b)
            axes = all_axes[index]
            colour = _LANE_COLOURS[event.lane]
            y = rows[event.iri]
            gid = element_id(event.iri)
            start_x = _number(event.first)
            end_x = _number(event.last + timedelta(days=1))
            if event.precision == "day" and event.first == event.last:
                axes.plot(
                    [start_x], [y], marker="o", markersize=5, color=colour, gid=gid, clip_on=False
                )
            else:
                axes.add_patch(
                    Rectangle(
                        (start_x, y - 0.32),
                        end_x - start_x,
                        0.64,
                        facecolor=colour,
                        edgecolor=colour,
                        linewidth=0.5,
                        gid=gid,
                    )
                )
                if event.refined is not None:
                    axes.plot(
                        [_number(event.refined)],
                        [y],
                        marker="o",
                        markersize=3,
                        markerfacecolor="white",
                        markeredgecolor=colour,
                        markeredgewidth=0.8,
                        gid=f"{gid}-refined",
                    )
            position = axes.get_position()
            lo, hi = axes.get_xlim()
            fraction = position.x0 + (start_x - lo) / (hi - lo) * position.width
            left = (fraction - figure_left) / figure_width > 0.55
            axes.annotate(
                f"{event.stated}  {event.label}",
                xy=(start_x if left else end_x, y),
                xytext=(-5 if left else 5, 0),
                textcoords="offset points",
                ha="right" if left else "left",
                va="center",
                fontsize=7.5,
                annotation_clip=False,
                gid=f"{gid}-label",
            )
        handles: list[Artist] = [
            Patch(facecolor=_LANE_COLOURS[lane], alpha=0.6, label=say[lane])
            for lane, _, _ in lane_rows
        ]
        precisions = sorted({event.precision for event in events}, key=_precision_order)
        for precision in precisions:
            if precision == "day":
                handles.append(
                    Line2D([], [], marker="o", linestyle="", color=_INK, label=say["day"])
                )
            else:
                handles.append(Patch(facecolor=_INK, label=say.get(precision, precision)))
        if any(event.refined is not None for event in events):
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor="white",
                    markeredgecolor=_INK,
                    label=say["refined"],
                )
            )
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(_LEFT / _TIMELINE_WIDTH, 1 - 0.55 / height),
            ncol=len(handles),
            frameon=False,
            fontsize=8,
            handlelength=1.2,
            columnspacing=1.4,
        )
    return fig


def _precision_order(precision: str) -> int:
    order = ("day", "month", "year", "fiscal-year")
    return order.index(precision) if precision in order else len(order)


# ---------------------------------------------------------------------------
# The rankings
# ---------------------------------------------------------------------------

_RANK_ROW: Final = 0.27
_RANK_COLUMN: Final = 2.9
_RANK_BOX: Final = 1.9
_RANK_LEFT: Final = 0.7


def rankings_figure(chart: Rankings) -> Figure:
    """Each survey as a column of ranked countries, a line joining a country's ranks.

    Japan's boxes and line are red; a line that skips a survey (the country is not listed
    in it) is dashed.
    """
    lang = chart.lang
    say = words(lang)
    if not chart.ranks:
        raise DrawError("the rankings have no rank to draw")
    columns = {survey: index for index, (survey, _) in enumerate(chart.surveys)}
    worst = max(rank.rank for rank in chart.ranks)
    with _style(lang):
        measure = _measure(_FONT_SIZE, bold=True)
        headers = [wrap(label, _RANK_BOX + 0.6, measure) for _, label in chart.surveys]
        header_height = max(len(lines) for lines in headers) * _LINE + 0.25
        top = 0.75 + header_height
        width = _RANK_LEFT + (len(chart.surveys) - 1) * _RANK_COLUMN + _RANK_BOX + 0.6
        height = top + worst * _RANK_ROW + 0.3
        fig, axes = _canvas(width, height, lang)
        axes.text(_RANK_LEFT - 0.4, 0.35, chart.title, fontsize=13, fontweight="bold", va="center")

        def x_of(survey: str) -> float:
            return _RANK_LEFT + columns[survey] * _RANK_COLUMN

        def y_of(rank: int) -> float:
            return top + (rank - 0.5) * _RANK_ROW

        for survey, lines in zip(chart.surveys, headers, strict=True):
            axes.text(
                x_of(survey[0]) + _RANK_BOX / 2,
                top - 0.12,
                "\n".join(lines),
                ha="center",
                va="bottom",
                fontweight="bold",
                linespacing=1.3,
                gid=f"{element_id(survey[0])}-header",
            )
        axes.text(_RANK_LEFT - 0.15, top - 0.12, say["rank"], ha="right", va="bottom")
        for rank in range(1, worst + 1):
            if rank == 1 or rank % 5 == 0:
                axes.text(_RANK_LEFT - 0.15, y_of(rank), str(rank), ha="right", va="center")
                axes.plot(
                    [_RANK_LEFT - 0.1, width - 0.2],
                    [y_of(rank), y_of(rank)],
                    color="#e4e7eb",
                    linewidth=0.6,
                    zorder=0,
                )
        by_country: dict[str, list[tuple[int, int]]] = {}
        for entry in chart.ranks:
            by_country.setdefault(entry.country, []).append((columns[entry.survey], entry.rank))
        japan = {entry.country for entry in chart.ranks if entry.japan}
        for country, points in sorted(by_country.items()):
            points.sort()
            highlighted = country in japan
            for (c1, r1), (c2, r2) in zip(points, points[1:], strict=False):
                axes.plot(
                    [_RANK_LEFT + c1 * _RANK_COLUMN + _RANK_BOX, _RANK_LEFT + c2 * _RANK_COLUMN],
                    [y_of(r1), y_of(r2)],
                    color=_JAPAN_RED if highlighted else "#9aa5b1",
                    linewidth=2.6 if highlighted else 1.0,
                    linestyle="--" if c2 - c1 > 1 else "-",
                    zorder=3 if highlighted else 1,
                    gid=f"{element_id(country)}-line-{c1}-{c2}",
                )
        for entry in chart.ranks:
            x, y = x_of(entry.survey), y_of(entry.rank)
            gid = f"{element_id(entry.survey)}-{element_id(entry.country)}"
            axes.add_patch(
                FancyBboxPatch(
                    (x, y - _RANK_ROW * 0.42),
                    _RANK_BOX,
                    _RANK_ROW * 0.84,
                    boxstyle="round,pad=0,rounding_size=0.05",
                    facecolor="#fde0e3" if entry.japan else "white",
                    edgecolor=_JAPAN_RED if entry.japan else "#9aa5b1",
                    linewidth=1.4 if entry.japan else 0.8,
                    zorder=4,
                    gid=gid,
                )
            )
            axes.text(
                x + 0.3,
                y,
                str(entry.rank),
                ha="right",
                va="center",
                fontweight="bold",
                zorder=5,
                gid=f"{gid}-rank",
            )
            axes.text(
                x + 0.42,
                y,
                entry.label,
                ha="left",
                va="center",
                fontweight="bold" if entry.japan else "normal",
                color=_JAPAN_RED if entry.japan else _INK,
                zorder=5,
                gid=f"{gid}-label",
            )
    return fig


def figure(chart: OrgChart | Timeline | Rankings) -> Figure:
    """The matplotlib figure of ``chart``."""
    if isinstance(chart, OrgChart):
        return org_chart_figure(chart)
    if isinstance(chart, Timeline):
        return timeline_figure(chart)
    return rankings_figure(chart)
