"""Exports give the graph back in every format, or say why not; interruptions lose nothing."""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

import egov_kg
from conftest import SAMPLE_DATA, cli_command, write_sample
from egov_kg.bnodes import canonical_labels
from egov_kg.graph import parse_file
from egov_kg.iris import ASSERTED_GRAPH_IRI
from egov_kg.remote import push
from egov_kg.serialization import FORMATS, serialize
from serving import free_port, responds, running

export_module = importlib.import_module("egov_kg.serialization")

OX_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def exact(term: object) -> Node:
    """An rdflib term with the lexical form of a pyoxigraph term, as written."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def read_back(data: bytes, fmt: str) -> Graph:
    """Parse an export with pyoxigraph, keeping every lexical form (rdflib rewrites some)."""
    graph = Graph()
    for quad in ox.parse(data, format=OX_FORMAT[fmt]):
        graph.add((exact(quad.subject), exact(quad.predicate), exact(quad.object)))
    return graph


H = (
    "@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
)
FIXTURES = {
    "blank-node-cycles": H
    + "_:a ex:p _:b . _:b ex:p _:a .\n"  # rdflib's JSON-LD writer dropped this one
    + "_:self ex:p _:self .\n"
    + "_:x ex:q _:y . _:y ex:q _:z . _:z ex:q _:x . ex:s ex:r _:x .\n",
    "deep-nesting": H + "ex:root ex:p " + "[ ex:p " * 150 + "ex:leaf" + " ]" * 150 + " .\n",
    "lists": H + "ex:s ex:list (1 (2 (3)) [ ex:p ( ) ] ), ( ) .\n",
    "unusual-literals": H
    + 'ex:s ex:long "'
    + "長い" * 50_000
    + '" ;\n'
    + '  ex:lines """one\ntwo\r\nthree\n""" ;\n'
    + '  ex:quotes """\'single\' \\"double\\" \'\'\' \\"\\"\\" \\\\ back""" ;\n'
    + '  ex:controls "bell\\u0007 tab\\t vt\\u000B esc\\u001B del\\u007F" ;\n'
    + '  ex:lang "hello"@en-GB, "こんにちは"@ja, "x"@zh-Hant-TW ;\n'
    + '  ex:custom "12 apples"^^ex:fruitCount, ""^^ex:empty ;\n'
    + '  ex:noncanonical "007"^^xsd:integer, "1.50"^^xsd:decimal, "1e3"^^xsd:double ;\n'
    + '  ex:blank "" , "   " ;\n'
    + '  ex:bidi "\\u202Eevil\\u202C" .\n',
}


def isomorphic_by_labels(first: Graph, second: Graph) -> bool:
    """Whether the graphs are equal once blank nodes are named after their structure.

    Equal relabelled graphs are isomorphic (the relabelling is a bijection); faster than
    rdflib's ``isomorphic`` on 150-deep nesting, which it is cross-checked with below.
    """

    def relabelled(graph: Graph) -> set[tuple[Node, Node, Node]]:
        labels = canonical_labels(list(graph), BNode)

        def rename(term: Node) -> Node:
            return BNode(labels[term]) if isinstance(term, BNode) else term

        return {(rename(s), p, rename(o)) for s, p, o in graph}

    return relabelled(first) == relabelled(second)


def test_isomorphic_by_labels_agrees_with_rdflib(tmp_path: Path) -> None:
    graph = load_fixture(tmp_path, "blank-node-cycles")
    back = read_back(serialize(graph, "jsonld"), "jsonld")
    assert isomorphic(graph, back) and isomorphic_by_labels(graph, back)
    changed = Graph()
    changed += back
    changed.remove(next(iter(changed.triples((None, None, None)))))
    changed.add((BNode(), URIRef("http://example.org/p"), BNode()))
    assert not isomorphic(graph, changed) and not isomorphic_by_labels(graph, changed)


def load_fixture(tmp_path: Path, name: str) -> Graph:
    path = tmp_path / f"{name}.ttl"
    path.write_text(FIXTURES[name], encoding="utf-8")
    graph, _ = parse_file(path)
    return graph


def formats_for(name: str) -> list[str]:
    # XML 1.0 cannot write most C0 controls: that export refuses (tested below).
    return [f for f in FORMATS if not (f == "xml" and name == "unusual-literals")]


@pytest.mark.parametrize(
    ("name", "fmt"), [(name, fmt) for name in FIXTURES for fmt in formats_for(name)]
)
def test_round_trip(tmp_path: Path, name: str, fmt: str) -> None:
    graph = load_fixture(tmp_path, name)
    data = serialize(graph, fmt)
    back = read_back(data, fmt)
    assert len(back) == len(graph)
    assert isomorphic_by_labels(graph, back)
    # Blank nodes are named after the structure: another parse writes the same bytes.
    assert serialize(load_fixture(tmp_path, name), fmt) == data


def test_xml_says_what_it_cannot_carry(tmp_path: Path) -> None:
    graph = load_fixture(tmp_path, "unusual-literals")
    with pytest.raises(ValueError, match="RDF/XML cannot write a control character"):
        serialize(graph, "xml")


def test_a_lost_triple_is_an_error_not_a_silent_drop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = load_fixture(tmp_path, "blank-node-cycles")
    write = export_module._jsonld

    def dropping(triples, prefixes, *rest):  # type: ignore[no-untyped-def]
        return write(triples[1:], prefixes, *rest)  # as rdflib's writer did with a cycle

    monkeypatch.setattr(export_module, "_jsonld", dropping)
    out = tmp_path / "kg.jsonld"
    out.write_bytes(b"previous\n")
    with pytest.raises(ValueError, match="the jsonld output does not give the graph back"):
        egov_kg.export(graph, "jsonld", out)
    assert out.read_bytes() == b"previous\n"


def big_sample(root: Path, triples: int, data: dict[str, str] = SAMPLE_DATA) -> Path:
    """A sample whose data has about ``triples`` more triples; return its data folder."""
    lines = [
        "@prefix ex: <http://example.org/> .\n",
        *(f'ex:n{i} ex:next ex:n{i + 1} ; ex:label "node {i}"@en .\n' for i in range(triples // 2)),
    ]
    sample = write_sample(root, {**data, "big.ttl": "".join(lines)})
    return sample.data


def test_killed_export_leaves_the_previous_file(tmp_path: Path) -> None:
    sample = write_sample(tmp_path / "sample")
    data = big_sample(tmp_path / "sample", 20_000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "kg.nt"
    out.write_bytes(b"previous release\n")
    args = [*cli_command(), "export", "--format", "nt", "-o", str(out)]
    args += ["--data", str(data), "--ontology", str(sample.ontology)]
    env = {**os.environ, "EGOV_KG_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(args, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120  # a safety net, not a timing assertion
    while not [p for p in out_dir.iterdir() if p.name.endswith(".tmp")]:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)  # mid-way: the temporary file is being written
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert out.read_bytes() == b"previous release\n"
    # The next export is not hindered by the leftover temporary file.
    done = subprocess.run(args, env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    written = list(ox.parse(out.read_bytes(), format=ox.RdfFormat.N_TRIPLES))
    assert len(written) > 20_000


class _CuttingProxy:
    """A loopback proxy that forwards requests whole until one has a body; of that one it
    forwards the headers and half the body, then waits.

    The client is killed while the server still expects the rest of the body; then the
    proxy closes the server's connection, so the server sees a request cut mid-way. Requests
    without a body (the push reading the graph the store holds) go through whole.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.half_sent = threading.Event()
        self.release = threading.Event()
        self.cut_request = b""  # the method and path of the request cut
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.half_sent.is_set():
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    @staticmethod
    def _back(upstream: socket.socket, client: socket.socket) -> None:
        try:
            while chunk := upstream.recv(65536):
                client.sendall(chunk)
        except OSError:
            return

    def _forward(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        threading.Thread(target=self._back, args=(upstream, client), daemon=True).start()
        received = b""
        while True:
            while b"\r\n\r\n" not in received:
                chunk = client.recv(65536)
                if not chunk:
                    upstream.close()
                    return
                received += chunk
            head, _, received = received.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            if length == 0:
                upstream.sendall(head + b"\r\n\r\n")
                continue
            while len(received) < length // 2:
                received += client.recv(65536)
            upstream.sendall(head + b"\r\n\r\n" + received[: length // 2])
            self.cut_request = b" ".join(head.split(b" ")[:2]).split(b"?")[0]
            self.half_sent.set()
            self.release.wait(60)
            upstream.close()
            client.close()
            self.server.close()
            return


def oxigraph_command() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    assert found, "the oxigraph server is missing: pip install -e '.[test]' installs it"
    return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[str]:
    url = f"http://127.0.0.1:{free_port()}"
    args = [oxigraph_command(), "serve", "--location", str(tmp_path / "db"), "--bind", url[7:]]
    with running(args, responds(url + "/"), tmp_path / "server.log"):
        yield url


def graph_triples(store: str, graph: str) -> set[str]:
    response = httpx.get(
        f"{store}/store", params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    response.raise_for_status()
    return {line for line in response.text.splitlines() if line.strip()}


def as_stored(graph: Graph) -> Graph:
    """``graph`` as an Oxigraph store gives it back (numeric literals in canonical form)."""
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return Graph().parse(data=(text or b"").decode(), format="nt")


def graph_names(store: str) -> set[str]:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.post(
        f"{store}/query",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    response.raise_for_status()
    return {row["g"]["value"] for row in response.json()["results"]["bindings"]}


BLANK_NODE_DATA = """\
@prefix ex: <http://example.org/> .
ex:report ex:author [ ex:name "an unnamed author" ] .
"""


def _changed_sample(root: Path, change: str) -> tuple[Path, Path, bytes]:
    """The data folders before and after ``change``, and the request the push should send."""
    if change == "added":  # new triples only: a Graph Store Protocol POST
        # without "1.50"^^xsd:decimal, which Oxigraph keeps as "1.5": a statement it would
        # hold otherwise written, so deleted and inserted again (one SPARQL Update)
        data = {name: text for name, text in SAMPLE_DATA.items() if "xsd:decimal" not in text}
        old = write_sample(root / "old", data).data
        return old, big_sample(root / "new", 400, data), b"POST /store"
    if change == "removed":  # triples to delete: one SPARQL Update, DELETE DATA
        return big_sample(root / "old", 400), write_sample(root / "new").data, b"POST /update"
    # blank nodes cannot be matched across requests: the whole graph, PUT
    old = write_sample(root / "old", {**SAMPLE_DATA, "blank.ttl": BLANK_NODE_DATA}).data
    return old, big_sample(root / "new", 400), b"PUT /store"


@pytest.mark.parametrize("change", ["added", "removed", "blank nodes"])
def test_killed_push_leaves_the_previous_remote_graph(
    tmp_path: Path, store: str, change: str
) -> None:
    old_data, new_data, request = _changed_sample(tmp_path, change)
    push(f"{store}/store", data_dir=old_data)
    before = graph_triples(store, ASSERTED_GRAPH_IRI)
    assert before
    proxy = _CuttingProxy(int(store.rsplit(":", 1)[1]))
    args = [*cli_command(), "push", "--endpoint", f"http://127.0.0.1:{proxy.port}/store"]
    env = {**os.environ, "EGOV_KG_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen([*args, "--data", str(new_data)], env=env)
    try:
        assert proxy.half_sent.wait(120), "the push never sent half a body"
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        proxy.release.set()
        proxy.thread.join(30)
    assert process.returncode == -signal.SIGKILL
    assert proxy.cut_request == request
    if change == "blank nodes":  # blank node labels differ from one read to the next
        assert len(graph_triples(store, ASSERTED_GRAPH_IRI)) == len(before)
    else:
        assert graph_triples(store, ASSERTED_GRAPH_IRI) == before  # the old graph, whole
    # A push that completes replaces it with the new graph, whole and exact.
    report = push(f"{store}/store", data_dir=new_data)
    after = graph_triples(store, ASSERTED_GRAPH_IRI)
    assert len(after) == report.triples
    pushed = Graph().parse(data="\n".join(after), format="nt")
    # Oxigraph keeps numbers by value ("1.50"^^xsd:decimal comes back as "1.5"): compare
    # with the local graph as an Oxigraph store holds it.
    assert isomorphic(pushed, as_stored(egov_kg.load(new_data).asserted))
    # and leaves no other graph behind: only the graph and its search keys
    assert graph_names(store) == {ASSERTED_GRAPH_IRI, f"{ASSERTED_GRAPH_IRI}/search-keys"}
