"""A real triple store: push the graph to Oxigraph's server and run the canned queries there.

The server is the ``oxigraph`` command of the ``oxigraph`` package (a test dependency), on a
free loopback port, with its data in a temporary folder.
"""

from __future__ import annotations

import http.server
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

import egov_kg
from conftest import run_cli
from egov_kg import remote
from egov_kg.iris import ASSERTED_GRAPH_IRI, CLOSURE_GRAPH_IRI, SEARCH_KEYS_GRAPH_IRI
from egov_kg.queries import ParameterError, UnknownQueryError
from egov_kg.remote import PushReport, RemoteError, RemoteGraph, push, search_graph_iri
from serving import CASES, case_id, free_port, responds, running


def oxigraph_command() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    assert found, "the oxigraph server is missing: pip install -e '.[test]' installs it"
    return found


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running Oxigraph server (``/query``, ``/store``)."""
    root = tmp_path_factory.mktemp("oxigraph")
    url = f"http://127.0.0.1:{free_port()}"
    args = [oxigraph_command(), "serve", "--location", str(root / "db"), "--bind", url[7:]]
    with running(args, responds(url + "/"), root / "server.log"):
        yield url


@pytest.fixture(scope="module")
def kg() -> egov_kg.KnowledgeGraph:
    return egov_kg.load()


@pytest.fixture(scope="module")
def pushed(store: str, kg: egov_kg.KnowledgeGraph) -> str:
    """The store, with the closure and its search keys pushed (by the command line)."""
    done = run_cli(["push", "--endpoint", f"{store}/store", "--inferred"])
    assert done.returncode == 0, done.stderr.decode()
    return store


def count(store: str, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
    response = httpx.post(
        f"{store}/query",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def search_keys(kg: egov_kg.KnowledgeGraph) -> int:
    """How many search keys the in-memory store holds (its own named graph)."""
    return sum(
        1 for _ in kg.store.quads_for_pattern(None, None, None, ox.NamedNode(SEARCH_KEYS_GRAPH_IRI))
    )


def test_push_replaces_the_graph_so_pushing_twice_leaves_one_copy(
    pushed: str, kg: egov_kg.KnowledgeGraph
) -> None:
    closure_keys = search_graph_iri(CLOSURE_GRAPH_IRI)
    before = (count(pushed, CLOSURE_GRAPH_IRI), count(pushed, closure_keys))
    assert before == (len(kg.closure), search_keys(kg))
    again = run_cli(["push", "--endpoint", f"{pushed}/store", "--inferred"])
    assert again.returncode == 0, again.stderr.decode()
    said = f"<{CLOSURE_GRAPH_IRI}> with {len(kg.closure)} triples (0 added, 0 removed)"
    assert said in again.stdout.decode()
    assert (count(pushed, CLOSURE_GRAPH_IRI), count(pushed, closure_keys)) == before


def test_pushing_the_same_graph_again_sends_no_change(
    pushed: str, kg: egov_kg.KnowledgeGraph
) -> None:
    report = push(f"{pushed}/store", inferred=True, kg=kg)
    assert report.requests == ("none", "none")
    assert statements(pushed, CLOSURE_GRAPH_IRI) == local_statements(kg)


def update(store: str, text: str) -> None:
    headers = {"Content-Type": "application/sparql-update"}
    httpx.post(f"{store}/update", content=text.encode(), headers=headers).raise_for_status()


def statements(store: str, graph: str) -> set[bytes]:
    response = httpx.get(
        f"{store}/store", params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    response.raise_for_status()
    return {line.strip() for line in response.content.splitlines() if line.strip()}


def local_statements(kg: egov_kg.KnowledgeGraph) -> set[bytes]:
    dumped = kg.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    return {line.strip() for line in dumped.splitlines() if line.strip()}


def _spoil(store: str, stale: int, missing: int) -> None:
    """Add ``stale`` triples to the pushed closure and delete ``missing`` of its triples."""
    graph = ox.NamedNode(CLOSURE_GRAPH_IRI)
    extra = " ".join(f'<urn:stale:{i}> <urn:stale:p> "stale {i}" .' for i in range(stale))
    update(store, f"INSERT DATA {{ GRAPH {graph} {{ {extra} }} }}")
    update(
        store,
        f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT ?s ?p ?o WHERE "
        f"{{ GRAPH {graph} {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o LIMIT {missing} }} }}",
    )


def test_push_sends_only_the_difference_and_makes_the_store_graph_exact(
    pushed: str, kg: egov_kg.KnowledgeGraph
) -> None:
    _spoil(pushed, stale=30, missing=20)
    assert statements(pushed, CLOSURE_GRAPH_IRI) != local_statements(kg)
    report = push(f"{pushed}/store", inferred=True, kg=kg)
    assert (report.requests, report.added, report.removed) == (("UPDATE", "none"), 20, 30)
    assert statements(pushed, CLOSURE_GRAPH_IRI) == local_statements(kg)
    # Missing triples only: one Graph Store Protocol POST of them.
    _spoil(pushed, stale=0, missing=50)
    report = push(f"{pushed}/store", inferred=True, kg=kg)
    assert (report.requests, report.added, report.removed) == (("POST", "none"), 50, 0)
    assert statements(pushed, CLOSURE_GRAPH_IRI) == local_statements(kg)


def test_a_change_too_large_for_one_update_is_one_put_of_the_graph(
    pushed: str, kg: egov_kg.KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "UPDATE_LIMIT", 2_000)
    _spoil(pushed, stale=30, missing=20)
    report = push(f"{pushed}/store", inferred=True, kg=kg)
    assert (report.requests, report.added, report.removed) == (("PUT", "none"), 20, 30)
    assert statements(pushed, CLOSURE_GRAPH_IRI) == local_statements(kg)


def test_without_an_update_endpoint_a_removal_is_one_put(
    pushed: str, kg: egov_kg.KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "update_endpoint_for", lambda endpoint: None)
    _spoil(pushed, stale=5, missing=5)
    report = push(f"{pushed}/store", inferred=True, kg=kg)
    assert report.requests == ("PUT", "none")
    assert statements(pushed, CLOSURE_GRAPH_IRI) == local_statements(kg)


def test_the_update_endpoint_is_found_beside_the_graph_store_for_known_stores() -> None:
    assert remote.update_endpoint_for("http://u:p@h:3030/ds/data") == "http://u:p@h:3030/ds/update"
    graphdb = "http://h:7200/repositories/r/rdf-graphs/service"
    assert remote.update_endpoint_for(graphdb) == "http://h:7200/repositories/r/statements"
    assert remote.update_endpoint_for("http://h:8890/sparql-graph-crud") is None


def test_push_without_inferred_writes_the_asserted_graph(
    pushed: str, kg: egov_kg.KnowledgeGraph
) -> None:
    report = push(f"{pushed}/store", kg=kg)
    assert (report.graph, report.triples) == (ASSERTED_GRAPH_IRI, len(kg.asserted))
    assert count(pushed, ASSERTED_GRAPH_IRI) == len(kg.asserted) < len(kg.closure)
    assert count(pushed, CLOSURE_GRAPH_IRI) == len(kg.closure)  # the other graph untouched


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_canned_query_gives_the_same_rows_remotely(
    pushed: str, kg: egov_kg.KnowledgeGraph, case: tuple[str, dict[str, str]]
) -> None:
    name, params = case
    with RemoteGraph(f"{pushed}/query") as remote:
        answer = remote.query(name, **params)
    expected = kg.query(name, **params)
    assert answer.to_json() == expected.to_json()
    if name != "search" or "UNION" not in params["text"]:
        assert len(expected) > 0, f"{name}{params} answers nothing: a weak case"


def test_python_api_re_exports_the_remote_graph(pushed: str) -> None:
    with egov_kg.RemoteGraph(f"{pushed}/query") as remote:
        rows = remote.query("members", body="ＣＩＯ連絡会議").rows
    assert [str(row["member"]) for row in rows] == [
        "https://w3id.org/egov-kg/id/group/ministry-cios"
    ]


def test_cli_query_on_an_endpoint_prints_what_the_local_query_prints(pushed: str) -> None:
    args = ["query", "chairs", "-p", "body=情報セキュリティ政策会議"]
    for fmt in ("json", "table"):
        remote = run_cli([*args, "--format", fmt, "--endpoint", f"{pushed}/query"])
        local = run_cli([*args, "--format", fmt])
        assert remote.returncode == 0, remote.stderr.decode()
        assert remote.stdout == local.stdout and b"Chief Cabinet Secretary" in remote.stdout


def test_remote_errors_are_the_same_as_local_ones(pushed: str) -> None:
    with RemoteGraph(f"{pushed}/query") as remote:
        with pytest.raises(UnknownQueryError, match="no canned query 'chair'"):
            remote.query("chair")
        with pytest.raises(ParameterError, match="nothing is labelled 'CIO連絡会'"):
            remote.query("members", body="CIO連絡会")
        with pytest.raises(ParameterError, match="no resource <https://w3id.org/egov-kg/id/org/x>"):
            remote.query("members", body="https://w3id.org/egov-kg/id/org/x")
        with pytest.raises(ParameterError, match="expected a date"):
            remote.query("structure-as-of", date="2005-02-30")


def test_an_empty_graph_says_to_push_first(pushed: str) -> None:
    remote = RemoteGraph(f"{pushed}/query", graph="https://example.org/nothing-here")
    with remote, pytest.raises(egov_kg.QueryError, match="is empty; push it first"):
        remote.query("laws")


def test_an_unreachable_store_is_one_line_on_stderr_without_credentials() -> None:
    where = f"127.0.0.1:{free_port()}"
    for args in (
        ["push", "--endpoint", f"http://user:secret@{where}/store", "--inferred"],
        ["query", "laws", "--endpoint", f"http://user:secret@{where}/query"],
    ):
        done = run_cli(args)
        assert done.returncode == 2
        lines = done.stderr.decode().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: http://{where}/"), lines
        assert "secret" not in lines[0]
    with pytest.raises(RemoteError):
        RemoteGraph(f"http://{where}/query").query("laws")


def test_a_store_that_refuses_the_data_is_reported(store: str, kg: Any) -> None:
    with pytest.raises(RemoteError, match="HTTP 4"):
        push(f"{store}/no-such-service", kg=kg, inferred=True)


class _RefusingStore(http.server.BaseHTTPRequestHandler):
    """A store that holds one stale triple and refuses every SPARQL Update as too large."""

    held = b'<urn:stale:s> <urn:stale:p> "stale" .\n'
    received: list[tuple[str, str, bytes]] = []

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def _answer(self, status: int, body: bytes = b"", kind: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(200, self.held, "application/n-triples")

    def do_POST(self) -> None:
        self.received.append(("POST", self.path, self._body()))
        self._answer(413 if self.path.startswith("/update") else 204)

    def do_PUT(self) -> None:
        self.received.append(("PUT", self.path, self._body()))
        self._answer(204)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _push_to(
    store: type[http.server.BaseHTTPRequestHandler], kg: egov_kg.KnowledgeGraph
) -> PushReport:
    """Push the closure of ``kg`` to a stub ``store`` served on loopback for this push."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return push(f"http://127.0.0.1:{server.server_port}/store", inferred=True, kg=kg)
    finally:
        server.shutdown()
        server.server_close()


def test_an_update_refused_as_too_large_becomes_one_put_of_the_graph(
    kg: egov_kg.KnowledgeGraph,
) -> None:
    report = _push_to(_RefusingStore, kg)
    assert report.requests == ("PUT", "PUT")
    sent = [(method, path.split("?")[0]) for method, path, _ in _RefusingStore.received]
    assert sent == [("POST", "/update"), ("PUT", "/store")] * 2
    whole = _RefusingStore.received[1][2]
    assert {line.strip() for line in whole.splitlines()} == local_statements(kg)


class _TurtleStore(_RefusingStore):
    """A store that answers a graph read in Turtle only, and takes every write."""

    received: list[tuple[str, str, bytes]] = []

    def do_GET(self) -> None:
        self._answer(200, b"<urn:stale:s> <urn:stale:p> 'stale' .\n", "text/turtle")

    def do_POST(self) -> None:
        self.received.append(("POST", self.path, self._body()))
        self._answer(204)


def test_a_store_that_does_not_answer_n_triples_gets_one_put_of_the_graph(
    kg: egov_kg.KnowledgeGraph,
) -> None:
    report = _push_to(_TurtleStore, kg)
    assert report.requests == ("PUT", "PUT")
    assert [method for method, _, _ in _TurtleStore.received] == ["PUT", "PUT"]
    whole = _TurtleStore.received[0][2]
    assert {line.strip() for line in whole.splitlines()} == local_statements(kg)
