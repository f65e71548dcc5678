"""Helpers of the hardening tests: hostile queries, a loopback listener, a small server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import cli_command
from serving import free_port, responds, running

CROSS_JOIN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A 3-way cross join of the closure with itself: hours of work, one row of answer."""
CROSS_JOIN_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""The same join, every row: answered lazily, its first rows come at once."""


def catastrophic_regex(length: int = 32) -> str:
    """A query whose REGEX backtracks exponentially in a backtracking engine (Python's re)."""
    return f'SELECT ?s WHERE {{ VALUES ?s {{ "{"a" * length}!" }} FILTER REGEX(?s, "^(a+)+$") }}'


def updates(iri: str) -> list[str]:
    """Every SPARQL 1.1 Update form, each naming ``iri`` where it can."""
    triple = f"<{iri}> <{iri}> <{iri}>"
    return [
        f"INSERT DATA {{ {triple} }}",
        f"DELETE DATA {{ {triple} }}",
        f"DELETE {{ ?s ?p ?o }} INSERT {{ {triple} }} WHERE {{ ?s ?p ?o }}",
        "DELETE WHERE { ?s ?p ?o }",
        f"WITH <{iri}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        f"INSERT {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} USING <{iri}> WHERE {{ ?s ?p ?o }}",
        "CLEAR ALL",
        "CLEAR DEFAULT",
        f"CLEAR SILENT GRAPH <{iri}>",
        "DROP ALL",
        f"DROP GRAPH <{iri}>",
        f"CREATE GRAPH <{iri}>",
        f"ADD DEFAULT TO <{iri}>",
        f"MOVE DEFAULT TO <{iri}>",
        f"COPY <{iri}> TO DEFAULT",
        f"LOAD <{iri}>",
        f"LOAD SILENT <{iri}> INTO GRAPH <{iri}>",
        "LOAD <file:///etc/passwd>",
        f"INSERT DATA {{ {triple} }} ; DROP ALL",
        f"insert data {{ {triple} }}",
    ]


def outside_queries(iri: str) -> list[tuple[str, str]]:
    """Queries that would reach ``iri`` or a local file, with the refusal each must get."""
    service = "SERVICE is refused"
    dataset = "only the egov-kg graphs"
    return [
        (f"SELECT * WHERE {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}", service),
        (f"SELECT * WHERE {{ OPTIONAL {{ SERVICE SILENT <{iri}> {{ ?s ?p ?o }} }} }}", service),
        (f"ASK {{ FILTER EXISTS {{ SERV\\u0049CE <{iri}> {{ ?s ?p ?o }} }} }}", service),
        (
            f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{iri}> {{ ?s ?p ?o }} }} }} }}",
            service,
        ),
        (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}", service),
        # An escaped quote: rdflib's parser (which expands \u first) sees SERVICE inside a
        # long string; Oxigraph sees it as a clause. It is refused all the same.
        (
            f'SELECT * WHERE {{ ?s ?p "\\u0022" . SERVICE <{iri}> {{ ?a ?b ?c }} '
            '?s ?p "\\u0022" }',
            service,
        ),
        (f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}", dataset),
        (f"SELECT * FROM NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", dataset),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", dataset),
        ("SELECT * FROM NAMED <file:///etc/hostname> WHERE { ?s ?p ?o }", dataset),
        (f"DESCRIBE <{iri}> FROM <{iri}>", dataset),
    ]


@contextmanager
def loopback_listener() -> Iterator[tuple[socket.socket, str]]:
    """A listening loopback socket and its URL; nothing is accepted until checked."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        server.settimeout(0.5)
        yield server, f"http://127.0.0.1:{server.getsockname()[1]}/sparql"


def connections(listener: socket.socket) -> int:
    """How many connections reached ``listener`` (queued, not yet accepted)."""
    count = 0
    while True:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            return count
        connection.close()
        count += 1


@contextmanager
def egov_server(log: Path, *options: str) -> Iterator[str]:
    """A running ``egov-kg serve`` on a free loopback port; its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [*cli_command(), "serve", "--port", str(port), *options]
    with running(args, responds(url + "/openapi.json"), log):
        yield url
