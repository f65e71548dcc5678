"""The canned queries of ``queries/*.rq``: well formed, and the answers the seed gives.

Every query runs through :func:`run`: ``KnowledgeGraph.query`` on the default engine
(Oxigraph), checked term by term against the reference engine (rdflib). The expectations
below compare values through :func:`plain` (IRIs, dates and labels as strings).
:func:`_execute` runs a query file directly with rdflib, to compare the asserted graph
with the closure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

import egov_kg
from egov_kg.graph import load
from egov_kg.iris import SEARCH_KEYS_GRAPH_IRI
from egov_kg.namespaces import EGOV, RDFS, SKOS, XSD

QUERIES = Path(__file__).resolve().parents[1] / "queries"
_PARAMETER = re.compile(r"\?(__?)([a-z][a-z0-9]*)(?:_(iri|xsd_date|integer))?\b")


def run(name: str, **params: Any) -> list[dict[str, Any]]:
    """Run the canned query ``queries/NAME.rq`` with ``params``; one dict per row.

    Parameters are passed by name as the engine takes them (``body=...``, ``start=...``):
    a resource as its full IRI, a date as ``YYYY-MM-DD`` or a ``date``, a text as typed.
    The query runs on both engines, which must give the same terms in the same order.
    """
    fast, reference = _engines()
    given = {key: value for key, value in params.items() if value is not None}
    result = fast.query(name, **given)
    expected = reference.query(name, **given)
    assert result.variables == expected.variables
    assert _comparable(result) == _comparable(expected), f"{name}{given}: the engines differ"
    return result.rows


def _comparable(result: egov_kg.QueryResult) -> list[tuple[Any, ...]]:
    """The terms of each row; numbers by value (Oxigraph writes ``1.0``^^xsd:decimal as 1)."""
    numeric = {str(XSD[name]) for name in ("decimal", "integer", "double", "float")}
    return [
        tuple(
            (term.datatype.value, Decimal(term.value))
            if isinstance(term, ox.Literal) and term.datatype.value in numeric
            else term
            for term in row
        )
        for row in result.terms
    ]


@cache
def _engines() -> tuple[egov_kg.KnowledgeGraph, egov_kg.KnowledgeGraph]:
    return egov_kg.load(), egov_kg.load(engine="rdflib")


# --- running a query file directly with rdflib ---------------------------------------------


def _search_graph(graph: Graph) -> Dataset:
    """``graph`` as default graph, its search index (keys, then classes) as a named graph.

    The same dataset the engines query, built here independently: one egov:searchKey (NFKC,
    case-folded) per label, then every ``queries/index/*.rq`` run by rdflib on the graph and
    the keys (the class of each keyed resource, the days of each dated event).
    """
    keys = Graph(bind_namespaces="none")
    for predicate in (SKOS.prefLabel, SKOS.altLabel, RDFS.label):
        for subject, label in graph.subject_objects(predicate):
            if isinstance(subject, URIRef) and isinstance(label, Literal):
                keys.add((subject, EGOV.searchKey, Literal(_key(str(label)))))
    keyed = graph + keys
    dataset = Dataset()
    dataset.default_graph += graph
    index = dataset.graph(URIRef(SEARCH_KEYS_GRAPH_IRI))
    index += keys
    for path in sorted((QUERIES / "index").glob("*.rq")):
        index += keyed.query(path.read_text(encoding="utf-8")).graph  # type: ignore[operator]
    return dataset


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


@cache
def _asserted() -> Dataset:
    return _search_graph(load())


@cache
def _prepared(name: str) -> tuple[Query, dict[str, tuple[str, str | None]]]:
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    parameters = {
        match.group(2): (match.group(0)[1:], match.group(3)) for match in _PARAMETER.finditer(body)
    }
    return prepareQuery(text), parameters


def _term(kind: str | None, value: Any) -> URIRef | Literal:
    if kind == "iri":
        return URIRef(str(value))
    if kind == "xsd_date":
        return Literal(
            value.isoformat() if isinstance(value, date) else str(value), datatype=XSD.date
        )
    if kind == "integer":
        return Literal(int(value))
    return Literal(_key(str(value)))


def _execute(graph: Graph, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    query, parameters = _prepared(name)
    unknown = set(params) - set(parameters)
    assert not unknown, f"{name} has no parameters {unknown}; it has {sorted(parameters)}"
    bindings = {
        parameters[key][0]: _term(parameters[key][1], value)
        for key, value in params.items()
        if value is not None
    }
    result = graph.query(query, initBindings=bindings)
    names = [str(v) for v in result.vars or ()]
    return [{n: _python(row[n]) for n in names} for row in result]  # type: ignore[index]


def _python(term: Any) -> Any:
    """What the engine's rows hold: IRIs, plain or tagged strings, dates, numbers, booleans."""
    if term is None or isinstance(term, URIRef):
        return term
    if term.language or term.datatype in (None, XSD.string, XSD.gYear, XSD.gYearMonth):
        return str(term)
    return term.toPython()


# --- comparing rows --------------------------------------------------------------------------

ID = "https://w3id.org/egov-kg/id/"
SHORT = {
    "https://w3id.org/egov-kg/ontology#": "egov:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/ns/org#": "org:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://www.w3.org/2006/time#": "time:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://data.europa.eu/eli/ontology#": "eli:",
}


def plain(value: Any) -> Any:
    """A value as the tests compare it: ``org/cio-council``, ``egov:goal``, ``"2000-11"``, 26."""
    if value is None or isinstance(value, bool | int | Decimal):
        return value
    text = str(value)
    if text.startswith(ID):
        return text.removeprefix(ID)
    for namespace, prefix in SHORT.items():
        if text.startswith(namespace):
            return prefix + text.removeprefix(namespace)
    return text


def table(rows: list[dict[str, Any]], *columns: str) -> list[str]:
    """Each row as one line of its plain values, space-separated; ``-`` for an empty value."""

    def cell(value: Any) -> str:
        value = plain(value)
        if value is None:
            return "-"
        return str(value).lower() if isinstance(value, bool) else str(value)

    return [" ".join(cell(row[column]) for column in columns) for row in rows]


def iri(path: str) -> str:
    """``iri("org/cio-council")`` is the full IRI of egov-org:cio-council."""
    return ID + path


# --- the files ---------------------------------------------------------------------------------

NAMES = [
    "chairs",
    "describe",
    "established-between",
    "governance-structure",
    "laws",
    "members",
    "networks",
    "plans",
    "policy-areas",
    "provenance",
    "rankings",
    "search",
    "statistics",
    "structure-as-of",
    "timeline",
]


def test_the_canned_queries_are_these() -> None:
    assert sorted(path.stem for path in QUERIES.glob("*.rq")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_query_file_is_well_formed(name: str) -> None:
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    prepareQuery(text)  # parses without any prefix given from outside
    lines = text.splitlines()
    assert lines[0].startswith("#+ summary: ") and len(lines[0]) > len("#+ summary: ") + 10
    assert lines[1].startswith("#+ description: ") and len(lines[1]) > 80
    assert lines[2] == "#+ tags:"
    assert re.fullmatch(r"#\+   - [a-z][a-z-]*", lines[3])
    body = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    declared = dict(re.findall(r"(?im)^PREFIX\s+([A-Za-z][\w-]*):\s*<([^>]*)>", body))
    code = re.sub(r"<[^>\s]*>|\"[^\"]*\"", " ", body)  # IRIs and strings are not prefixed names
    used = set(re.findall(r"(?<![\w?$-])([A-Za-z][\w-]*):(?=[\w])", code))
    assert used <= set(declared), f"undeclared prefixes: {sorted(used - set(declared))}"
    assert set(declared) <= used, f"unused prefixes: {sorted(set(declared) - used)}"
    for variable in re.findall(r"[?$]_\w*", code):
        assert re.fullmatch(r"\?__?[a-z][a-z0-9]*(_(iri|xsd_date|integer))?", variable), variable
    assert re.search(r"(?m)^ORDER BY \S", body), "every canned query has a total ORDER BY"


COLUMNS = {
    ("timeline", ()): "event event_ja event_en kind subject subject_ja subject_en date precision "
    "earliest refined_date basis confidence",
    ("governance-structure", ()): "body body_ja body_en parent parent_ja parent_en parent_basis "
    "parent_confidence chair_post chair_holder chair_holder_ja chair_holder_en vice_chair_post "
    "vice_chair_holder vice_chair_holder_ja vice_chair_holder_en established precision earliest "
    "basis confidence",
    ("chairs", ()): "body body_ja body_en role title title_ja title_en post post_ja post_en "
    "holder holder_ja holder_en",
    ("members", (("body", "org/cio-council"),)): "member member_ja member_en kind",
    (
        "established-between",
        (("start", "2002-01-01"), ("end", "2002-12-31")),
    ): "body body_ja body_en parent parent_ja parent_en established precision earliest latest "
    "basis confidence",
    ("structure-as-of", (("date", "2005-06-10"),)): "body body_ja body_en parent parent_ja "
    "parent_en established precision earliest latest basis confidence",
    ("laws", ()): "law law_ja law_en short_name number passed passed_precision passed_refined "
    "promulgated promulgated_precision promulgated_refined in_force in_force_precision "
    "in_force_refined repealed repealed_precision repealed_refined repealed_by repealed_by_ja "
    "repealed_by_en",
    ("plans", ()): "plan plan_ja plan_en kind decided decided_precision decided_refined "
    "decided_by decided_by_ja decided_by_en revised revised_precision revised_refined "
    "period_start period_end version_of part_of basis confidence",
    ("policy-areas", ()): "scheme scheme_ja scheme_en concept concept_ja concept_en notation "
    "definition_ja definition_en owner owner_ja owner_en relation",
    ("networks", ()): "network network_ja network_en kind started precision earliest as_of "
    "participant_count participants_ja participants_en excluded excluded_ja excluded_en "
    "exclusion_reason_ja exclusion_reason_en connects_1 connects_1_ja connects_1_en connects_2 "
    "connects_2_ja connects_2_en",
    ("rankings", ()): "survey survey_ja survey_en year country country_ja country_en iso_code rank",
    ("statistics", ()): "dataset dataset_ja dataset_en scope scope_ja scope_en date precision "
    "earliest measure measure_ja measure_en value staff_covered body_count approximate",
    ("provenance", (("resource", "org/cio-council"),)): "property value value_ja value_en "
    "adopted origin claim source source_ja source_en basis confidence",
    ("search", (("text", "cio"),)): "resource resource_ja resource_en kind",
    ("describe", (("resource", "org/cio-council"),)): "direction property value value_ja value_en",
}


def _params(pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    resources = {"body", "resource"}
    return {key: iri(value) if key in resources else value for key, value in pairs}


@pytest.mark.parametrize(("name", "pairs"), sorted(COLUMNS))
def test_columns(name: str, pairs: tuple[tuple[str, str], ...]) -> None:
    rows = run(name, **_params(pairs))
    assert rows, f"{name} answers nothing"
    assert list(rows[0]) == COLUMNS[name, pairs].split()
    for row in rows:  # a label column holds the label in its language, or nothing
        for column, value in row.items():
            if column.endswith(("_ja", "_en")) and value is not None:
                assert isinstance(value, str) and value.strip()


@pytest.mark.parametrize(
    ("name", "pairs"),
    sorted(key for key in COLUMNS if key[0] not in ("provenance", "describe")),
)
def test_same_rows_on_the_asserted_graph(name: str, pairs: tuple[tuple[str, str], ...]) -> None:
    """Only provenance and describe list the facts OWL-RL infers; the rest need no closure."""
    params = _params(pairs)
    asserted = _execute(_asserted(), name, params)
    assert [{k: plain(v) for k, v in row.items()} for row in asserted] == [
        {k: plain(v) for k, v in row.items()} for row in run(name, **params)
    ]


# --- timeline ----------------------------------------------------------------------------------

TIMELINE = [
    "advanced-info-telecom-society-promotion-headquarters-establishment 1994-08 month -",
    "administrative-informatization-basic-plan-decision 1994-12-25 day -",
    "advanced-info-telecom-society-basic-guidelines-decision 1995-02 month 1995-02-21",
    "kasumigaseki-wan-operation-start 1997-01 month -",
    "administrative-informatization-basic-plan-revision 1997-12-20 day -",
    "advanced-info-telecom-society-basic-guidelines-revision 1998-11 month 1998-11-09",
    "it-strategy-council-2000-establishment 2000-07-07 day -",
    "it-strategy-headquarters-2000-establishment 2000-07-07 day -",
    "it-basic-strategy-decision 2000-11-27 day -",
    "it-basic-act-passage 2000-11 month 2000-11-29",
    "it-basic-act-promulgation 2000-12-06 day -",
    "it-basic-act-entry-into-force 2001-01 month 2001-01-06",
    "it-strategic-headquarters-establishment 2001-01-06 day -",
    "e-japan-strategy-decision 2001-01-22 day -",
    "e-japan-priority-policy-program-decision 2001-03-29 day -",
    "e-japan-2002-program-decision 2001-06-26 day -",
    "information-systems-procurement-conference-establishment 2001-12-06 day -",
    "kasumigaseki-wan-lgwan-interconnection-start 2002-04 month -",
    "e-japan-priority-policy-program-2002-decision 2002-06-18 day -",
    "vehicle-ownership-one-stop-service-council-establishment 2002-08-20 day -",
    "cio-council-establishment 2002-09-18 day -",
    "information-systems-directors-conference-establishment 2002-09-19 day -",
    "cio-council-executive-committee-establishment 2002-11-01 day -",
    "online-administrative-procedures-act-promulgation 2002-12-13 day -",
    "online-administrative-procedures-act-entry-into-force 2003-02-03 day -",
    "e-japan-strategy-ii-decision 2003-07-02 day -",
    "e-government-construction-plan-decision 2003-07-17 day -",
    "e-japan-priority-policy-program-2003-decision 2003-08-08 day -",
    "national-local-e-administration-council-establishment 2003-08-29 day -",
    "cio-advisers-council-establishment 2003-12-26 day -",
    "e-japan-strategy-ii-acceleration-package-decision 2004-02 month -",
    "kasumigaseki-wan-judicial-interconnection-start 2004-04 month -",
    "e-government-construction-plan-revision 2004-06-14 day -",
    "e-japan-priority-policy-program-2004-decision 2004-06-15 day -",
    "it-policy-package-2005-decision 2005-02-24 day -",
    "information-security-policy-council-establishment 2005-05-30 day -",
    "digital-society-basic-act-promulgation 2021-05-19 day -",
    "it-basic-act-repeal 2021-09-01 day -",
]


def _events(rows: list[dict[str, Any]]) -> list[str]:
    return [plain(row["event"]).removeprefix("event/") for row in rows]


def test_timeline_every_dated_event_in_order() -> None:
    rows = run("timeline")
    lines = table(rows, "event", "date", "precision", "refined_date")
    assert [line.removeprefix("event/") for line in lines] == TIMELINE


def test_timeline_kinds_subjects_and_provenance() -> None:
    rows = {plain(row["event"]): row for row in run("timeline")}
    passage = rows["event/it-basic-act-passage"]
    assert table([passage], "kind", "subject", "earliest", "basis", "confidence") == [
        "Passage law/it-basic-act 2000-11-01 concept/basis-stated -"
    ]
    assert passage["subject_ja"] == "高度情報通信ネットワーク社会形成基本法"
    assert passage["event_en"] == "IT Basic Act passed"
    assert {plain(row["kind"]) for row in rows.values()} == {
        "Decision",
        "Revision",
        "Passage",
        "Promulgation",
        "EntryIntoForce",
        "Repeal",
        "Establishment",
        "OperationStart",
    }
    establishment = rows["event/cio-council-executive-committee-establishment"]
    assert table([establishment], "kind", "subject", "basis", "confidence") == [
        "Establishment org/cio-council-executive-committee concept/basis-layout-reading"
        " concept/confidence-medium-low"
    ]


def test_timeline_between_two_days_counts_overlapping_periods() -> None:
    window = run("timeline", start="2000-11-10", end="2001-01-06")
    assert _events(window) == [
        "it-basic-strategy-decision",
        "it-basic-act-passage",
        "it-basic-act-promulgation",
        "it-basic-act-entry-into-force",
        "it-strategic-headquarters-establishment",
    ]
    # The refined days (passed 2000-11-29, in force 2001-01-06) decide, not the months.
    assert _events(run("timeline", start="2000-11-30", end="2001-01-05")) == [
        "it-basic-act-promulgation"
    ]
    # A month with no refined day counts when any of its days is in the range.
    assert _events(run("timeline", start="2004-02-29", end=date(2004, 3, 31))) == [
        "e-japan-strategy-ii-acceleration-package-decision"
    ]
    assert _events(run("timeline", start="2021-01-01")) == [
        "digital-society-basic-act-promulgation",
        "it-basic-act-repeal",
    ]
    assert _events(run("timeline", end="1994-12-31")) == [
        "advanced-info-telecom-society-promotion-headquarters-establishment",
        "administrative-informatization-basic-plan-decision",
    ]


# --- bodies ------------------------------------------------------------------------------------

BODIES = [  # body, parent, established, precision
    "advanced-info-telecom-society-promotion-headquarters cabinet 1994-08 month",
    "it-strategy-council-2000 - 2000-07-07 day",
    "it-strategy-headquarters-2000 - 2000-07-07 day",
    "it-strategic-headquarters cabinet 2001-01-06 day",
    "information-systems-procurement-conference - 2001-12-06 day",
    "vehicle-ownership-one-stop-service-council - 2002-08-20 day",
    "cio-council it-strategic-headquarters 2002-09-18 day",
    "information-systems-directors-conference - 2002-09-19 day",
    "cio-council-executive-committee cio-council 2002-11-01 day",
    "national-local-e-administration-council cio-council 2003-08-29 day",
    "cio-advisers-council cio-council 2003-12-26 day",
    "information-security-policy-council it-strategic-headquarters 2005-05-30 day",
]

READINGS = [  # body: basis and confidence of its date; of its parent, where a claim says
    "advanced-info-telecom-society-promotion-headquarters outside-source high - -",
    "it-strategy-council-2000 outside-source high - -",
    "it-strategy-headquarters-2000 outside-source high - -",
    "it-strategic-headquarters layout-reading high - -",
    "information-systems-procurement-conference layout-reading medium-high - -",
    "vehicle-ownership-one-stop-service-council outside-source medium - -",
    "cio-council layout-reading high layout-reading high",
    "information-systems-directors-conference layout-reading low-medium - -",
    "cio-council-executive-committee layout-reading medium-low layout-reading medium",
    "national-local-e-administration-council layout-reading high layout-reading medium",
    "cio-advisers-council layout-reading medium-high layout-reading medium",
    "information-security-policy-council outside-source high layout-reading high",
]

HOLDERS = [  # body: who holds its chair and vice-chair ex officio
    "advanced-info-telecom-society-promotion-headquarters post/prime-minister -",
    "it-strategy-council-2000 - -",
    "it-strategy-headquarters-2000 - -",
    "it-strategic-headquarters post/prime-minister post/minister-of-state",
    "information-systems-procurement-conference - -",
    "vehicle-ownership-one-stop-service-council - -",
    "cio-council post/assistant-chief-cabinet-secretary"
    " post/director-general-of-administrative-management-bureau",
    "information-systems-directors-conference - -",
    "cio-council-executive-committee post/cabinet-councillor"
    " post/director-of-administrative-information-systems-planning-division",
    "national-local-e-administration-council - -",
    "cio-advisers-council group/experts-in-cio-council -",
    "information-security-policy-council post/chief-cabinet-secretary post/minister-for-it-policy",
]


def _short(lines: list[str], *prefixes: str) -> list[str]:
    """``lines`` without the given prefixes (default: org/, concept/basis-, concept/confidence-)."""
    for prefix in prefixes or ("org/", "concept/basis-", "concept/confidence-"):
        lines = [re.sub(rf"(^| ){re.escape(prefix)}", r"\1", line) for line in lines]
    return lines


def test_governance_structure() -> None:
    rows = run("governance-structure")
    assert _short(table(rows, "body", "parent", "established", "precision")) == BODIES
    readings = table(rows, "body", "basis", "confidence", "parent_basis", "parent_confidence")
    assert _short(readings) == READINGS
    assert _short(table(rows, "body", "chair_holder", "vice_chair_holder")) == HOLDERS
    council = rows[6]
    assert council["body_ja"] == "各府省情報化統括責任者(CIO)連絡会議"
    assert council["parent_en"] == (
        "Strategic Headquarters for the Promotion of an Advanced Information and "
        "Telecommunications Network Society"
    )
    assert table([council], "chair_post", "vice_chair_post", "earliest") == [
        "post/cio-council-chair post/cio-council-vice-chair 2002-09-18"
    ]
    assert council["chair_holder_ja"] == "内閣官房副長官補"
    assert council["vice_chair_holder_en"] == (
        "Director-General of the Administrative Management Bureau, Ministry of Internal "
        "Affairs and Communications"
    )
    assert str(rows[0]["earliest"]) == "1994-08-01"


CHAIRS = [  # body, role, title, holder
    "advanced-info-telecom-society-promotion-headquarters chair 本部長 post/prime-minister",
    "cio-advisers-council chair 主査 group/experts-in-cio-council",
    "cio-council chair 議長 post/assistant-chief-cabinet-secretary",
    "cio-council vice-chair 副議長 post/director-general-of-administrative-management-bureau",
    "cio-council-executive-committee chair 議長 post/cabinet-councillor",
    "cio-council-executive-committee vice-chair 副議長"
    " post/director-of-administrative-information-systems-planning-division",
    "information-security-policy-council chair 議長 post/chief-cabinet-secretary",
    "information-security-policy-council vice-chair 議長代理 post/minister-for-it-policy",
    "it-strategic-headquarters chair 本部長 post/prime-minister",
    "it-strategic-headquarters vice-chair 副本部長 post/minister-of-state",
]


def _chairs(rows: list[dict[str, Any]]) -> list[str]:
    return _short(table(rows, "body", "role", "title_ja", "holder"))


def test_every_chair_and_vice_chair_of_every_body() -> None:
    rows = run("chairs")
    assert _chairs(rows) == CHAIRS
    assert table(rows[7:8], "title", "title_en", "post") == [
        "concept/role-acting-chair acting chair"
        " post/information-security-policy-council-acting-chair"
    ]
    assert (rows[7]["post_ja"], rows[7]["holder_ja"]) == (
        "情報セキュリティ政策会議 議長代理",
        "IT担当大臣",
    )


def test_who_chairs_a_body() -> None:
    rows = run("chairs", body=iri("org/information-security-policy-council"))
    assert [row["holder_en"] for row in rows] == [
        "Chief Cabinet Secretary",
        "Minister in charge of IT policy",
    ]
    assert _chairs(rows) == CHAIRS[6:8]
    assert run("chairs", body=iri("org/vehicle-ownership-one-stop-service-council")) == []


def test_which_bodies_a_post_chairs() -> None:
    assert _chairs(run("chairs", post=iri("post/prime-minister"))) == [CHAIRS[0], CHAIRS[8]]
    assert _chairs(run("chairs", post=iri("post/minister-of-state"))) == [CHAIRS[9]]
    assert _chairs(run("chairs", post=iri("post/minister-for-it-policy"))) == [CHAIRS[7]]
    # The chair post itself also names its row.
    assert _chairs(run("chairs", post=iri("post/cio-council-chair"))) == [CHAIRS[2]]
    both = run("chairs", body=iri("org/it-strategic-headquarters"), post=iri("post/prime-minister"))
    assert _chairs(both) == [CHAIRS[8]]


def test_members_of_the_cio_council() -> None:
    rows = run("members", body=iri("org/cio-council"))
    assert table(rows, "member", "kind") == ["group/ministry-cios group"]
    assert (rows[0]["member_ja"], rows[0]["member_en"]) == (
        "各府省CIO",
        "Chief Information Officers of the ministries",
    )


def test_members_posts_first_then_groups() -> None:
    assert table(
        run("members", body=iri("org/information-security-policy-council")), "member", "kind"
    ) == [
        "post/chair-of-national-public-safety-commission post",
        "post/director-general-of-defense-agency post",
        "post/minister-of-economy-trade-and-industry post",
        "post/minister-of-internal-affairs-and-communications post",
        "group/private-sector-experts group",
    ]
    assert table(run("members", body=iri("org/it-strategic-headquarters")), "member") == [
        "group/all-cabinet-ministers",
        "group/private-sector-experts",
    ]
    assert run("members", body=iri("org/cabinet")) == []


def _bodies(rows: list[dict[str, Any]]) -> list[str]:
    return _short(table(rows, "body"))


def test_structure_as_of_2002_leaves_out_later_bodies() -> None:
    rows = run("structure-as-of", date="2002-01-01")
    assert _bodies(rows) == [
        "advanced-info-telecom-society-promotion-headquarters",
        "it-strategy-council-2000",
        "it-strategy-headquarters-2000",
        "it-strategic-headquarters",
        "information-systems-procurement-conference",
    ]
    assert table(rows[3:4], "parent", "established", "precision", "earliest", "latest") == [
        "org/cabinet 2001-01-06 day 2001-01-06 2001-01-06"
    ]


def test_structure_as_of_counts_a_month_from_its_end() -> None:
    assert _bodies(run("structure-as-of", date="1994-08-30")) == []
    assert _bodies(run("structure-as-of", date=date(1994, 8, 31))) == [
        "advanced-info-telecom-society-promotion-headquarters"
    ]
    assert _bodies(run("structure-as-of", date="2002-09-18")) == [
        "advanced-info-telecom-society-promotion-headquarters",
        "it-strategy-council-2000",
        "it-strategy-headquarters-2000",
        "it-strategic-headquarters",
        "information-systems-procurement-conference",
        "vehicle-ownership-one-stop-service-council",
        "cio-council",
    ]
    # On the deck's own date every body with a founding date exists.
    everything = [line.split()[0] for line in BODIES]
    assert _bodies(run("structure-as-of", date="2005-06-10")) == everything


def test_established_between_september_and_december_2002() -> None:
    rows = run("established-between", start="2002-09-01", end="2002-12-31")
    assert _short(table(rows, "body", "parent", "established", "basis", "confidence")) == [
        "cio-council it-strategic-headquarters 2002-09-18 layout-reading high",
        "information-systems-directors-conference - 2002-09-19 layout-reading low-medium",
        "cio-council-executive-committee cio-council 2002-11-01 layout-reading medium-low",
    ]


def test_established_between_needs_the_whole_period_inside() -> None:
    assert _bodies(run("established-between", start="1994-08-01", end="1994-08-31")) == [
        "advanced-info-telecom-society-promotion-headquarters"
    ]
    assert _bodies(run("established-between", start="1994-08-02", end="1994-12-31")) == []
    assert _bodies(run("established-between", start="1994-01-01", end="1994-08-30")) == []
    assert _bodies(run("established-between", start="2000-07-07", end="2000-07-07")) == [
        "it-strategy-council-2000",
        "it-strategy-headquarters-2000",
    ]


# --- laws and plans ----------------------------------------------------------------------------


def test_laws() -> None:
    rows = run("laws")
    assert table(rows, "law", "short_name", "number", "repealed_by") == [
        "law/it-basic-act IT基本法 平成十二年法律第百四十四号 law/digital-society-basic-act",
        "law/online-administrative-procedures-act 行政手続オンライン化法 - -",
        "law/digital-society-basic-act - 令和三年法律第三十五号 -",
    ]
    assert table(rows, "passed", "passed_precision", "passed_refined") == [
        "2000-11 month 2000-11-29",
        "- - -",
        "- - -",
    ]
    assert table(rows, "promulgated", "promulgated_precision", "promulgated_refined") == [
        "2000-12-06 day -",
        "2002-12-13 day -",
        "2021-05-19 day -",
    ]
    assert table(rows, "in_force", "in_force_precision", "in_force_refined") == [
        "2001-01 month 2001-01-06",
        "2003-02-03 day -",
        "- - -",
    ]
    assert table(rows, "repealed", "repealed_precision", "repealed_refined") == [
        "2021-09-01 day -",
        "- - -",
        "- - -",
    ]
    assert rows[0]["repealed_by_ja"] == "デジタル社会形成基本法"
    assert rows[0]["law_en"] == (
        "Basic Act on the Formation of an Advanced Information and Telecommunications "
        "Network Society"
    )


PLANS = [  # plan, kind, decided, precision, refined day, decided by
    "plan/administrative-informatization-basic-plan Plan 1994-12-25 day - org/cabinet",
    "policy/advanced-info-telecom-society-basic-guidelines PolicyDocument 1995-02 month"
    " 1995-02-21 org/advanced-info-telecom-society-promotion-headquarters",
    "policy/it-basic-strategy PolicyDocument 2000-11-27 day - org/it-strategy-headquarters-2000",
    "policy/e-japan-strategy PolicyDocument 2001-01-22 day - org/it-strategic-headquarters",
    "plan/e-japan-priority-policy-program Plan 2001-03-29 day - org/it-strategic-headquarters",
    "policy/e-japan-2002-program PolicyDocument 2001-06-26 day - org/it-strategic-headquarters",
    "plan/e-japan-priority-policy-program-2002 Plan 2002-06-18 day - org/it-strategic-headquarters",
    "policy/e-japan-strategy-ii PolicyDocument 2003-07-02 day - org/it-strategic-headquarters",
    "plan/e-government-construction-plan Plan 2003-07-17 day - org/cio-council",
    "plan/e-japan-priority-policy-program-2003 Plan 2003-08-08 day - org/it-strategic-headquarters",
    "policy/e-japan-strategy-ii-acceleration-package PolicyDocument 2004-02 month -"
    " org/it-strategic-headquarters",
    "plan/e-japan-priority-policy-program-2004 Plan 2004-06-15 day - org/it-strategic-headquarters",
    "policy/it-policy-package-2005 PolicyDocument 2005-02-24 day - org/it-strategic-headquarters",
    "plan/ministry-plans Plan - - - -",
    "plan/priority-policy-program Plan - - - -",
]


def test_plans() -> None:
    rows = run("plans")
    columns = ("plan", "kind", "decided", "decided_precision", "decided_refined", "decided_by")
    assert table(rows, *columns) == PLANS
    revised = table(rows, "plan", "revised", "revised_precision", "revised_refined")
    assert [line for line in revised if not line.endswith(" - - -")] == [
        "plan/administrative-informatization-basic-plan 1997-12-20 day -",
        "policy/advanced-info-telecom-society-basic-guidelines 1998-11 month 1998-11-09",
        "plan/e-government-construction-plan 2004-06-14 day -",
    ]
    links = table(rows, "plan", "version_of", "part_of", "period_start", "period_end")
    assert [line for line in links if not line.endswith(" - - - -")] == [
        "plan/e-japan-priority-policy-program plan/priority-policy-program - - -",
        "plan/e-japan-priority-policy-program-2002 plan/priority-policy-program - - -",
        "plan/e-government-construction-plan - - 2003-04-01 2006-03-31",
        "plan/e-japan-priority-policy-program-2003 plan/priority-policy-program - - -",
        "plan/e-japan-priority-policy-program-2004 plan/priority-policy-program - - -",
        "plan/ministry-plans - plan/e-government-construction-plan - -",
    ]
    construction = rows[8]
    assert construction["decided_by_ja"] == "各府省情報化統括責任者(CIO)連絡会議"
    assert table([construction], "basis", "confidence") == ["concept/basis-stated -"]


def test_policy_areas() -> None:
    rows = run("policy-areas")
    areas = table(rows, "owner", "relation", "notation", "concept")
    assert _short(areas, "concept/") == [
        "law/it-basic-act priority-area 1 priority-area-world-class-networks",
        "law/it-basic-act priority-area 2 priority-area-education-and-human-resources",
        "law/it-basic-act priority-area 3 priority-area-electronic-commerce",
        "law/it-basic-act priority-area 4 priority-area-e-government",
        "law/it-basic-act priority-area 5 priority-area-network-security-and-reliability",
        "plan/e-government-construction-plan goal 1 goal-user-oriented-administrative-services",
        "plan/e-government-construction-plan goal 2 goal-simple-budget-efficient-government",
        "plan/e-government-construction-plan basic-policy 1 basic-policy-convenience-and-services",
        "plan/e-government-construction-plan basic-policy 2 basic-policy-operational-reform",
        "plan/e-government-construction-plan basic-policy 3 basic-policy-common-environment",
        "plan/ministry-plans basic-policy 1 basic-policy-convenience-and-services",
        "plan/ministry-plans basic-policy 2 basic-policy-operational-reform",
        "plan/ministry-plans basic-policy 3 basic-policy-common-environment",
    ]
    assert sorted(set(table(rows, "scheme"))) == [
        "scheme/e-government-construction-plan-basic-policies",
        "scheme/e-government-construction-plan-goals",
        "scheme/it-basic-act-priority-policy-areas",
    ]
    assert [row["concept_ja"] for row in rows[:5]] == [
        "世界最高水準の高度情報通信ネットワークの形成",
        "教育・学習の振興と人材育成",
        "電子商取引等の推進",
        "行政の情報化(電子政府の構築)",
        "高度情報通信ネットワークの安全性、信頼性の確保",
    ]
    assert rows[5]["concept_ja"] == "利用者本位の行政サービスの提供"
    assert rows[7]["definition_ja"].startswith("国民が、24時間365日ノンストップで")
    assert rows[0]["definition_ja"] is None
    assert rows[0]["owner_ja"] == "高度情報通信ネットワーク社会形成基本法"


# --- networks, rankings, statistics ------------------------------------------------------------


def test_networks() -> None:
    rows = run("networks")
    assert table(rows, "network", "kind", "started", "precision") == [
        "network/kasumigaseki-wan Network 1997-01 month",
        "network/judicial-information-communication-system Network - -",
        "network/lgwan Network - -",
        "network/kasumigaseki-wan-lgwan-interconnection Interconnection 2002-04 month",
        "network/kasumigaseki-wan-judicial-interconnection Interconnection 2004-04 month",
    ]
    assert table(rows, "earliest") == ["1997-01-01", "-", "-", "2002-04-01", "2004-04-01"]
    assert table(rows, "as_of", "participant_count", "excluded", "connects_1", "connects_2") == [
        "2004-10 30 - - -",
        "- - - - -",
        "2004-10 - org/miyake-village - -",
        "- - - network/kasumigaseki-wan network/lgwan",
        "- - - network/judicial-information-communication-system network/kasumigaseki-wan",
    ]
    assert rows[0]["participants_ja"] == "全本省庁等30機関が利用"
    assert (rows[2]["excluded_ja"], rows[2]["exclusion_reason_ja"]) == (
        "東京都三宅村",
        "災害による全島避難のため",
    )
    assert rows[3]["connects_2_en"] == "Local Government Wide Area Network"


def test_japan_rank_in_each_survey() -> None:
    rows = run("rankings", country=iri("country/japan"))
    assert table(rows, "survey", "year", "country", "iso_code", "rank") == [
        "survey/un-2002 2002 country/japan JP 26",
        "survey/un-2003 2003 country/japan JP 18",
        "survey/un-2004 2004 country/japan JP 18",
        "survey/waseda-2004 2004 country/japan JP 7",
    ]
    assert [row["rank"] for row in rows] == [26, 18, 18, 7]
    assert {row["country_ja"] for row in rows} == {"日本"}


def test_rankings_of_one_survey_and_of_all() -> None:
    waseda = run("rankings", survey=iri("survey/waseda-2004"))
    assert table(waseda, "rank", "iso_code") == [
        "1 US",
        "2 CA",
        "3 SG",
        "4 FI",
        "5 SE",
        "6 AU",
        "7 JP",
        "10 GB",
        "11 KR",
    ]
    everything = run("rankings")
    assert len(everything) == 31
    assert table(everything[:7], "survey", "rank", "iso_code") == [
        "survey/un-2002 1 US",
        "survey/un-2002 2 AU",
        "survey/un-2002 3 NZ",
        "survey/un-2002 4 SG",
        "survey/un-2002 5 NO",
        "survey/un-2002 15 KR",
        "survey/un-2002 26 JP",
    ]
    assert (everything[0]["survey_en"], everything[0]["country_en"]) == (
        "UN survey 2002",
        "United States",
    )
    one = run("rankings", country=iri("country/japan"), survey=iri("survey/un-2003"))
    assert table(one, "survey", "rank") == ["survey/un-2003 18"]


def test_statistics() -> None:
    rows = run("statistics")
    assert _short(table(rows, "dataset", "scope", "date", "precision"), "concept/scope-") == [
        "dataset/computer-provision local-governments 2001 fiscal-year",
        "dataset/computer-provision municipalities 2001 fiscal-year",
        "dataset/computer-provision prefectures 2001 fiscal-year",
        "dataset/computer-provision all-national-administrative-organs 2002-04-01 day",
        "dataset/computer-provision ministry-headquarters 2002-04-01 day",
        "dataset/lan-coverage designated-cities 2002-04-01 day",
        "dataset/lan-coverage local-governments 2002-04-01 day",
        "dataset/lan-coverage ministry-headquarters 2002-04-01 day",
        "dataset/lan-coverage prefectures 2002-04-01 day",
        "dataset/lan-coverage regional-branch-offices 2002-04-01 day",
    ]
    values = ("measure", "value", "staff_covered", "body_count", "approximate")
    # Oxigraph stores numbers by value: the data's "1.0"^^xsd:decimal comes back as 1.
    assert table(rows, *values) == [
        "egov:personsPerComputer 1.5 - - -",
        "egov:personsPerComputer 1.7 - - -",
        "egov:personsPerComputer 1.1 - - -",
        "egov:personsPerComputer 1.3 427000 - -",
        "egov:personsPerComputer 0.9 51000 - -",
        "egov:coverageRatio 1 - - false",
        "egov:coverageRatio 0.888 - 2924 false",
        "egov:coverageRatio 1 - - false",
        "egov:coverageRatio 1 - - false",
        "egov:coverageRatio 0.5 - - true",
    ]
    assert [row["value"] for row in rows[3:7]] == [
        Decimal("1.3"),
        Decimal("0.9"),
        Decimal("1.0"),
        Decimal("0.888"),
    ]
    assert rows[3]["staff_covered"] == 427000 and rows[9]["approximate"] is True
    first = rows[0]
    assert (first["dataset_ja"], first["scope_en"], first["measure_ja"], first["measure_en"]) == (
        "パソコン整備率",
        "Local governments (all)",
        "パソコン1台当たり人数",
        "persons per computer",
    )


# --- provenance, search, describe --------------------------------------------------------------

SLIDE_7 = "slide/building-e-government-2005-07"
NOTES = "source/egov-kg-reading-notes"


def _facts(rows: list[dict[str, Any]], prop: str) -> list[str]:
    """value, adopted, claim, source, basis, confidence of the rows about ``prop``."""
    chosen = [row for row in rows if plain(row["property"]) == prop]
    columns = ("value", "adopted", "claim", "source", "basis", "confidence")
    return _short(table(chosen, *columns))


def test_provenance_of_the_executive_committee() -> None:
    rows = run("provenance", resource=iri("org/cio-council-executive-committee"))
    claim = "claim/cio-council-executive-committee-parent"
    # The parent is a reading of the lost layout, with a claim of its own.
    assert _facts(rows, "org:subOrganizationOf") == [
        f"cio-council true {claim} {SLIDE_7} layout-reading medium",
        f"cio-council true {claim} {NOTES} layout-reading medium",
    ]
    # Other facts take the body's own provenance: stated on slide 7.
    assert _facts(rows, "egov:hasMember") == [
        f"group/ministry-policy-division-directors true - {SLIDE_7} stated -"
    ]
    assert _facts(rows, "skos:altLabel") == [f"幹事会 true - {SLIDE_7} stated -"]
    assert {row["adopted"] for row in rows} == {True}
    assert not {plain(row["property"]) for row in rows} & {
        "prov:wasDerivedFrom",
        "dcterms:source",
        "egov:basis",
        "egov:confidence",
        "egov:searchKey",
    }
    parent = next(row for row in rows if plain(row["property"]) == "org:subOrganizationOf")
    assert (
        parent["value_en"]
        == "Liaison Conference of the Chief Information Officers of the Ministries"
    )
    assert plain(parent["origin"]) == claim


def test_provenance_keeps_the_swapped_date_reading_as_not_adopted() -> None:
    rows = run("provenance", resource=iri("event/cio-council-executive-committee-establishment"))
    swapped = "claim/cio-council-executive-committee-establishment-swapped"
    assert _facts(rows, "time:hasTime") == [
        f"period/2002-09-19 false {swapped} {SLIDE_7} layout-reading low",
        f"period/2002-09-19 false {swapped} {NOTES} layout-reading low",
        f"period/2002-11-01 true - {SLIDE_7} layout-reading medium-low",
        f"period/2002-11-01 true - {NOTES} layout-reading medium-low",
    ]
    dates = [row for row in rows if plain(row["property"]) == "time:hasTime"]
    assert [row["value_en"] for row in dates] == ["19 September 2002"] * 2 + ["1 November 2002"] * 2
    assert [row["adopted"] for row in rows].count(False) == 2


def test_provenance_of_inverse_facts_and_literal_claims() -> None:
    council = run("provenance", resource=iri("org/cio-council"))
    children = [row for row in council if plain(row["property"]) == "org:hasSubOrganization"]
    lines = table(children, "value", "claim", "confidence")
    assert sorted(set(_short(lines, "org/", "claim/", "concept/confidence-"))) == [
        "cio-advisers-council cio-advisers-council-parent medium",
        "cio-council-executive-committee cio-council-executive-committee-parent medium",
        "national-local-e-administration-council national-local-e-administration-council-parent"
        " medium",
    ]
    act = run("provenance", resource=iri("law/it-basic-act"))
    assert _facts(act, "eli:id_local") == [
        f"平成十二年法律第百四十四号 true claim/it-basic-act-law-number {NOTES} outside-source high"
    ]
    # Repealed in 2021: known from the repealing act, not from the 2005 deck.
    assert _facts(act, "eli:repealed_by") == [
        f"law/digital-society-basic-act true - {NOTES} outside-source high"
    ]
    repealed_by = [row for row in act if plain(row["property"]) == "eli:repealed_by"]
    assert table(repealed_by, "origin") == ["law/digital-society-basic-act"]


def test_search_full_width_input() -> None:
    cio = {plain(row["resource"]): row for row in run("search", text="ＣＩＯ")}
    assert sorted(name for name in cio if name.startswith("org/")) == [
        "org/cio-advisers-council",
        "org/cio-council",
        "org/cio-council-executive-committee",
    ]
    council = cio["org/cio-council"]
    assert (council["resource_ja"], council["resource_en"], council["kind"]) == (
        "各府省情報化統括責任者(CIO)連絡会議",
        "Liaison Conference of the Chief Information Officers of the Ministries",
        "PromotionBody",
    )
    assert cio["group/ministry-cios"]["kind"] == "MemberGroup"
    assert cio["event/cio-council-establishment"]["kind"] == "Establishment"
    assert cio["claim/cio-council-parent"]["kind"] == "Statement"
    assert table(run("search", text="ｉｔ戦略本部"), "resource", "kind") == [
        "claim/cio-council-parent Statement",
        "claim/information-security-policy-council-parent Statement",
        "event/it-strategic-headquarters-establishment Establishment",
        "org/it-strategic-headquarters PromotionBody",
        "post/it-strategic-headquarters-head Post",
        "source/kantei-it-headquarters-legal-basis BibliographicResource",
    ]


def test_search_is_case_blind_and_names_the_most_specific_class() -> None:
    lgwan = dict(
        line.split() for line in table(run("search", text="ｌｇｗａｎ"), "resource", "kind")
    )
    assert lgwan["network/lgwan"] == "Network"
    assert lgwan["network/lgwan-participation-2004-10"] == "ParticipationStatus"
    assert lgwan["network/kasumigaseki-wan-lgwan-interconnection"] == "Interconnection"
    japan = dict(line.split() for line in table(run("search", text="Japan"), "resource", "kind"))
    assert japan["country/japan"] == "Country"
    plans = dict(line.split() for line in table(run("search", text="計画"), "resource", "kind"))
    assert plans["plan/e-government-construction-plan"] == "Plan"
    assert plans["event/e-government-construction-plan-revision"] == "Revision"
    assert plans["scheme/e-government-construction-plan-goals"] == "ConceptScheme"
    assert run("search", text="no such words anywhere") == []
    assert run("search", text='") } UNION { ?resource ?p ?o } #') == []


def test_describe_the_cio_council() -> None:
    rows = run("describe", resource=iri("org/cio-council"))
    triples = table(rows, "direction", "property", "value")
    assert {
        "out org:subOrganizationOf org/it-strategic-headquarters",
        "out egov:hasMember group/ministry-cios",
        "out org:classification concept/body-type-liaison-conference",
        f"out prov:wasDerivedFrom {SLIDE_7}",
        "out org:hasSubOrganization org/cio-advisers-council",  # inferred inverse
        "out org:transitiveSubOrganizationOf org/cabinet",  # inferred, transitive
        "in egov:decidedBy event/e-government-construction-plan-decision",
        "in org:postIn post/cio-council-chair",
        "in org:postIn post/cio-council-vice-chair",
        "in org:subOrganizationOf org/cio-council-executive-committee",
        "in egov:groupedUnder concept/system-related-ministries-councils",
        "in rdf:subject claim/cio-council-parent",
        "in rdf:object claim/cio-advisers-council-parent",
    } <= set(triples)
    labels = [row["value"] for row in rows if plain(row["property"]) == "skos:altLabel"]
    assert sorted(labels) == ["CIO Council", "CIO連絡会議"]
    assert not [line for line in triples if " egov:searchKey " in line]
    directions = [row["direction"] for row in rows]
    assert directions == ["out"] * directions.count("out") + ["in"] * directions.count("in")
    chair = next(row for row in rows if plain(row["value"]) == "post/cio-council-chair")
    assert (chair["value_ja"], chair["value_en"]) == (
        "CIO連絡会議 議長",
        "Chair of the CIO Council",
    )
    assert len(set(triples)) == len(triples)
