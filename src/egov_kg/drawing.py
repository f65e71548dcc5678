"""Draw the graph: the org chart of the promotion structure, the timeline, the rankings.

Every picture is drawn from the rows of canned queries (see :mod:`egov_kg.pictures`), so
each mark is a query away from its data::

    import egov_kg

    kg = egov_kg.load()
    svg = egov_kg.draw(kg, "org-chart", lang="ja", as_of="2002-01-01")  # bytes
    dot = egov_kg.draw(kg, "org-chart", fmt="dot")  # str

    from egov_kg.draw import write

    write(kg, "timeline", "timeline.png", lang="en")  # atomically; format from the suffix

``svg`` and ``png`` come from matplotlib (no system binary or font needed), ``dot`` and
``mermaid`` are text for Graphviz and Mermaid (the rankings are drawn as svg or png only).
The same graph gives byte-identical output.

``egov_kg.draw`` is the function :func:`draw`; the module's other names are imported from
``egov_kg.drawing`` (a module named ``draw`` would hide the function once imported).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from egov_kg import pictures
from egov_kg.pictures import (
    KINDS,
    LANGUAGES,
    MAX_MARKS,
    DrawError,
    QuerySource,
    check_language,
    parse_as_of,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from egov_kg.knowledge_graph import KnowledgeGraph
    from egov_kg.results import QueryResult

__all__ = [
    "FORMATS",
    "KINDS",
    "LANGUAGES",
    "MAX_MARKS",
    "PICTURE_FILES",
    "DrawError",
    "chart",
    "check_arguments",
    "describe_picture",
    "draw",
    "figure",
    "format_for",
    "picture_files",
    "write",
]

FORMATS: Final = ("svg", "png", "dot", "mermaid")
"""The output formats: matplotlib images, and DOT and Mermaid text."""
_SUFFIXES: Final[Mapping[str, str]] = {
    ".svg": "svg",
    ".png": "png",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
}
_RELEASE_FORMATS: Final = ("svg", "png")

PICTURE_FILES: Final[tuple[str, ...]] = tuple(
    f"{kind}-{lang}.{fmt}" for kind in KINDS for lang in LANGUAGES for fmt in _RELEASE_FORMATS
)
"""The pictures ``egov-kg build`` writes into a release: each kind, in ja and en, svg and png."""

_Chart = pictures.OrgChart | pictures.Timeline | pictures.Rankings
_BOUNDED_READERS: Final[Mapping[str, Callable[..., _Chart]]] = {
    "org-chart": pictures.org_chart,
    "timeline": pictures.timeline,
}


def _check(kind: str, fmt: str | None = None) -> None:
    if kind not in KINDS:
        raise DrawError(f"unknown picture {kind!r}; expected one of {', '.join(KINDS)}")
    if fmt is not None and fmt not in FORMATS:
        raise DrawError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def check_arguments(
    kind: str,
    *,
    lang: str = "ja",
    as_of: date | str | None = None,
    fmt: str = "svg",
    max_marks: int | None = MAX_MARKS,
) -> None:
    """Check what :func:`draw` is asked for, before any query runs.

    Raises:
        DrawError: unknown kind, format or language, a malformed date, a date for the
            rankings, the rankings as dot or mermaid, or a bound below 1.
    """
    _check(kind, fmt)
    if max_marks is not None and max_marks < 1:
        raise DrawError(f"the most marks to show must be at least 1, not {max_marks}")
    check_language(lang)
    parse_as_of(as_of)
    if kind == "rankings" and as_of is not None:
        raise DrawError("a date applies to the org chart and the timeline, not the rankings")
    if kind == "rankings" and fmt in ("dot", "mermaid"):
        raise DrawError(f"the rankings are drawn as svg or png, not as {fmt}")


def chart(
    kg: QuerySource,
    kind: str,
    *,
    lang: str = "ja",
    as_of: date | str | None = None,
    max_marks: int | None = MAX_MARKS,
) -> _Chart:
    """What the picture ``kind`` shows, read from the canned queries (no drawing).

    ``max_marks`` bounds the bodies of the org chart and the events of the timeline
    (:data:`~egov_kg.pictures.MAX_MARKS`; ``None``: every one).

    Raises:
        DrawError: unknown kind or language, a malformed date, a date for the rankings,
            or a bound below 1.
    """
    check_arguments(kind, lang=lang, as_of=as_of, max_marks=max_marks)
    if kind == "rankings":
        return pictures.rankings(kg, lang, as_of)
    return _BOUNDED_READERS[kind](kg, lang, as_of, max_marks)


def figure(
    kg: KnowledgeGraph,
    kind: str,
    *,
    lang: str = "ja",
    as_of: date | str | None = None,
    max_marks: int | None = MAX_MARKS,
) -> Figure:
    """The matplotlib figure of the picture ``kind``, e.g. to show it in a notebook."""
    from egov_kg.charts import figure as make_figure  # matplotlib is slow to import

    return make_figure(chart(kg, kind, lang=lang, as_of=as_of, max_marks=max_marks))


def draw(
    kg: KnowledgeGraph,
    kind: str,
    *,
    lang: str = "ja",
    as_of: date | str | None = None,
    fmt: str = "svg",
    max_marks: int | None = MAX_MARKS,
) -> bytes | str:
    """Draw the picture ``kind`` of ``kg``.

    Args:
        kg: the knowledge graph (:func:`egov_kg.load`).
        kind: ``org-chart``, ``timeline`` or ``rankings``.
        lang: language of the labels, ``ja`` or ``en``.
        as_of: a day (``date`` or ``YYYY-MM-DD``): the org chart shows the bodies that
            exist on that day, the timeline the events up to it.
        fmt: ``svg`` or ``png`` (bytes), ``dot`` or ``mermaid`` (text).
        max_marks: the most bodies (org chart) or events (timeline) to show; beyond it
            the picture keeps a part and its title says which. ``None``: every one.

    Raises:
        DrawError: unknown kind, format or language, a malformed date, a date for the
            rankings, the rankings as dot or mermaid, a bound below 1, or a character no
            font can draw.

    >>> import egov_kg
    >>> dot = draw(egov_kg.load(), "org-chart", lang="en", fmt="dot")
    >>> "Cabinet" in dot and "org-cio-council" in dot
    True
    """
    check_arguments(kind, lang=lang, as_of=as_of, fmt=fmt, max_marks=max_marks)
    data = chart(kg, kind, lang=lang, as_of=as_of, max_marks=max_marks)
    if fmt in ("dot", "mermaid"):
        from egov_kg.diagrams import to_dot, to_mermaid

        return to_dot(data) if fmt == "dot" else to_mermaid(data)
    from egov_kg.charts import figure as make_figure
    from egov_kg.charts import render

    return render(make_figure(data), fmt)


def format_for(path: Path | str | None, fmt: str | None) -> str:
    """The format asked for, else the one ``path``'s suffix names, else ``svg``.

    Raises:
        DrawError: an unknown format, or a suffix that names none and no format given.
    """
    if fmt is not None:
        _check(KINDS[0], fmt)
        return fmt
    if path is None:
        return "svg"
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise DrawError(
            f"{path}: cannot tell the format from the suffix {suffix or '(none)'!r}; "
            f"give --format ({', '.join(FORMATS)})"
        )
    return _SUFFIXES[suffix]


def write(
    kg: KnowledgeGraph,
    kind: str,
    path: Path | str,
    *,
    lang: str = "ja",
    as_of: date | str | None = None,
    fmt: str | None = None,
    max_marks: int | None = MAX_MARKS,
) -> Path:
    """Draw the picture ``kind`` into the file ``path``, atomically.

    The format is ``fmt``, else the one ``path``'s suffix names (``.svg``, ``.png``,
    ``.dot``/``.gv``, ``.mmd``). Returns the path written.
    """
    from egov_kg.serialization import write_atomically

    target = Path(path)
    if not target.parent.is_dir():
        raise DrawError(f"{target.parent}: no such folder")
    picture = draw(
        kg, kind, lang=lang, as_of=as_of, fmt=format_for(target, fmt), max_marks=max_marks
    )
    data = picture.encode("utf-8") if isinstance(picture, str) else picture
    write_atomically(target, data)
    return target


_ABOUT: Final[Mapping[str, tuple[str, str]]] = {
    "org-chart": (
        "The org chart of the promotion structure (governance-structure query)",
        "推進体制の組織図 (governance-structure クエリ)",
    ),
    "timeline": ("The timeline of dated events (timeline query)", "年表 (timeline クエリ)"),
    "rankings": (
        "Each country's rank in each e-government survey (rankings query)",
        "各調査における各国の電子政府ランキング (rankings クエリ)",
    ),
}
_LANGUAGE_NAMES: Final[Mapping[str, tuple[str, str]]] = {
    "ja": ("Japanese", "日本語"),
    "en": ("English", "英語"),
}


def describe_picture(name: str) -> tuple[str, str]:
    """What the release picture ``name`` (one of :data:`PICTURE_FILES`) shows: en, ja.

    >>> describe_picture("timeline-en.png")[0]
    'The timeline of dated events (timeline query), labels in English, as PNG.'
    """
    stem, _, fmt = name.rpartition(".")
    kind, _, lang = stem.rpartition("-")
    _check(kind, fmt)
    check_language(lang)
    en, ja = _ABOUT[kind]
    lang_en, lang_ja = _LANGUAGE_NAMES[lang]
    return (
        f"{en}, labels in {lang_en}, as {fmt.upper()}.",
        f"{ja}。ラベルは{lang_ja}、{fmt.upper()} 形式。",
    )


def _picture_key(name: str, spec: _Chart) -> str:
    """The cache key of the release picture ``name`` drawing ``spec``.

    What the bytes depend on: the chart's content (its ``repr``: tuples, strings and dates,
    so stable), egov-kg's code, and the versions of the drawing libraries and the font.
    """
    from importlib.metadata import PackageNotFoundError, version

    from egov_kg.cache import content_key

    versions = []
    for package in ("matplotlib", "matplotlib-fontja", "pillow", "numpy"):
        try:
            versions.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package}==?")
    return content_key(b"picture", name.encode(), repr(spec).encode(), ";".join(versions).encode())


class _Remembered:
    """A knowledge graph's canned query answers, each query run once."""

    def __init__(self, kg: QuerySource) -> None:
        self._kg = kg
        self._answers: dict[tuple[str, tuple[tuple[str, Any], ...]], QueryResult] = {}

    def query(self, name: str, /, **params: Any) -> QueryResult:
        key = (name, tuple(sorted(params.items())))
        if key not in self._answers:
            self._answers[key] = self._kg.query(name, **params)
        return self._answers[key]


def picture_files(kg: KnowledgeGraph) -> dict[str, bytes]:
    """The pictures of a release, :data:`PICTURE_FILES`: file name -> bytes.

    Drawing them with matplotlib is most of a build's time, so each picture is kept in the
    cache folder under a key of what it shows (:func:`_picture_key`): a build whose charts
    did not change reads the same bytes back instead of drawing them again.
    """
    from egov_kg.cache import cache_dir, write_cache_file

    folder = cache_dir() / "pictures"
    files: dict[str, bytes] = {}
    answers = _Remembered(kg)  # each language's picture reads the same rows
    for kind in KINDS:
        for lang in LANGUAGES:
            spec = chart(answers, kind, lang=lang)
            paths = {
                fmt: folder / f"{_picture_key(f'{kind}-{lang}.{fmt}', spec)}.{fmt}"
                for fmt in _RELEASE_FORMATS
            }
            with contextlib.suppress(OSError):
                cached = {fmt: path.read_bytes() for fmt, path in paths.items()}
                files.update((f"{kind}-{lang}.{fmt}", data) for fmt, data in cached.items())
                continue
            from egov_kg.charts import figure as make_figure  # matplotlib is slow to import
            from egov_kg.charts import render

            fig = make_figure(spec)
            for fmt, path in paths.items():
                data = render(fig, fmt)
                write_cache_file(path, data)
                files[f"{kind}-{lang}.{fmt}"] = data
    return files
