"""The Python API of canned queries: parameters, resolution, results and the closure cache.

These tests use a few small queries written here, so that the engine is tested apart from
the shipped queries (whose answers ``test_queries.py`` checks).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

import egov_kg
from egov_kg import reasoning
from egov_kg.namespaces import EGOV, OWL, RDF, RDFS, XSD
from egov_kg.queries import CannedQuery, ParameterError, QueryError, UnknownQueryError
from egov_kg.resources import data_files
from egov_kg.results import LangString, Year, YearMonth

ORG = "https://w3id.org/egov-kg/id/org/"

PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX egov: <https://w3id.org/egov-kg/ontology#>
"""

QUERIES = {
    "parents.rq": """#+ summary: The parent bodies of a body.
#+ description: One row per parent; needs the closure for org:hasSubOrganization.
#+ tags:
#+   - governance
#+   - needs-inference
"""
    + PREFIXES
    + """SELECT ?parent ?parent_ja ?parent_en WHERE {
    ?parent org:hasSubOrganization ?_body_iri .
    OPTIONAL { ?parent skos:prefLabel ?parent_ja FILTER (LANG(?parent_ja) = "ja") }
    OPTIONAL { ?parent skos:prefLabel ?parent_en FILTER (LANG(?parent_en) = "en") }
} ORDER BY ?parent
""",
    "dates.rq": """#+ summary: Dated events between two days.
#+ tags:
#+   - time
"""
    + PREFIXES
    + """SELECT ?event ?date ?earliest WHERE {
    ?event time:hasTime ?t . ?t egov:date ?date ; egov:earliestDay ?earliest ; egov:latestDay ?l .
    FILTER (COALESCE(?l >= ?__start_xsd_date, true))
    FILTER (COALESCE(?earliest <= ?__end_xsd_date, true))
} ORDER BY ?earliest ?event
""",
    "ranks.rq": """#+ summary: Observations with a rank at most N.
#+ tags:
#+   - rankings
"""
    + PREFIXES
    + """SELECT ?obs ?rank WHERE { ?obs egov:rank ?rank FILTER (?rank <= ?_top_integer) }
ORDER BY ?rank ?obs
""",
    "find.rq": """#+ summary: Resources whose label contains a text.
#+ tags:
#+   - search
"""
    + PREFIXES
    + """SELECT DISTINCT ?resource WHERE {
    GRAPH ?index { ?resource egov:searchKey ?key }
    FILTER (CONTAINS(?key, ?_text))
} ORDER BY ?resource
""",
}


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> egov_kg.KnowledgeGraph:
    folder = tmp_path_factory.mktemp("queries")
    for name, text in QUERIES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return egov_kg.load(queries=folder)


def test_queries_are_listed_with_summary_and_parameters(kg: egov_kg.KnowledgeGraph) -> None:
    assert sorted(kg.queries) == ["dates", "find", "parents", "ranks"]
    parents = kg.queries["parents"]
    assert parents.summary == "The parent bodies of a body."
    assert parents.tags == ("governance", "needs-inference")
    assert parents.needs_inference
    assert [(p.name, p.kind, p.required) for p in parents.parameters] == [("body", "iri", True)]
    dates = kg.queries["dates"]
    assert [(p.name, p.kind, p.required) for p in dates.parameters] == [
        ("start", "date", False),
        ("end", "date", False),
    ]


@pytest.mark.parametrize(
    "body",
    [
        f"{ORG}cio-council",
        f"<{ORG}cio-council>",
        "egov-org:cio-council",
        "各府省情報化統括責任者(CIO)連絡会議",
        "CIO連絡会議",
        "CIO Council",
        "cio council",
        "ＣＩＯ連絡会議",  # full-width Latin letters
        "  Liaison Conference of the Chief Information Officers of the Ministries ",
        URIRef(f"{ORG}cio-council"),
    ],
)
def test_a_resource_parameter_by_iri_prefixed_name_or_label(
    kg: egov_kg.KnowledgeGraph, body: str
) -> None:
    result = kg.query("parents", body=body)
    assert result.column("parent") == [URIRef(f"{ORG}it-strategic-headquarters")]
    (row,) = result.rows
    assert row["parent_ja"] == "高度情報通信ネットワーク社会推進戦略本部"
    assert isinstance(row["parent_ja"], LangString) and row["parent_ja"].lang == "ja"
    assert row["parent_en"].lang == "en"


def test_inferred_parents_are_transitive_only_through_hassuborganization(
    kg: egov_kg.KnowledgeGraph,
) -> None:
    assert kg.query("parents", body="CIO補佐官等連絡会議").column("parent") == [
        URIRef(f"{ORG}cio-council")
    ]


def test_an_ambiguous_label_lists_the_candidates(kg: egov_kg.KnowledgeGraph) -> None:
    with pytest.raises(ParameterError) as caught:
        kg.query("parents", body="幹事会")
    message = str(caught.value)
    assert "ambiguous" in message
    assert "egov-org:cio-council-executive-committee" in message
    assert "egov-concept:body-type-executive-committee" in message


def test_an_unknown_label_suggests_the_closest(kg: egov_kg.KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match=r"nothing is labelled 'CIO連絡会義'.*CIO連絡会議"):
        kg.query("parents", body="CIO連絡会義")


def test_unknown_iri_and_prefixed_name(kg: egov_kg.KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="no resource egov-org:nowhere"):
        kg.query("parents", body="egov-org:nowhere")
    with pytest.raises(ParameterError, match="no resource <https://example.org/x>"):
        kg.query("parents", body="https://example.org/x")


@pytest.mark.parametrize("value", ["2002-13-01", "2002-02-30", "2002/01/01", "2002-1-1", "x"])
def test_a_malformed_date_says_what_was_expected(kg: egov_kg.KnowledgeGraph, value: str) -> None:
    with pytest.raises(ParameterError, match=r"start: expected a date as YYYY-MM-DD"):
        kg.query("dates", start=value)


@pytest.mark.parametrize("value", ["1.5", "three", "", "１0x"])
def test_a_malformed_integer_says_what_was_expected(kg: egov_kg.KnowledgeGraph, value: str) -> None:
    if value == "":
        with pytest.raises(ParameterError, match="needs 'top'"):
            kg.query("ranks", top=value)
        return
    with pytest.raises(ParameterError, match="top: expected an integer"):
        kg.query("ranks", top=value)


def test_missing_unknown_parameter_and_query(kg: egov_kg.KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="needs 'body'"):
        kg.query("parents")
    with pytest.raises(ParameterError, match="has no parameter 'colour'"):
        kg.query("parents", body="CIO Council", colour="red")
    with pytest.raises(UnknownQueryError, match="no canned query 'nope'.*parents"):
        kg.query("nope")


def test_optional_dates_filter_and_dates_keep_their_precision(kg: egov_kg.KnowledgeGraph) -> None:
    everything = kg.query("dates")
    window = kg.query("dates", start="2002-04-15", end=date(2002, 9, 18))
    assert 0 < len(window) < len(everything)
    dates = {str(row["event"]).rsplit("/", 1)[1]: row["date"] for row in window}
    # 2002-04 (a month) overlaps a window starting on the 15th; it stays a month.
    assert dates["kasumigaseki-wan-lgwan-interconnection-start"] == YearMonth(2002, 4)
    assert dates["cio-council-establishment"] == date(2002, 9, 18)
    assert "information-systems-directors-conference-establishment" not in dates  # 09-19
    years = {type(row["date"]) for row in everything}
    assert years == {date, YearMonth}  # no event is stated to the year only
    assert isinstance(everything.rows[0]["earliest"], date)


def test_integers_bind_as_integers(kg: egov_kg.KnowledgeGraph) -> None:
    ranks = kg.query("ranks", top="1").column("rank")
    assert ranks == [1, 1, 1, 1]
    assert len(kg.query("ranks", top=5)) == 4 * 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＣＩＯ補佐官", f"{ORG}cio-advisers-council"),
        ("cio advisers", f"{ORG}cio-advisers-council"),
        ("ｌｇｗａｎ", "https://w3id.org/egov-kg/id/network/lgwan"),
    ],
)
def test_search_texts_are_nfkc_and_case_folded(
    kg: egov_kg.KnowledgeGraph, text: str, expected: str
) -> None:
    assert URIRef(expected) in kg.query("find", text=text).column("resource")


def test_injection_payloads_stay_literals(kg: egov_kg.KnowledgeGraph) -> None:
    for payload in ['") } UNION { ?resource ?p ?o } #', "' || true || '", "\n}\t"]:
        assert kg.query("find", text=payload).rows == []


def test_search_keys_stay_out_of_the_graph_and_exports(kg: egov_kg.KnowledgeGraph) -> None:
    kg.query("find", text="cio")
    assert not list(kg.asserted.triples((None, EGOV.searchKey, None)))
    assert not list(kg.closure.triples((None, EGOV.searchKey, None)))


def test_results_as_sparql_json_csv_tsv(kg: egov_kg.KnowledgeGraph) -> None:
    result = kg.query("parents", body="CIO Council")
    document = json.loads(result.to_json())
    assert document["head"]["vars"] == ["parent", "parent_ja", "parent_en"]
    (binding,) = document["results"]["bindings"]
    assert binding["parent"] == {"type": "uri", "value": f"{ORG}it-strategic-headquarters"}
    assert binding["parent_ja"]["xml:lang"] == "ja"
    rows = list(csv.reader(io.StringIO(result.to_csv())))
    assert rows[0] == ["parent", "parent_ja", "parent_en"]
    assert rows[1][1] == "高度情報通信ネットワーク社会推進戦略本部"
    tsv = result.to_tsv().splitlines()
    assert tsv[0] == "?parent\t?parent_ja\t?parent_en"
    assert tsv[1].split("\t")[:2] == [
        f"<{ORG}it-strategic-headquarters>",
        '"高度情報通信ネットワーク社会推進戦略本部"@ja',
    ]
    dates = kg.query("dates", start="2003-07-17", end="2003-07-17")
    assert '"2003-07-17"^^<http://www.w3.org/2001/XMLSchema#date>' in dates.to_tsv()
    assert dates.to_json() == kg.query("dates", start="2003-07-17", end="2003-07-17").to_json()


def test_results_as_a_dataframe(kg: egov_kg.KnowledgeGraph) -> None:
    pandas = pytest.importorskip("pandas", reason="pandas is in the test extra")
    frame = kg.query("ranks", top=2).to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["obs", "rank"]
    assert frame["rank"].tolist() == [1, 1, 1, 1, 2, 2, 2, 2]


def test_sparql_select_ask_construct(kg: egov_kg.KnowledgeGraph) -> None:
    select = kg.sparql(
        "SELECT ?o WHERE { <https://w3id.org/egov-kg/id/period/2000-11> "
        "<https://w3id.org/egov-kg/ontology#date> ?o }"
    )
    assert isinstance(select, egov_kg.QueryResult)
    assert select.column("o") == [YearMonth(2000, 11)]
    assert kg.sparql("ASK { ?x a <http://www.w3.org/ns/org#Post> }") is True
    built = kg.sparql(
        "CONSTRUCT { ?a <http://www.w3.org/ns/org#hasSubOrganization> ?b } "
        "WHERE { ?b <http://www.w3.org/ns/org#subOrganizationOf> ?a }"
    )
    assert isinstance(built, Graph) and len(built) >= 6
    with pytest.raises(QueryError, match="SPARQL"):
        kg.sparql("SELECT ?x WHERE { ?x ")


def test_python_values() -> None:
    from egov_kg.results import to_python

    assert to_python(Literal("2004", datatype=XSD.gYear)) == Year(2004)
    assert str(to_python(Literal("2004-10", datatype=XSD.gYearMonth))) == "2004-10"
    assert to_python(Literal("0.888", datatype=XSD.decimal)) == Decimal("0.888")
    assert to_python(Literal(True)) is True
    assert to_python(None) is None


def test_query_headers_are_read_as_grlc_decorators() -> None:
    query = CannedQuery.from_text(
        "q",
        "#+ summary: S\n#+ description: D\n#+ tags:\n#+   - a\n#+   - b\n"
        "SELECT * WHERE { ?s ?p ?__o_xsd_date . FILTER(?s = ?_who_iri || ?_name_en = ?p "
        "|| ?__n_integer = 1 || ?_t = 2) }",
    )
    assert (query.summary, query.description, query.tags) == ("S", "D", ("a", "b"))
    assert [(p.name, p.kind, p.required, p.extra) for p in query.parameters] == [
        ("who", "iri", True, None),
        ("name", "lang", True, "en"),
        ("t", "text", True, None),
        ("o", "date", False, None),
        ("n", "integer", False, None),
    ]
    with pytest.raises(QueryError, match="summary"):
        CannedQuery.from_text("q", "SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match=r"BOUND\(\?__o_iri.*COALESCE"):
        CannedQuery.from_text(
            "q", "#+ summary: S\nSELECT ?s WHERE { ?s ?p ?o FILTER (!BOUND(?__o_iri)) }"
        )


def test_optional_parameters_filter_on_both_engines() -> None:
    """A given optional parameter narrows the rows; one not given leaves them all."""
    for engine in ("oxigraph", "rdflib"):
        kg = egov_kg.load(engine=engine)  # type: ignore[arg-type]
        everything = kg.query("rankings")
        japan = kg.query("rankings", country="JP")
        assert 0 < len(japan) < len(everything), engine
        assert {row["country_en"] for row in japan} == {"Japan"}, engine


# --- the closure ------------------------------------------------------------------------------


def test_closure_has_no_axiomatic_noise() -> None:
    kg = egov_kg.load()
    closure = kg.closure
    vocabularies = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
    junk = [
        t
        for t in closure
        if t not in kg.asserted
        and (
            isinstance(t[0], Literal)
            or str(t[0]).startswith(vocabularies)
            or (t[1] == OWL.sameAs and t[0] == t[2])
            or (t[1] == RDF.type and t[2] in (OWL.Thing, RDFS.Resource))
        )
    ]
    assert junk == []
    assert len(closure) > len(kg.asserted)
    assert all(t in closure for t in kg.asserted)


def test_the_closure_is_computed_once_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(tmp_path / "cache"))
    first = egov_kg.load(inferred=True).graph
    cached = list((tmp_path / "cache").glob("closure-*.nt"))
    assert len(cached) == 1

    def fail(graph: Graph) -> Graph:
        raise AssertionError("the closure was computed again")

    monkeypatch.setattr(reasoning, "closure", fail)
    second = egov_kg.load(inferred=True).graph
    assert set(second) == set(first)


def test_a_changed_input_is_not_served_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    for source in data_files():
        (data / source.name).write_bytes(source.read_bytes())
    egov_kg.load(data, inferred=True)
    networks = data / "networks.ttl"
    networks.write_text(
        networks.read_text(encoding="utf-8").replace(
            "egov:participantCount 30", "egov:participantCount 31"
        ),
        encoding="utf-8",
    )
    closure = egov_kg.load(data, inferred=True).graph
    assert len(list((tmp_path / "cache").glob("closure-*.nt"))) == 2
    counts = {o for o in closure.objects(None, EGOV.participantCount)}
    assert counts == {Literal(31)}
