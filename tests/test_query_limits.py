"""Hostile queries: refused before they run, stopped at their time limit, cut at their size.

Each path a query can take is tried: the Python API (both engines), the command line and
the server (``/sparql`` GET and POST, ``update=``). A loopback listener stands for a remote
server or a local service: no query may connect to it. Inference is bounded too: an
``owl:sameAs`` explosion stops with an error.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import httpx
import owlrl
import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import OWL

import egov_kg
from conftest import run_cli
from egov_kg.cli import main
from egov_kg.engine import ResultLimitError
from egov_kg.limits import InferenceLimitError, QueryTimeoutError, bounded_owlrl, check_same_as
from egov_kg.query_guard import RefusedQueryError
from egov_kg.reasoning import closure
from egov_kg.results import QueryResult
from hostile import (
    CROSS_JOIN_COUNT,
    CROSS_JOIN_ROWS,
    catastrophic_regex,
    connections,
    egov_server,
    loopback_listener,
    outside_queries,
    updates,
)

MAX_RESULTS = 100
TIME_LIMIT = 2.0
TRIPLES = "SELECT * WHERE { ?s ?p ?o }"
ORGS = "SELECT ?o WHERE { ?o a <http://www.w3.org/ns/org#Organization> } ORDER BY ?o"


@pytest.fixture(scope="module")
def kg() -> egov_kg.KnowledgeGraph:
    return egov_kg.load()


@pytest.fixture(scope="module")
def reference() -> egov_kg.KnowledgeGraph:
    return egov_kg.load(engine="rdflib")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("limits") / "serve.log"
    options = ["--time-limit", str(TIME_LIMIT), "--max-results", str(MAX_RESULTS)]
    with egov_server(log, *options) as url:
        yield url


def no_child_process_left() -> bool:
    """Whether every process this one started has ended (a stopped query leaves none)."""
    return not multiprocessing.active_children()


# --- refused before running -----------------------------------------------------------------


def test_updates_service_and_outside_datasets_are_refused_by_the_api(
    kg: egov_kg.KnowledgeGraph, reference: egov_kg.KnowledgeGraph
) -> None:
    with loopback_listener() as (listener, here):
        for graph in (kg, reference):
            for update in updates(here):
                with pytest.raises(RefusedQueryError, match="SPARQL Update is refused"):
                    graph.sparql(update)
            for query, message in outside_queries(here):
                with pytest.raises(RefusedQueryError, match=message):
                    graph.sparql(query)
                with pytest.raises(RefusedQueryError, match=message):
                    graph.sparql(query, timeout=30)
        assert connections(listener) == 0
    assert kg.sparql("ASK { ?s ?p ?o }") is True  # the graph is untouched
    assert len(kg.sparql(ORGS)) == len(reference.sparql(ORGS)) > 0  # type: ignore[arg-type]


def test_updates_service_and_outside_datasets_are_refused_by_the_cli() -> None:
    runner = CliRunner()
    with loopback_listener() as (listener, here):
        for query in [*updates(here), *(query for query, _ in outside_queries(here))]:
            done = runner.invoke(main, ["sparql", query])
            assert done.exit_code == 2, (query, done.output)
            assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1
            assert "refused" in done.stderr or "only the egov-kg graphs" in done.stderr
        for query in (updates(here)[15], outside_queries(here)[0][0]):  # a real process too
            real = run_cli(["sparql", query])
            error = real.stderr.decode()
            assert real.returncode == 2 and error.startswith("Error: ") and "Traceback" not in error
        assert connections(listener) == 0


def test_updates_service_and_outside_datasets_are_refused_by_the_server(base: str) -> None:
    with loopback_listener() as (listener, here), httpx.Client(base_url=base) as client:
        for update in updates(here):
            for response in (
                client.get("/sparql", params={"query": update}),
                client.post("/sparql", data={"query": update}),
                client.post("/sparql", data={"update": update}),
                client.post(
                    "/sparql",
                    content=update,
                    headers={"Content-Type": "application/sparql-update"},
                ),
            ):
                assert response.status_code == 400, response.text
                assert "SPARQL Update is refused" in response.text
        for query, message in outside_queries(here):
            for response in (
                client.get("/sparql", params={"query": query}),
                client.post(
                    "/sparql",
                    content=query,
                    headers={"Content-Type": "application/sparql-query"},
                ),
            ):
                assert response.status_code == 400, response.text
                assert message in response.text
        assert connections(listener) == 0
        count = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
        assert count.status_code == 200


def test_a_nul_character_is_refused(kg: egov_kg.KnowledgeGraph) -> None:
    with pytest.raises(RefusedQueryError, match="NUL"):
        kg.sparql("SELECT * WHERE { ?s ?p ?o }\x00")


# --- stopped at the time limit ------------------------------------------------------------


def test_a_cross_join_past_its_timeout_is_stopped(kg: egov_kg.KnowledgeGraph) -> None:
    with pytest.raises(QueryTimeoutError, match="stopped after 1 s"):
        kg.sparql(CROSS_JOIN_COUNT, timeout=1)
    assert no_child_process_left()
    answer = kg.sparql(ORGS, timeout=30)  # the graph still answers, through a child too
    assert answer == kg.sparql(ORGS)


def test_a_catastrophic_regex_is_stopped_in_the_backtracking_engine(
    reference: egov_kg.KnowledgeGraph, kg: egov_kg.KnowledgeGraph
) -> None:
    with pytest.raises(QueryTimeoutError):
        reference.sparql(catastrophic_regex(), timeout=1)
    assert no_child_process_left()
    # Oxigraph's regular expressions run in linear time: the same query is simply answered.
    answer = kg.sparql(catastrophic_regex(), timeout=30)
    assert isinstance(answer, QueryResult) and len(answer) == 0
    matched = kg.sparql(catastrophic_regex().replace("!", ""), timeout=30)
    assert isinstance(matched, QueryResult) and len(matched) == 1


def test_a_canned_query_past_its_timeout_is_stopped(tmp_path: Path) -> None:
    (tmp_path / "slow.rq").write_text(
        f"#+ summary: A cross join.\n{CROSS_JOIN_COUNT}\n", encoding="utf-8"
    )
    (tmp_path / "orgs.rq").write_text(f"#+ summary: Bodies.\n{ORGS}\n", encoding="utf-8")
    kg = egov_kg.load(queries=tmp_path)
    with pytest.raises(QueryTimeoutError, match="query 'slow' was stopped"):
        kg.run_query("slow", {}, timeout=1)
    assert no_child_process_left()
    assert kg.run_query("orgs", {}, timeout=30) == kg.query("orgs")


def test_the_cli_stops_a_query_at_its_timeout() -> None:
    done = run_cli(["sparql", CROSS_JOIN_COUNT, "--timeout", "1"])
    error = done.stderr.decode()
    assert done.returncode == 2
    assert error == "Error: the query was stopped after 1 s, its time limit\n"


def test_the_cli_has_a_time_limit_by_default() -> None:
    for command in ("sparql", "query"):
        done = run_cli([command, "--help"])
        assert b"--timeout" in done.stdout and b"default: 60" in done.stdout


def test_the_server_stops_a_query_at_its_time_limit(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        for query in (CROSS_JOIN_COUNT, catastrophic_regex(10_000)):
            response = client.post("/sparql", data={"query": query})
            if query == CROSS_JOIN_COUNT:
                assert response.status_code == 503
                assert f"stopped after {TIME_LIMIT:g} s" in response.text
            else:  # linear-time regex: answered
                assert response.status_code == 200
        assert client.get("/sparql", params={"query": ORGS}).status_code == 200


# --- cut at the size limit ------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_a_result_over_the_limit_is_truncated_and_says_so(
    engine: str, kg: egov_kg.KnowledgeGraph, reference: egov_kg.KnowledgeGraph
) -> None:
    graph = kg if engine == "oxigraph" else reference
    everything = graph.sparql(TRIPLES)
    cut = graph.sparql(TRIPLES, limit=10)
    assert isinstance(everything, QueryResult) and isinstance(cut, QueryResult)
    assert len(cut) == 10 and cut.truncated and not everything.truncated
    assert set(cut.terms) <= set(everything.terms)
    exact = graph.sparql(TRIPLES + " LIMIT 10", limit=10)
    assert isinstance(exact, QueryResult) and len(exact) == 10 and not exact.truncated
    none = graph.sparql(TRIPLES, limit=0)
    assert isinstance(none, QueryResult) and len(none) == 0 and none.truncated
    with pytest.raises(ResultLimitError, match="more than 10 triples"):
        graph.sparql("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", limit=10)
    small = graph.sparql("CONSTRUCT { ?s a ?o } WHERE { ?s a ?o } LIMIT 5", limit=10)
    assert len(small) == 5  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="whole number"):
        graph.sparql(TRIPLES, limit=-1)


def test_a_limited_answer_is_read_lazily(kg: egov_kg.KnowledgeGraph) -> None:
    """The full cross join would run for hours; its first rows are read and reading stops."""
    answer = kg.sparql(CROSS_JOIN_ROWS, limit=5, timeout=60)
    assert isinstance(answer, QueryResult) and len(answer) == 5 and answer.truncated


def test_a_canned_query_takes_a_row_limit(kg: egov_kg.KnowledgeGraph) -> None:
    full = kg.query("timeline")
    cut = kg.run_query("timeline", {}, limit=3)
    assert cut.terms == full.terms[:3] and cut.truncated and not full.truncated


def test_the_cli_notes_a_truncated_answer() -> None:
    done = run_cli(["sparql", TRIPLES, "--limit", "3", "--format", "csv"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().count("\r\n") == 4  # a header and three rows
    assert done.stderr.decode() == (
        "egov-kg: note: the answer was truncated to its first 3 rows (--limit)\n"
    )


def test_the_server_refuses_an_answer_over_the_limit_rather_than_cut_it(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        for query, what in (
            (TRIPLES, "rows"),
            (CROSS_JOIN_ROWS, "rows"),
            ("CONSTRUCT WHERE { ?s ?p ?o }", "triples"),
            ("DESCRIBE ?s WHERE { ?s ?p ?o }", "triples"),
        ):
            response = client.get("/sparql", params={"query": query})
            assert response.status_code == 400
            assert f"more {what} than this server's limit of {MAX_RESULTS}" in response.text
        search = client.get("/api/search", params={"text": "a"})  # hundreds of matches
        assert search.status_code == 400 and f"limit of {MAX_RESULTS}" in search.text
        few = client.get("/sparql", params={"query": f"{TRIPLES} LIMIT {MAX_RESULTS}"})
        assert len(few.json()["results"]["bindings"]) == MAX_RESULTS


# --- bounded inference ----------------------------------------------------------------------


def same_as_clique(size: int) -> Graph:
    """``size`` resources all owl:sameAs each other, as a ring (the closure makes it a clique)."""
    graph = Graph()
    for index in range(size):
        following = URIRef(f"https://example.org/r{(index + 1) % size}")
        graph.add((URIRef(f"https://example.org/r{index}"), OWL.sameAs, following))
    return graph


def test_a_same_as_explosion_is_refused_before_inference() -> None:
    with pytest.raises(InferenceLimitError, match="joins 2000 resources") as error:
        closure(same_as_clique(2000))
    assert "4,000,000 triples" in str(error.value)
    check_same_as(same_as_clique(100))  # 10,000 triples: within the default bound


def test_inference_stops_at_its_size_bound() -> None:
    chain = Graph()
    part_of = URIRef("https://example.org/partOf")
    chain.add((part_of, RDF.type, OWL.TransitiveProperty))
    for index in range(200):  # a transitive chain: 20,000 inferred links
        chain.add(
            (
                URIRef(f"https://example.org/r{index}"),
                part_of,
                URIRef(f"https://example.org/r{index + 1}"),
            )
        )
    with pytest.raises(InferenceLimitError, match="passed 3,000 triples"):
        owlrl.DeductiveClosure(bounded_owlrl(max_triples=3000)).expand(chain)


def test_inference_stops_at_its_time_bound() -> None:
    with pytest.raises(InferenceLimitError, match="stopped after 0.5 s"):
        owlrl.DeductiveClosure(bounded_owlrl(seconds=0.5)).expand(same_as_clique(300))


def test_the_shipped_graph_infers_within_the_bounds(kg: egov_kg.KnowledgeGraph) -> None:
    check_same_as(kg.asserted)
    assert len(kg.closure) > len(kg.asserted)
