"""The pictures: each is drawn from the shipped graph and shows every row of its queries.

SVG text is checked through the ids matplotlib writes for the marks (``id="org-cio-council"``)
and the XML comment it writes before each line of text; DOT and Mermaid are checked as text.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Rectangle
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SH

import egov_kg
from conftest import REPO, run_cli
from egov_kg.charts import figure as chart_figure
from egov_kg.charts import render
from egov_kg.drawing import PICTURE_FILES, DrawError, draw, figure
from egov_kg.ontology_docs import ontology_html, shapes_html
from egov_kg.pictures import Body, OrgChart, element_id, interval

KINDS = ("org-chart", "timeline", "rankings")
LANGS = ("ja", "en")
JAPAN_RED = "#c8102e"


@pytest.fixture(scope="module")
def kg() -> egov_kg.KnowledgeGraph:
    return egov_kg.load()


@pytest.fixture(autouse=True)
def warnings_are_errors() -> Iterator[None]:
    """Any warning while drawing fails the test: a missing glyph above all."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture(scope="module")
def svgs(kg: egov_kg.KnowledgeGraph) -> dict[tuple[str, str], str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return {
            (kind, lang): draw(kg, kind, lang=lang).decode()  # type: ignore[union-attr]
            for kind in KINDS
            for lang in LANGS
        }


def texts(svg: str) -> str:
    """Every text of an SVG, run together without whitespace (lines are wrapped)."""
    return re.sub(r"\s+", "", "".join(re.findall(r"<!--(.*?)-->", svg, re.S)))


def shown(text: str, svg: str) -> bool:
    return re.sub(r"\s+", "", text) in texts(svg)


def has_id(svg: str, iri: object) -> bool:
    return f'id="{element_id(str(iri))}"' in svg


def label(row: dict[str, object], column: str, lang: str) -> str:
    return str(row[f"{column}_{lang}"])


# ---------------------------------------------------------------------------
# The org chart
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_org_chart_shows_every_body_its_parent_posts_and_date(
    kg: egov_kg.KnowledgeGraph, svgs: dict[tuple[str, str], str], lang: str
) -> None:
    svg = svgs["org-chart", lang]
    rows = kg.query("governance-structure").rows
    assert len(rows) >= 10
    for row in rows:
        assert has_id(svg, row["body"]), row["body"]
        assert shown(label(row, "body", lang), svg), row["body"]
        assert shown(str(row["established"]), svg)
        if row["parent"] is not None:
            assert has_id(svg, row["parent"]) and shown(label(row, "parent", lang), svg)
            assert f'id="{element_id(str(row["body"]))}-link"' in svg
    for row in kg.query("chairs").rows:
        assert shown(label(row, "holder", lang), svg), row["post"]
        title = label(row, "title", lang)
        assert shown(title[:1].upper() + title[1:], svg), row["post"]
    assert shown("内閣" if lang == "ja" else "Cabinet", svg)
    assert shown("本部長：内閣総理大臣" if lang == "ja" else "Acting chair: Minister", svg)


def test_org_chart_as_of_2002_keeps_only_the_bodies_of_that_day(
    kg: egov_kg.KnowledgeGraph,
) -> None:
    svg = draw(kg, "org-chart", lang="en", as_of="2002-01-01").decode()  # type: ignore[union-attr]
    existing = kg.query("structure-as-of", date="2002-01-01").rows
    assert {str(row["body"]).rsplit("/", 1)[1] for row in existing} >= {
        "it-strategic-headquarters",
        "information-systems-procurement-conference",
    }
    for row in existing:
        assert has_id(svg, row["body"]) and shown(label(row, "body", "en"), svg)
    later = [
        row for row in kg.query("governance-structure").rows if row["earliest"] > date(2002, 1, 1)
    ]
    assert {str(row["body"]).rsplit("/", 1)[1] for row in later} >= {
        "cio-council",
        "information-security-policy-council",
        "cio-council-executive-committee",
    }
    for row in later:
        assert not has_id(svg, row["body"]), row["body"]
        assert not shown(label(row, "body", "en"), svg), row["body"]
    assert shown("as of 2002-01-01", svg)


def test_org_chart_dot_and_mermaid_hold_every_body_and_link(kg: egov_kg.KnowledgeGraph) -> None:
    dot = draw(kg, "org-chart", lang="ja", fmt="dot")
    mermaid = draw(kg, "org-chart", lang="ja", fmt="mermaid")
    assert isinstance(dot, str) and isinstance(mermaid, str)
    assert dot.startswith("digraph org_chart {") and mermaid.startswith("---\ntitle:")
    for row in kg.query("governance-structure").rows:
        body = element_id(str(row["body"]))
        assert f'"{body}" [label="{row["body_ja"]}' in dot
        assert f'n_{body.replace("-", "_")}["{row["body_ja"]}' in mermaid
        if row["parent"] is not None:
            parent = element_id(str(row["parent"]))
            assert f'"{parent}" -> "{body}"' in dot
            assert f"n_{parent.replace('-', '_')} --- n_{body.replace('-', '_')}" in mermaid


# ---------------------------------------------------------------------------
# The timeline
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_timeline_shows_every_event_with_its_stated_date(
    kg: egov_kg.KnowledgeGraph, svgs: dict[tuple[str, str], str], lang: str
) -> None:
    svg = svgs["timeline", lang]
    rows = kg.query("timeline").rows
    assert len(rows) >= 30
    for row in rows:
        assert has_id(svg, row["event"]), row["event"]
        assert shown(f"{row['date']} {label(row, 'event', lang)}", svg), row["event"]
    lanes = ("法律", "戦略・計画", "推進組織", "ネットワーク")
    if lang == "en":
        lanes = ("Laws", "Strategies and plans", "Bodies", "Networks")
    assert all(shown(lane, svg) for lane in lanes)


def artists_by_id(fig: Figure) -> dict[str, object]:
    found: dict[str, object] = {}
    for axes in fig.axes:
        for artist in [*axes.lines, *axes.patches]:
            if artist.get_gid():
                found[str(artist.get_gid())] = artist
    return found


def test_timeline_draws_a_month_as_a_month_and_a_day_as_a_day(
    kg: egov_kg.KnowledgeGraph,
) -> None:
    from matplotlib.dates import date2num

    marks = artists_by_id(figure(kg, "timeline", lang="en"))
    rows = kg.query("timeline").rows
    precisions = {row["precision"] for row in rows}
    assert {"day", "month"} <= precisions
    for row in rows:
        mark = marks[element_id(str(row["event"]))]
        first, last = interval(row["date"], str(row["precision"]))
        if row["precision"] == "day":
            assert isinstance(mark, Line2D)
            assert list(mark.get_xdata()) == [date2num(first)]
        else:  # a bar from the first to the end of the last day of the month
            assert isinstance(mark, Rectangle), row["event"]
            assert mark.get_x() == date2num(first)
            assert mark.get_width() == pytest.approx((last - first).days + 1)
            assert mark.get_width() >= 28
        if row["refined_date"] is not None:
            refined = marks[f"{element_id(str(row['event']))}-refined"]
            assert isinstance(refined, Line2D)
            assert list(refined.get_xdata()) == [date2num(row["refined_date"])]


def test_timeline_as_of_ends_there(kg: egov_kg.KnowledgeGraph) -> None:
    svg = draw(kg, "timeline", lang="en", as_of="2001-01-06").decode()  # type: ignore[union-attr]
    for row in kg.query("timeline").rows:
        assert has_id(svg, row["event"]) == (row["earliest"] <= date(2001, 1, 6)), row["event"]


def test_timeline_dot_and_mermaid_hold_every_event(kg: egov_kg.KnowledgeGraph) -> None:
    dot = draw(kg, "timeline", lang="en", fmt="dot")
    gantt = draw(kg, "timeline", lang="en", fmt="mermaid")
    assert isinstance(dot, str) and isinstance(gantt, str)
    for row in kg.query("timeline").rows:
        event = element_id(str(row["event"]))
        assert f'"{event}" [label="{row["date"]} (' in dot
        year = interval(row["date"], str(row["precision"]))[0].year
        assert re.search(rf"\{{\n\t\trank=same\n\t\t\"year-{year}\"[^}}]*\"{event}\"", dot)
        first, last = interval(row["date"], str(row["precision"]))
        tag = "n_" + event.replace("-", "_")
        if row["precision"] == "day":
            assert f":milestone, {tag}, {first.isoformat()}, 0d" in gantt
        else:
            assert f":{tag}, {first.isoformat()}, " in gantt


# ---------------------------------------------------------------------------
# The rankings
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_rankings_show_every_country_in_every_survey(
    kg: egov_kg.KnowledgeGraph, svgs: dict[tuple[str, str], str], lang: str
) -> None:
    svg = svgs["rankings", lang]
    rows = kg.query("rankings").rows
    assert len(rows) >= 25
    for row in rows:
        box = f"{element_id(str(row['survey']))}-{element_id(str(row['country']))}"
        assert f'id="{box}"' in svg, box
        assert shown(f"{row['rank']}{label(row, 'country', lang)}", svg), box
    for survey in {label(row, "survey", lang) for row in rows}:
        assert shown(survey, svg)


def test_rankings_highlight_japan_only(kg: egov_kg.KnowledgeGraph) -> None:
    marks = artists_by_id(figure(kg, "rankings", lang="en"))
    rows = kg.query("rankings").rows
    japan = [row for row in rows if row["iso_code"] == "JP"]
    assert len(japan) == 4
    for row in rows:
        box = marks[f"{element_id(str(row['survey']))}-{element_id(str(row['country']))}"]
        assert isinstance(box, FancyBboxPatch)
        edge = to_hex(box.get_edgecolor())  # type: ignore[attr-defined]
        assert (edge == JAPAN_RED) == (row["iso_code"] == "JP"), row["country"]
    japan_lines = [gid for gid in marks if gid.startswith("country-japan-line-")]
    assert len(japan_lines) == 3
    assert all(to_hex(marks[gid].get_color()) == JAPAN_RED for gid in japan_lines)  # type: ignore[attr-defined]


def test_rankings_are_not_a_graph(kg: egov_kg.KnowledgeGraph) -> None:
    for fmt in ("dot", "mermaid"):
        with pytest.raises(DrawError, match="svg or png"):
            draw(kg, "rankings", fmt=fmt)


# ---------------------------------------------------------------------------
# Fonts, determinism, errors
# ---------------------------------------------------------------------------


def test_a_glyph_no_font_has_is_an_error() -> None:
    chart = OrgChart(
        title="Tangut 𗀀",
        lang="en",
        bodies=(Body(iri="https://w3id.org/egov-kg/id/org/x", label="x"),),
    )
    with pytest.raises(DrawError, match="Glyph .* missing"):
        render(chart_figure(chart), "png")


def test_bytes_are_identical_across_runs_and_hash_seeds(
    kg: egov_kg.KnowledgeGraph, svgs: dict[tuple[str, str], str], tmp_path: Path
) -> None:
    assert draw(kg, "rankings", lang="ja").decode() == svgs["rankings", "ja"]  # type: ignore[union-attr]
    assert 'id="' in svgs["rankings", "ja"] and "<dc:date>" not in svgs["rankings", "ja"]
    for seed, name in (("1", "a"), ("777", "b")):
        done = run_cli(
            ["draw", "org-chart", "--lang", "ja", "-o", str(tmp_path / f"{name}.svg")],
            env={"PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr
    first = (tmp_path / "a.svg").read_bytes()
    assert first == (tmp_path / "b.svg").read_bytes() == svgs["org-chart", "ja"].encode()
    png = draw(kg, "org-chart", lang="ja", fmt="png")
    assert png == draw(kg, "org-chart", lang="ja", fmt="png")
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG") and b"Software" not in png


@pytest.mark.parametrize(("kind", "lang"), [(k, lang) for k in KINDS for lang in LANGS])
def test_readme_pictures_are_what_draw_produces(
    kg: egov_kg.KnowledgeGraph, kind: str, lang: str
) -> None:
    path = REPO / "docs" / "img" / f"{kind}-{lang}.png"
    assert path.is_file(), f"{path} is missing"
    assert path.read_bytes() == draw(kg, kind, lang=lang, fmt="png"), (
        f"{path} is out of date: run `egov-kg draw {kind} --lang {lang} "
        f"-o {path.relative_to(REPO)}` (see docs/README.md, Pictures)"
    )


def test_release_picture_names() -> None:
    assert len(PICTURE_FILES) == 12
    assert "org-chart-ja.svg" in PICTURE_FILES and "rankings-en.png" in PICTURE_FILES


def test_the_cli_writes_each_format(tmp_path: Path) -> None:
    png = tmp_path / "org.png"
    done = run_cli(["draw", "org-chart", "--lang", "en", "--as-of", "2002-01-01", "-o", str(png)])
    assert done.returncode == 0 and done.stdout == b"", done.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
    done = run_cli(["draw", "timeline", "--format", "mermaid"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().startswith("gantt\n    title 電子政府の年表\n")
    dot = tmp_path / "org.gv"
    done = run_cli(["draw", "org-chart", "-o", str(dot)])
    assert done.returncode == 0, done.stderr
    assert dot.read_text(encoding="utf-8").startswith("digraph org_chart {")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["org.gv", "org.png"]  # no temp file


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["draw", "orgchart"], "unknown picture 'orgchart'; expected one of org-chart,"),
        (["draw", "timeline", "--format", "gif"], "unknown format 'gif'; expected one of svg,"),
        (["draw", "org-chart", "--as-of", "2002-02-30"], "the date must be a day as YYYY-MM-DD"),
        (["draw", "org-chart", "--as-of", "yesterday"], "not 'yesterday'"),
        (["draw", "org-chart", "--lang", "fr"], "unknown language 'fr'"),
        (["draw", "rankings", "--as-of", "2004-01-01"], "not the rankings"),
        (["draw", "rankings", "--format", "dot"], "the rankings are drawn as svg or png"),
        (["draw", "timeline", "-o", "timeline.jpg"], "cannot tell the format from the suffix"),
        (["draw", "timeline", "-o", "no/such/folder/t.svg"], "no/such/folder: no such folder"),
    ],
)
def test_the_cli_reports_a_bad_request_in_one_line(
    args: list[str], message: str, tmp_path: Path
) -> None:
    done = run_cli(args, cwd=tmp_path)
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert stderr.startswith("Error: ") and stderr.count("\n") == 1, stderr
    assert message in stderr and "Traceback" not in stderr
    assert done.stdout == b"" and list(tmp_path.iterdir()) == []


def test_draw_is_the_package_function(kg: egov_kg.KnowledgeGraph) -> None:
    import egov_kg.drawing as module

    assert egov_kg.draw(kg, "org-chart", fmt="dot") == module.draw(kg, "org-chart", fmt="dot")


# ---------------------------------------------------------------------------
# The ontology's and the shapes' documentation
# ---------------------------------------------------------------------------


def test_ontology_page_documents_every_class_and_property() -> None:
    ontology = Graph().parse(REPO / "ontology" / "egov.ttl")
    html = ontology_html().decode()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {
        s for kind in kinds for s in ontology.subjects(RDF.type, kind) if isinstance(s, URIRef)
    }
    assert len(terms) >= 60
    for term in sorted(terms):
        assert f"<code>{term}</code>" in html, term
    assert html.startswith("<!DOCTYPE html>") and "pyLODE" in html
    assert "推進体制の機関" in html  # the Japanese labels too
    assert ontology_html() == html.encode()


def test_shapes_page_documents_every_named_shape() -> None:
    shapes = Graph().parse(REPO / "ontology" / "shapes.ttl")
    html = shapes_html().decode()
    named = [s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)]
    named += [s for s in shapes.subjects(RDF.type, SH.SPARQLConstraint) if isinstance(s, URIRef)]
    assert len(named) >= 60
    for shape in named:
        anchor = str(shape).split("#")[-1]
        assert f'<section id="{anchor}">' in html and f"egovsh:{anchor}</h2>" in html, shape
    for message in shapes.objects(None, SH.message):
        escaped = str(message).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped.replace("'", "&#39;").replace('"', "&#34;") in html, message
    assert shapes_html() == html.encode()


def test_drawing_leaves_matplotlib_settings_alone(kg: egov_kg.KnowledgeGraph) -> None:
    import matplotlib

    draw(kg, "rankings", lang="ja", fmt="png")
    assert matplotlib.rcParams["svg.hashsalt"] is None
    assert "IPAexGothic" not in matplotlib.rcParams["font.family"]


def test_release_pictures_are_drawn_once_then_read_back_from_the_cache(
    kg: egov_kg.KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import egov_kg.charts
    from egov_kg.drawing import picture_files

    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(tmp_path))
    drawn = picture_files(kg)
    assert sorted(drawn) == sorted(PICTURE_FILES)
    assert len(list((tmp_path / "pictures").iterdir())) == len(PICTURE_FILES)

    def refuse(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a cached picture was drawn again")

    asked: list[str] = []
    ask = kg.query

    def counted(name: str, /, **params: object) -> object:
        asked.append(name)
        return ask(name, **params)

    monkeypatch.setattr(egov_kg.charts, "render", refuse)
    monkeypatch.setattr(kg, "query", counted)
    assert picture_files(kg) == drawn  # the same bytes, and matplotlib never called
    assert sorted(asked) == sorted(set(asked))  # each query once, for both languages
    assert {"governance-structure", "chairs", "timeline", "rankings"} <= set(asked)
    monkeypatch.undo()
    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(egov_kg.charts, "render", refuse)
    (tmp_path / "pictures" / sorted((tmp_path / "pictures").iterdir())[0].name).unlink()
    with pytest.raises(AssertionError, match="drawn again"):
        picture_files(kg)  # a missing file is drawn again


def test_documentation_pages_are_written_once_then_read_back_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import egov_kg.ontology_docs as docs

    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(tmp_path))
    pages = docs.documentation_files()
    assert pages == {"ontology.html": ontology_html(), "shapes.html": shapes_html()}

    def refuse() -> bytes:
        raise AssertionError("a cached page was written again")

    monkeypatch.setattr(docs, "ontology_html", refuse)
    assert docs.documentation_files() == pages


# ---------------------------------------------------------------------------
# A national graph: the pictures keep a readable part
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def national_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic national graph of 10k triples: over a hundred bodies and events."""
    from egov_kg.synth import write_synthetic

    folder = tmp_path_factory.mktemp("synthetic-10k")
    write_synthetic(10_000, folder, seed=0)
    return folder


@pytest.fixture(scope="module")
def national(national_dir: Path) -> egov_kg.KnowledgeGraph:
    return egov_kg.load(national_dir)


def depths(chart: OrgChart) -> dict[str, int]:
    """Each body's depth under the chart's own parent links (outside parents: -1)."""
    known = {body.iri: body for body in chart.bodies}
    found: dict[str, int] = {}
    for body in chart.bodies:
        depth, parent = 0, body.parent
        while parent in known and not known[parent].outside:
            depth, parent = depth + 1, known[parent].parent
        found[body.iri] = -1 if body.outside else depth
    return found


def test_a_national_org_chart_keeps_the_top_levels(national: egov_kg.KnowledgeGraph) -> None:
    from egov_kg.pictures import MAX_MARKS, org_chart

    every = org_chart(national, "en", max_marks=None)
    part = org_chart(national, "en")
    inside = [body for body in every.bodies if not body.outside]
    kept = [body for body in part.bodies if not body.outside]
    assert len(inside) > MAX_MARKS and len(kept) == MAX_MARKS
    assert part.title == f"{every.title} ({MAX_MARKS} of {len(inside):,} bodies: the top levels)"
    every_depth, kept_iris = depths(every), {body.iri for body in kept}
    deepest = max(every_depth[iri] for iri in kept_iris)
    # every body above the deepest level kept is kept, and a kept body's parent too
    assert {b.iri for b in inside if every_depth[b.iri] < deepest} <= kept_iris
    assert all(body.parent is None or body.parent in {b.iri for b in part.bodies} for body in kept)
    # the part is drawn as it is: its dot has exactly the kept bodies and the new title
    dot = draw(national, "org-chart", lang="en", fmt="dot", max_marks=MAX_MARKS)
    assert isinstance(dot, str) and f"({MAX_MARKS} of {len(inside):,} bodies" in dot
    assert all(element_id(body.iri) in dot for body in kept)
    dropped = [body for body in inside if body.iri not in kept_iris]
    assert dropped and not any(f'"{element_id(body.iri)}"' in dot for body in dropped)


def test_a_national_timeline_keeps_events_evenly_spread(national: egov_kg.KnowledgeGraph) -> None:
    from egov_kg.pictures import timeline

    rows = national.query("timeline").rows
    part = timeline(national, "ja", max_marks=10)
    events = [event.iri for event in part.events]
    assert len(rows) > 100 and len(events) == 10
    wanted = [str(rows[i * (len(rows) - 1) // 9]["event"]) for i in range(10)]
    assert sorted(events) == sorted(wanted)
    assert str(rows[0]["event"]) in events and str(rows[-1]["event"]) in events
    assert part.title.endswith(f"(全 {len(rows):,} 件のうち時間順に均等に選んだ 10 件)")
    assert len(timeline(national, "ja", max_marks=None).events) == len(rows)


def test_the_shipped_pictures_are_whole(kg: egov_kg.KnowledgeGraph) -> None:
    from egov_kg.pictures import org_chart, timeline

    assert org_chart(kg, "en") == org_chart(kg, "en", max_marks=None)
    assert timeline(kg, "en") == timeline(kg, "en", max_marks=None)


def test_the_cli_bound_is_the_library_bound_and_zero_means_every_mark(
    national: egov_kg.KnowledgeGraph, national_dir: Path, tmp_path: Path
) -> None:
    from egov_kg.cli import main
    from egov_kg.pictures import MAX_MARKS

    option = next(p for p in main.commands["draw"].params if p.name == "max_marks")
    assert option.default == MAX_MARKS
    rows = national.query("timeline").rows
    data = ["--lang", "en", "--format", "dot", "--data", str(national_dir)]
    every = run_cli(["draw", "timeline", "--max-marks", "0", *data], cwd=tmp_path)
    assert every.returncode == 0, every.stderr
    assert all(f'"{element_id(row["event"])}"' in every.stdout.decode() for row in rows)
    few = run_cli(["draw", "timeline", "--max-marks", "3", *data], cwd=tmp_path)
    assert few.returncode == 0, few.stderr
    assert f"(3 of {len(rows):,} events" in few.stdout.decode()
    assert few.stdout.decode().count("event-") < every.stdout.decode().count("event-")
    bad = run_cli(["draw", "timeline", "--max-marks", "-1", *data], cwd=tmp_path)
    assert bad.returncode == 2 and "at least 1, not -1" in bad.stderr.decode()
