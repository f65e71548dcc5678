"""What the pictures show, read from the canned queries: no drawing here.

Each picture of :mod:`egov_kg.drawing` is drawn from the rows of canned queries, so every mark
on it is a query away from its data:

- the org chart from ``governance-structure`` (bodies, parents, establishment), or with a
  date from ``structure-as-of`` (the bodies that exist on that day), and from ``chairs``
  (the title of each body's chair and vice-chair posts and who holds them);
- the timeline from ``timeline`` (every dated event, with its date as stated and its
  precision), or with a date from ``timeline`` with ``end`` set to it;
- the rankings from ``rankings`` (each country's rank in each survey).

Labels are taken in the language asked for (``ja`` or ``en``), falling back to the other.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Protocol

from egov_kg.results import QueryResult, Year, YearMonth

__all__ = [
    "KINDS",
    "LANGUAGES",
    "MAX_MARKS",
    "Body",
    "DrawError",
    "Event",
    "OrgChart",
    "QuerySource",
    "Rank",
    "Rankings",
    "Timeline",
    "element_id",
    "org_chart",
    "parse_as_of",
    "rankings",
    "timeline",
    "words",
]

KINDS: Final = ("org-chart", "timeline", "rankings")
"""The pictures :func:`egov_kg.drawing.draw` can draw."""
LANGUAGES: Final = ("ja", "en")
MAX_MARKS: Final = 100
"""The most bodies an org chart and events a timeline show by default.

A national graph has thousands of each: a picture of them all is unreadable and takes
minutes to draw, so the chart keeps a readable part and its title says which; the queries
(``governance-structure``, ``timeline``) still list every one.
"""

_ID_BASE: Final = "https://w3id.org/egov-kg/id/"
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")

# The few words the pictures add to the graph's own labels.
_WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "ja": {
        "org-chart": "電子政府の推進体制",
        "org-chart-as-of": "電子政府の推進体制 ({date} 時点)",
        "some-bodies": "{title} (全 {total} 組織のうち上位の階層の {shown} 組織)",
        "some-events": "{title} (全 {total} 件のうち時間順に均等に選んだ {shown} 件)",
        "timeline": "電子政府の年表",
        "timeline-until": "電子政府の年表 ({date} まで)",
        "rankings": "電子政府ランキング: 各調査における各国の順位",
        "post": "{title}：{holder}",
        "established": "設置：",
        "no-parent": "上位組織の記録なし",
        "laws": "法律",
        "plans": "戦略・計画",
        "bodies": "推進組織",
        "networks": "ネットワーク",
        "other": "その他",
        "day": "日付 (日まで)",
        "month": "月 (棒が月の範囲)",
        "year": "年 (棒が年の範囲)",
        "fiscal-year": "年度 (棒が年度の範囲)",
        "refined": "外部資料による日付",
        "rank": "順位",
        "japan": "日本",
    },
    "en": {
        "org-chart": "The promotion structure of e-government",
        "org-chart-as-of": "The promotion structure of e-government as of {date}",
        "some-bodies": "{title} ({shown} of {total} bodies: the top levels)",
        "some-events": "{title} ({shown} of {total} events, evenly spread over time)",
        "timeline": "Timeline of e-government",
        "timeline-until": "Timeline of e-government until {date}",
        "rankings": "E-government rankings: each country's rank in each survey",
        "post": "{title}: {holder}",
        "established": "Established: ",
        "no-parent": "no parent body recorded",
        "laws": "Laws",
        "plans": "Strategies and plans",
        "bodies": "Bodies",
        "networks": "Networks",
        "other": "Other",
        "day": "date (to the day)",
        "month": "month (the bar spans it)",
        "year": "year (the bar spans it)",
        "fiscal-year": "fiscal year (the bar spans it)",
        "refined": "day from an outside source",
        "rank": "Rank",
        "japan": "Japan",
    },
}

# The timeline's lanes: the kind of event (the timeline query's `kind`) -> its lane.
_LANES: Final[Mapping[str, str]] = {
    "Passage": "laws",
    "Promulgation": "laws",
    "EntryIntoForce": "laws",
    "Repeal": "laws",
    "Decision": "plans",
    "Revision": "plans",
    "Establishment": "bodies",
    "OperationStart": "networks",
}
LANE_ORDER: Final = ("laws", "plans", "bodies", "networks", "other")

_JAPAN: Final = _ID_BASE + "country/japan"


class QuerySource(Protocol):
    """What the pictures read: the answers of canned queries (a :class:`KnowledgeGraph`)."""

    def query(self, name: str, /, **params: Any) -> QueryResult:
        """The rows of the canned query ``name``."""


class DrawError(ValueError):
    """A picture cannot be drawn as asked (unknown kind, format, language or date)."""


def words(lang: str) -> Mapping[str, str]:
    """The words a picture adds to the graph's labels, in ``lang`` (``ja`` or ``en``)."""
    check_language(lang)
    return _WORDS[lang]


def check_language(lang: str) -> None:
    """Raise :class:`DrawError` unless ``lang`` is ``ja`` or ``en``."""
    if lang not in LANGUAGES:
        raise DrawError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")


def element_id(iri: str) -> str:
    """The id of a resource's mark in SVG and DOT output: its IRI path after ``/id/``.

    >>> element_id("https://w3id.org/egov-kg/id/org/cio-council")
    'org-cio-council'
    """
    text = str(iri)
    if text.startswith(_ID_BASE):
        text = text[len(_ID_BASE) :]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def parse_as_of(value: date | str | None) -> date | None:
    """``value`` as a day: a :class:`datetime.date` or ``YYYY-MM-DD`` text.

    Raises:
        DrawError: the text is not a valid ``YYYY-MM-DD`` day.
    """
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise DrawError(f"the date must be a day as YYYY-MM-DD, not {value!r}") from None


def _label(row: Mapping[str, Any], column: str, lang: str) -> str | None:
    other = "en" if lang == "ja" else "ja"
    for name in (f"{column}_{lang}", f"{column}_{other}"):
        value = row.get(name)
        if value is not None:
            return str(value)
    resource = row.get(column)
    return element_id(resource) if resource is not None else None


# ---------------------------------------------------------------------------
# The org chart
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """A box of the org chart.

    Attributes:
        iri: the body's IRI.
        label: its name.
        parent: the IRI of the body it sits under, if any.
        posts: its chair and vice-chair posts, each as ``title: holder``
            (``本部長：内閣総理大臣``, ``Acting chair: Minister in charge of IT policy``).
        established: the date it was set up, as stated (``2002-09-18``, ``1994-08``).
        outside: not a body of the chart but a parent of one (the Cabinet).
    """

    iri: str
    label: str
    parent: str | None = None
    posts: tuple[str, ...] = ()
    established: str | None = None
    outside: bool = False


@dataclass(frozen=True)
class OrgChart:
    """The bodies of the promotion structure and what they sit under."""

    title: str
    lang: str
    bodies: tuple[Body, ...]

    def children(self, iri: str | None) -> tuple[Body, ...]:
        """The bodies right under ``iri`` (``None``: the roots), in the chart's order."""
        known = {body.iri for body in self.bodies}
        return tuple(
            body
            for body in self.bodies
            if (body.parent if body.parent in known else None) == iri and body.iri != iri
        )


def _first(rows: list[dict[str, Any]], column: str, lang: str) -> str | None:
    for row in rows:
        if row.get(column) is not None:
            return _label(row, column, lang)
    return None


def _posts(kg: QuerySource, lang: str) -> dict[str, tuple[str, ...]]:
    """Each body's chair and vice-chair posts (``chairs`` query), chair first."""
    say = words(lang)
    found: dict[str, list[tuple[int, str]]] = {}
    for row in kg.query("chairs").rows:
        title = _label(row, "title", lang) or str(row["role"])
        title = title[:1].upper() + title[1:]
        holder = _label(row, "holder", lang)
        text = say["post"].format(title=title, holder=holder) if holder else title
        rank = 0 if row["role"] == "chair" else 1
        found.setdefault(str(row["body"]), []).append((rank, text))
    return {body: tuple(text for _, text in sorted(posts)) for body, posts in found.items()}


def _parent(
    own: list[dict[str, Any]], chosen: Mapping[str, object], structure: Mapping[str, object]
) -> str | None:
    """The body a body is drawn under: its first parent, unless that one is left out."""
    parents = sorted({str(row["parent"]) for row in own if row.get("parent") is not None})
    parent = parents[0] if parents else None
    if parent is not None and parent in structure and parent not in chosen:
        return None  # a body of the structure that does not exist yet on that day
    return parent


def _top_levels(
    order: list[str],
    chosen: Mapping[str, list[dict[str, Any]]],
    structure: Mapping[str, object],
    max_marks: int,
) -> list[str]:
    """The ``max_marks`` bodies nearest the roots, in ``order``; a parent before its child.

    A body in a cycle of parent links has no depth: it comes last (the layout reports it).
    """
    parents = {iri: _parent(chosen[iri], chosen, structure) for iri in order}
    depths: dict[str, int] = {}
    for start in order:
        path: list[str] = []
        iri: str | None = start
        while iri is not None and iri in parents and iri not in depths and iri not in path:
            path.append(iri)
            iri = parents[iri]
        if iri is not None and iri in path:  # a cycle
            base = len(order)
        elif iri is not None and iri in depths:
            base = depths[iri] + 1
        else:  # a root, or a body under a parent outside the structure
            base = 0
        for offset, body in enumerate(reversed(path)):
            depths[body] = base + offset if base < len(order) else len(order)
    position = {iri: index for index, iri in enumerate(order)}
    kept = set(sorted(order, key=lambda iri: (depths[iri], position[iri]))[:max_marks])
    return [iri for iri in order if iri in kept]


def org_chart(
    kg: QuerySource,
    lang: str = "ja",
    as_of: date | str | None = None,
    max_marks: int | None = MAX_MARKS,
) -> OrgChart:
    """The org chart's bodies, from ``governance-structure`` (and ``structure-as-of``).

    With more than ``max_marks`` bodies (``None``: no bound), the chart keeps the top
    levels: the bodies nearest the roots first, in the query's order.
    """
    say = words(lang)
    day = parse_as_of(as_of)
    structure = kg.query("governance-structure").rows
    posts = _posts(kg, lang)
    by_body: dict[str, list[dict[str, Any]]] = {}
    for row in structure:
        by_body.setdefault(str(row["body"]), []).append(row)
    if day is None:
        rows = structure
        title = say["org-chart"]
    else:
        rows = kg.query("structure-as-of", date=day.isoformat()).rows
        title = say["org-chart-as-of"].format(date=day.isoformat())
    order: list[str] = []
    chosen: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        iri = str(row["body"])
        if iri not in chosen:
            order.append(iri)
        chosen.setdefault(iri, []).append(row)
    total = len(order)
    if max_marks is not None and total > max_marks:
        order = _top_levels(order, chosen, by_body, max_marks)
        title = say["some-bodies"].format(title=title, shown=f"{len(order):,}", total=f"{total:,}")
    bodies: list[Body] = []
    outside: dict[str, str] = {}
    for iri in order:
        own = chosen[iri]
        parent = _parent(own, chosen, by_body)
        if parent is not None and parent not in chosen:
            outside.setdefault(parent, _first(own, "parent", lang) or element_id(parent))
        established = next((row["established"] for row in own if row.get("established")), None)
        bodies.append(
            Body(
                iri=iri,
                label=_label(own[0], "body", lang) or element_id(iri),
                parent=parent,
                posts=posts.get(iri, ()),
                established=str(established) if established is not None else None,
            )
        )
    extra = [Body(iri=iri, label=label, outside=True) for iri, label in sorted(outside.items())]
    return OrgChart(title=title, lang=lang, bodies=(*extra, *bodies))


# ---------------------------------------------------------------------------
# The timeline
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """A mark of the timeline.

    Attributes:
        iri: the event's IRI.
        label: what happened.
        kind: the event's class (``Decision``, ``Establishment``...).
        lane: ``laws``, ``plans``, ``bodies``, ``networks`` (or ``other``).
        stated: the date as stated (``2000-11-29``, ``2000-11``, ``2004``).
        precision: ``day``, ``month``, ``year`` or ``fiscal-year``.
        first: the first day the date can denote.
        last: the last day it can denote.
        refined: the day an outside source gives where the date is coarser.
    """

    iri: str
    label: str
    kind: str
    lane: str
    stated: str
    precision: str
    first: date
    last: date
    refined: date | None = None


@dataclass(frozen=True)
class Timeline:
    """The dated events, lane by lane, each in the order of the ``timeline`` query."""

    title: str
    lang: str
    lanes: tuple[tuple[str, tuple[Event, ...]], ...]

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event, lane after lane."""
        return tuple(event for _, events in self.lanes for event in events)


def interval(value: object, precision: str, earliest: date | None = None) -> tuple[date, date]:
    """The first and last day a date as stated can denote.

    >>> interval(YearMonth(2000, 11), "month")
    (datetime.date(2000, 11, 1), datetime.date(2000, 11, 30))
    >>> interval(Year(2004), "fiscal-year")
    (datetime.date(2004, 4, 1), datetime.date(2005, 3, 31))
    """
    if isinstance(value, date):
        return value, value
    if isinstance(value, YearMonth):
        last = calendar.monthrange(value.year, value.month)[1]
        return date(value.year, value.month, 1), date(value.year, value.month, last)
    if isinstance(value, Year):
        if precision == "fiscal-year":  # Japan's fiscal year: April to March
            return date(value.year, 4, 1), date(value.year + 1, 3, 31)
        return date(value.year, 1, 1), date(value.year, 12, 31)
    if earliest is not None:
        return earliest, earliest
    raise DrawError(f"cannot place the date {value!r} on a time axis")


def timeline(
    kg: QuerySource,
    lang: str = "ja",
    as_of: date | str | None = None,
    max_marks: int | None = MAX_MARKS,
) -> Timeline:
    """The dated events of the ``timeline`` query (up to ``as_of``), lane by lane.

    With more than ``max_marks`` events (``None``: no bound), the timeline keeps that many,
    evenly spread over the query's order (by date), the first and the last among them.
    """
    say = words(lang)
    day = parse_as_of(as_of)
    if day is None:
        rows = kg.query("timeline").rows
        title = say["timeline"]
    else:
        rows = kg.query("timeline", end=day.isoformat()).rows
        title = say["timeline-until"].format(date=day.isoformat())
    total = len(rows)
    if max_marks is not None and total > max_marks:
        rows = [rows[i * (total - 1) // max(max_marks - 1, 1)] for i in range(max_marks)]
        title = say["some-events"].format(title=title, shown=f"{max_marks:,}", total=f"{total:,}")
    lanes: dict[str, list[Event]] = {lane: [] for lane in LANE_ORDER}
    for row in rows:
        kind = str(row["kind"])
        precision = str(row["precision"])
        first, last = interval(row["date"], precision, row.get("earliest"))
        refined = row.get("refined_date")
        lane = _LANES.get(kind, "other")
        lanes[lane].append(
            Event(
                iri=str(row["event"]),
                label=_label(row, "event", lang) or element_id(row["event"]),
                kind=kind,
                lane=lane,
                stated=str(row["date"]),
                precision=precision,
                first=first,
                last=last,
                refined=interval(refined, "day")[0] if refined is not None else None,
            )
        )
    kept = tuple((lane, tuple(events)) for lane, events in lanes.items() if events)
    return Timeline(title=title, lang=lang, lanes=kept)


def padded_span(events: tuple[Event, ...]) -> tuple[date, date]:
    """From the first of January before the first event to the one after the last."""
    first = min(event.first for event in events)
    last = max(event.last for event in events)
    return date(first.year, 1, 1), date(last.year + 1, 1, 1)


def segments(events: tuple[Event, ...], gap_years: int = 4) -> tuple[tuple[date, date], ...]:
    """The stretches of time with events, split where no event falls for ``gap_years``."""
    if not events:
        return ()
    spans = sorted((event.first, event.last) for event in events)
    found: list[list[date]] = [[spans[0][0], spans[0][1]]]
    for first, last in spans[1:]:
        if first - found[-1][1] > timedelta(days=365 * gap_years):
            found.append([first, last])
        else:
            found[-1][1] = max(found[-1][1], last)
    return tuple((date(a.year, 1, 1), date(b.year + 1, 1, 1)) for a, b in found)


# ---------------------------------------------------------------------------
# The rankings
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rank:
    """One country's rank in one survey."""

    survey: str
    country: str
    label: str
    iso_code: str | None
    rank: int

    @property
    def japan(self) -> bool:
        """Whether the country is Japan (highlighted)."""
        return self.country == _JAPAN or self.iso_code == "JP"


@dataclass(frozen=True)
class Rankings:
    """The surveys (in the order of the ``rankings`` query) and the ranks they give."""

    title: str
    lang: str
    surveys: tuple[tuple[str, str], ...]  # (IRI, label)
    ranks: tuple[Rank, ...]


def rankings(kg: QuerySource, lang: str = "ja", as_of: date | str | None = None) -> Rankings:
    """Every rank of the ``rankings`` query."""
    if as_of is not None:
        raise DrawError("a date applies to the org chart and the timeline, not the rankings")
    say = words(lang)
    surveys: dict[str, str] = {}
    ranks: list[Rank] = []
    for row in kg.query("rankings").rows:
        survey = str(row["survey"])
        surveys.setdefault(survey, _label(row, "survey", lang) or element_id(survey))
        iso = row.get("iso_code")
        ranks.append(
            Rank(
                survey=survey,
                country=str(row["country"]),
                label=_label(row, "country", lang) or element_id(row["country"]),
                iso_code=str(iso) if iso is not None else None,
                rank=int(row["rank"]),
            )
        )
    return Rankings(
        title=say["rankings"], lang=lang, surveys=tuple(surveys.items()), ranks=tuple(ranks)
    )
