"""The pictures as text: Graphviz DOT and Mermaid, for readers that lay them out themselves.

DOT source comes from the ``graphviz`` package (its quoting and escaping); no ``dot``
binary is needed to write it. Mermaid is written here: a ``flowchart`` for the org chart
and a ``gantt`` chart for the timeline, where a date stated to the day is a milestone and
one stated to the month or year a bar spanning it. The rankings are a chart, not a graph:
they are drawn as SVG or PNG only.

Node ids are the resources' :func:`~egov_kg.pictures.element_id`, so a line of the text is
easy to trace back to the graph.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

import graphviz  # type: ignore[import-untyped]

from egov_kg.pictures import Body, DrawError, OrgChart, Rankings, Timeline, element_id, words

__all__ = ["TEXT_FORMATS", "to_dot", "to_mermaid"]

TEXT_FORMATS: Final = ("dot", "mermaid")
_FONTS: Final = "IPAexGothic, Noto Sans CJK JP, sans-serif"
_LANE_COLOURS: Final = {
    "laws": "#d0e2f2",
    "plans": "#d5ecd4",
    "bodies": "#f7d4d4",
    "networks": "#e4daf0",
    "other": "#e4e4e4",
}


def _dot_text(lines: list[str]) -> str:
    """Lines of a DOT label: backslashes kept literal, a DOT line break between lines."""
    return "\\n".join(line.replace("\\", "\\\\") for line in lines)


def _body_lines(body: Body, lang: str) -> list[str]:
    say = words(lang)
    lines = [body.label]
    lines += body.posts
    if body.established:
        lines.append(say["established"] + body.established)
    return lines


def _org_chart_dot(chart: OrgChart) -> str:
    graph = graphviz.Digraph(
        "org_chart",
        graph_attr={"rankdir": "LR", "label": chart.title, "labelloc": "t", "fontname": _FONTS},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": _FONTS},
        edge_attr={"arrowhead": "none"},
    )
    for body in chart.bodies:
        graph.node(
            element_id(body.iri),
            label=_dot_text(_body_lines(body, chart.lang)),
            fillcolor="#f0f0f0" if body.outside else "#e8f1fb",
            style="rounded,filled,dashed" if body.outside else "rounded,filled",
            URL=body.iri,
        )
    known = {body.iri for body in chart.bodies}
    for body in chart.bodies:
        if body.parent is not None and body.parent in known:
            graph.edge(element_id(body.parent), element_id(body.iri))
    return str(graph.source)


def _timeline_dot(chart: Timeline) -> str:
    """Years as a chain of nodes; each event in the column of its year, coloured by lane."""
    say = words(chart.lang)
    graph = graphviz.Digraph(
        "timeline",
        graph_attr={"rankdir": "LR", "label": chart.title, "labelloc": "t", "fontname": _FONTS},
        node_attr={"shape": "box", "style": "filled", "fontname": _FONTS},
    )
    years = sorted({event.first.year for event in chart.events})
    for year in years:
        graph.node(f"year-{year}", label=str(year), shape="plaintext", style="")
    for before, after in zip(years, years[1:], strict=False):
        graph.edge(f"year-{before}", f"year-{after}", penwidth="2")
    for lane, events in chart.lanes:
        for event in events:
            shape = "ellipse" if event.precision == "day" else "box"
            graph.node(
                element_id(event.iri),
                label=_dot_text([f"{event.stated} ({say.get(lane, lane)})", event.label]),
                fillcolor=_LANE_COLOURS.get(lane, _LANE_COLOURS["other"]),
                shape=shape,
                URL=event.iri,
            )
    for year in years:
        with graph.subgraph() as column:
            column.attr(rank="same")
            column.node(f"year-{year}")
            for event in chart.events:
                if event.first.year == year:
                    column.node(element_id(event.iri))
    return str(graph.source)


def to_dot(chart: OrgChart | Timeline | Rankings) -> str:
    """``chart`` as Graphviz DOT source."""
    if isinstance(chart, OrgChart):
        return _org_chart_dot(chart)
    if isinstance(chart, Timeline):
        return _timeline_dot(chart)
    raise DrawError("the rankings are drawn as svg or png, not as dot")


def _mermaid_text(text: str) -> str:
    """Text safe inside a Mermaid label: its special characters as entity codes."""
    return re.sub(r"[\"#:;<>\[\]{}|`]", lambda match: f"#{ord(match.group())};", text)


def _mermaid_id(iri: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", element_id(iri))


def _org_chart_mermaid(chart: OrgChart) -> str:
    lines = [
        "---",
        f"title: {_mermaid_text(chart.title)}",
        "---",
        "flowchart LR",
    ]
    for body in chart.bodies:
        label = "<br/>".join(_mermaid_text(line) for line in _body_lines(body, chart.lang))
        lines.append(f'    {_mermaid_id(body.iri)}["{label}"]')
    known = {body.iri for body in chart.bodies}
    for body in chart.bodies:
        if body.parent is not None and body.parent in known:
            lines.append(f"    {_mermaid_id(body.parent)} --- {_mermaid_id(body.iri)}")
    outside = [_mermaid_id(body.iri) for body in chart.bodies if body.outside]
    lines.append("    classDef outside stroke-dasharray: 5 5,fill:#f0f0f0")
    if outside:
        lines.append(f"    class {','.join(outside)} outside")
    return "\n".join(lines) + "\n"


def _timeline_mermaid(chart: Timeline) -> str:
    say = words(chart.lang)
    lines = [
        "gantt",
        f"    title {_mermaid_text(chart.title)}",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %Y",
    ]
    for lane, events in chart.lanes:
        lines.append(f"    section {_mermaid_text(say.get(lane, lane))}")
        for event in events:
            name = _mermaid_text(f"{event.stated} {event.label}")
            tag = _mermaid_id(event.iri)
            if event.precision == "day" and event.first == event.last:
                lines.append(f"    {name} :milestone, {tag}, {event.first.isoformat()}, 0d")
            else:
                end = event.last + timedelta(days=1)  # the bar covers the whole last day
                lines.append(f"    {name} :{tag}, {event.first.isoformat()}, {end.isoformat()}")
    return "\n".join(lines) + "\n"


def to_mermaid(chart: OrgChart | Timeline | Rankings) -> str:
    """``chart`` as a Mermaid diagram."""
    if isinstance(chart, OrgChart):
        return _org_chart_mermaid(chart)
    if isinstance(chart, Timeline):
        return _timeline_mermaid(chart)
    raise DrawError("the rankings are drawn as svg or png, not as mermaid")
