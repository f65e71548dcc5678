"""A real triple store: push the graph to it, and run the canned queries there.

:func:`push` replaces a named graph of any SPARQL 1.1 store (Oxigraph, Fuseki, GraphDB,
Virtuoso...) with the graph, so pushing twice leaves one copy. It reads the graph the store
holds (Graph Store Protocol ``GET``, N-Triples) and sends only the difference, in one request,
so the store applies it in one transaction and a push cut short changes nothing:

- nothing, when the store already holds the graph (a push of unchanged data);
- a Graph Store Protocol ``POST`` of the new triples, when none is to go (a first push);
- one SPARQL 1.1 Update ``DELETE DATA {...} ; INSERT DATA {...}``, when it removes triples
  and its text is at most :data:`UPDATE_LIMIT` bytes;
- else, or when either side has blank nodes (they cannot be matched by label), or when the
  store refuses the update (HTTP 4xx: too large, say), a ``PUT`` of the whole graph.

Each is one transactional request: the whole change or none of it, never a partial graph, and
no staging graph that a killed push could leave behind. The alternatives measured on
Oxigraph 0.5 were slower: its transactional ``MOVE``/``COPY``/``ADD``/``DROP`` of a named graph
cost 2 to 5 times a transactional load of the same triples (so a bulk load into a staging graph
and a switch costs more than the ``PUT``), and it refuses gzip request bodies.

The canned queries also need the search index (one ``egov:searchKey`` per label, NFKC and
case-folded, and one ``egov:searchClass`` per labelled resource: an index, never data), so a
push also replaces a second graph, ``GRAPH/search-keys``, the same way.

:class:`RemoteGraph` runs the canned queries through the SPARQL 1.1 Protocol, with the data
graph as the default graph (``default-graph-uri``) and the index as a named graph
(``named-graph-uri``), the dataset they see in memory. A remote
endpoint has no initial-bindings API: each parameter value is turned into an RDF term first
(a label resolved to its IRI against the remote labels, a date checked) and placed as a
``VALUES`` block of escaped N-Triples terms in the query's outer group
(:func:`egov_kg.binding.bind_values`); the user's text never enters the query.

>>> search_graph_iri("https://w3id.org/egov-kg/graph/closure")
'https://w3id.org/egov-kg/graph/closure/search-keys'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
import pyoxigraph as ox

from egov_kg.binding import bind_values
from egov_kg.iris import ASSERTED_GRAPH_IRI, CLOSURE_GRAPH_IRI, PREFIX_IRIS, SEARCH_KEYS_GRAPH_IRI
from egov_kg.media import N_TRIPLES, SPARQL_JSON, SPARQL_UPDATE
from egov_kg.queries import (
    LABEL_PROPERTIES,
    CannedQuery,
    Label,
    LabelIndex,
    QueryError,
    UnknownQueryError,
    load_queries,
)
from egov_kg.results import LangString, QueryResult
from egov_kg.terms import to_oxigraph

if TYPE_CHECKING:  # pragma: no cover
    from egov_kg.knowledge_graph import KnowledgeGraph

__all__ = [
    "UPDATE_LIMIT",
    "PushReport",
    "RemoteError",
    "RemoteGraph",
    "push",
    "search_graph_iri",
    "update_endpoint_for",
]

_LABELS_QUERY = (
    "SELECT ?resource ?property ?label WHERE { VALUES ?property { "
    + " ".join(str(ox.NamedNode(iri)) for iri in LABEL_PROPERTIES)
    + " } ?resource ?property ?label FILTER (isIRI(?resource) && isLiteral(?label)) }"
)
_EXISTS_QUERY = "ASK WHERE { { ?resource ?p ?o } UNION { ?s ?p ?resource } }"
_ANYTHING_QUERY = "ASK WHERE { ?s ?p ?o }"


class RemoteError(OSError):
    """The remote store could not be reached or answered with an error."""


def _shown(url: str) -> str:
    """``url`` without its credentials, for messages."""
    try:
        return str(httpx.URL(url).copy_with(userinfo=b""))
    except (httpx.InvalidURL, TypeError, ValueError):
        return "the endpoint"


def search_graph_iri(graph: str) -> str:
    """The named graph that holds the search keys of the data graph ``graph``."""
    return f"{graph}/search-keys"


def _labels(rows: list[dict[str, Any]]) -> list[Label]:
    return [
        Label(
            str(row["resource"]),
            str(row["property"]),
            str(row["label"]),
            row["label"].lang if isinstance(row["label"], LangString) else None,
        )
        for row in rows
    ]


def _search_index(kg: KnowledgeGraph) -> bytes:
    """The search index of ``kg``'s store (keys and classes), as N-Triples (one native dump)."""
    dumped = kg.store.dump(
        format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(SEARCH_KEYS_GRAPH_IRI)
    )
    return dumped or b""


def _n_triples(kg: KnowledgeGraph, inferred: bool) -> bytes:
    """The closure (from the store's default graph) or the asserted graph, as N-Triples.

    Written by pyoxigraph, not rdflib: the store dumps the closure in one native call, and
    the asserted graph is streamed through pyoxigraph's writer. The server gets a set of
    triples, so neither sorting nor a parse-back check (what exports do) is needed.
    """
    if inferred:
        dumped = kg.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        return dumped or b""
    triples = (
        ox.Triple(*(to_oxigraph(term) for term in triple))  # type: ignore[arg-type]
        for triple in kg.asserted
    )
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _check(response: httpx.Response, what: str) -> httpx.Response:
    if response.status_code >= 300:
        detail = " ".join(response.text.split())[:300]
        raise RemoteError(
            f"{what}: HTTP {response.status_code}: {detail or response.reason_phrase}"
        )
    return response


UPDATE_LIMIT = 64 * 1024 * 1024
"""The largest SPARQL Update body :func:`push` sends (Oxigraph 0.5's server takes 128 MiB).

A larger change is one ``PUT`` of the whole graph; so is an update the store refuses (HTTP
4xx: Oxigraph before 0.5 took 1 MiB).
"""

# The Graph Store Protocol path of a store, and the SPARQL Update path beside it.
_UPDATE_PATHS = (
    ("/store", "/update"),  # Oxigraph
    ("/data", "/update"),  # Apache Jena Fuseki
    ("/rdf-graphs/service", "/statements"),  # GraphDB, RDF4J
)


def update_endpoint_for(endpoint: str) -> str | None:
    """The SPARQL Update URL beside a Graph Store Protocol URL, for the stores known.

    >>> update_endpoint_for("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/update'
    >>> update_endpoint_for("http://127.0.0.1:8890/sparql-graph-crud") is None
    True
    """
    try:
        url = httpx.URL(endpoint)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    path = url.path.rstrip("/")
    for store, update in _UPDATE_PATHS:
        if path.endswith(store):
            return str(url.copy_with(path=path[: -len(store)] + update))
    return None


def _statements(data: bytes) -> list[bytes]:
    r"""The statements of N-Triples ``data``, one a line, without blank lines or comments.

    Oxigraph writes one statement a line, ending ``" .\n"``: such text is only split. Other
    text (``\r\n`` line ends, blank lines, comments) is cleaned line by line.
    """
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    plain = b"\r" not in data and b"\n\n" not in data and b"\n#" not in data
    if plain and not data.startswith((b"#", b"\n")):
        return lines
    stripped = (line.strip() for line in lines)
    return [line for line in stripped if line and not line.startswith(b"#")]


@dataclass(frozen=True)
class _Change:
    """What one push changes in one graph, and the one request that makes the change."""

    method: str  # "none", "POST" (Graph Store Protocol), "UPDATE" (SPARQL Update) or "PUT"
    content: bytes
    added: int
    removed: int


def _change(graph: str, current: bytes | None, new: bytes, can_update: bool) -> _Change:
    """The cheapest single request that turns the graph ``current`` into ``new`` (N-Triples).

    Statements are compared as text: one written differently on each side (another store's
    serializer) is deleted and inserted again, which is still exact. Blank nodes have no
    identity across requests, so a graph with any (or any ``_:`` at all) is replaced whole;
    so is a graph the store did not give as N-Triples (``current`` is None).
    """
    lines = _statements(new)
    if current is None:
        return _Change("PUT", new, len(lines), 0)
    old = set(_statements(current))
    if b"_:" in current or b"_:" in new:
        return _Change("PUT", new, len(lines), len(old))
    fresh = set(lines)
    removed = sorted(old - fresh)
    added = [line for line in lines if line not in old]
    if not removed:
        method = "POST" if added else "none"
        return _Change(method, b"".join(line + b"\n" for line in added), len(added), 0)
    if can_update:
        name = str(ox.NamedNode(graph))
        parts = [b"DELETE DATA { GRAPH ", name.encode(), b" {\n", *removed, b"\n} }"]
        if added:
            parts += [b" ;\nINSERT DATA { GRAPH ", name.encode(), b" {\n", *added, b"\n} }"]
        size = sum(len(part) + 1 for part in parts)
        if size <= UPDATE_LIMIT:
            text = b"\n".join(parts) + b"\n"
            return _Change("UPDATE", text, len(added), len(removed))
    return _Change("PUT", new, len(added), len(removed))


def _current(client: httpx.Client, endpoint: str, graph: str) -> bytes | None:
    """The N-Triples of ``graph`` in the store, or None if it answers in another format.

    Empty if the store has no such graph (HTTP 404).
    """
    name = _shown(endpoint)
    try:
        response = client.get(endpoint, params={"graph": graph}, headers={"Accept": N_TRIPLES})
    except httpx.HTTPError as error:
        raise RemoteError(f"{name}: {error}") from None
    if response.status_code == 404:
        return b""
    _check(response, f"{name}: GET <{graph}>")
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return response.content if kind in (N_TRIPLES, "text/plain") else None


def _send(
    client: httpx.Client,
    endpoint: str,
    update: str | None,
    graph: str,
    change: _Change,
    whole: bytes,
) -> _Change:
    """Send the one request of ``change``; return the change sent.

    An update the store refuses (HTTP 4xx: too large, no update service there, a statement
    its parser rejects...) changed nothing: the whole graph ``whole`` goes instead, in one
    ``PUT``.
    """
    if change.method == "none":
        return change
    if change.method == "UPDATE":
        assert update is not None
        url, params, kind = update, {}, SPARQL_UPDATE
    else:
        url, params, kind = endpoint, {"graph": graph}, N_TRIPLES
    method = "POST" if change.method == "UPDATE" else change.method
    try:
        response = client.request(
            method, url, params=params, content=change.content, headers={"Content-Type": kind}
        )
    except httpx.HTTPError as error:
        raise RemoteError(f"{_shown(url)}: {error}") from None
    if change.method == "UPDATE" and 400 <= response.status_code < 500:
        instead = replace(change, method="PUT", content=whole)
        return _send(client, endpoint, update, graph, instead, whole)
    _check(response, f"{_shown(url)}: {change.method} <{graph}>")
    return change


@dataclass(frozen=True)
class PushReport:
    """What :func:`push` did: the graphs replaced, their triple counts, the change sent.

    ``added`` and ``removed`` count the statements of the data graph sent and deleted.
    """

    endpoint: str
    graph: str
    triples: int
    search_graph: str
    search_keys: int
    added: int = 0
    removed: int = 0
    requests: tuple[str, ...] = ()
    """The request sent for each graph: ``none``, ``POST``, ``UPDATE`` or ``PUT``."""

    @property
    def text(self) -> str:
        """A summary for the command line."""
        return (
            f"{self.endpoint}: replaced <{self.graph}> with {self.triples} triples "
            f"({self.added} added, {self.removed} removed) and "
            f"<{self.search_graph}> with {self.search_keys} search index triples"
        )


def push(
    endpoint: str,
    *,
    graph: str | None = None,
    inferred: bool = False,
    data_dir: Path | str | None = None,
    kg: KnowledgeGraph | None = None,
    update_endpoint: str | None = None,
    timeout: float = 600.0,
) -> PushReport:
    """Replace a named graph of a SPARQL 1.1 store with the knowledge graph, atomically.

    Args:
        endpoint: the server's Graph Store Protocol URL (Oxigraph: ``http://HOST:7878/store``).
        graph: the named graph to replace; default: ``.../graph/closure`` with ``inferred``,
            else ``.../graph/asserted``.
        inferred: push the OWL 2 RL closure (what the canned queries are written for)
            instead of the asserted graph.
        data_dir: the data folder (default: the shipped data), unless ``kg`` is given.
        kg: an already loaded knowledge graph.
        update_endpoint: the store's SPARQL Update URL (default: the one beside ``endpoint``
            for Oxigraph, Fuseki and GraphDB, see :func:`update_endpoint_for`); without one,
            a change that removes triples is sent as a ``PUT`` of the whole graph.
        timeout: seconds to wait for the server.

    Raises:
        RemoteError: the server cannot be reached or refuses the data.
    """
    if kg is None:
        import egov_kg

        kg = egov_kg.load(data_dir)
    name = graph or (CLOSURE_GRAPH_IRI if inferred else ASSERTED_GRAPH_IRI)
    ox.NamedNode(name)  # a valid IRI, or ValueError
    update = update_endpoint or update_endpoint_for(endpoint)
    search_graph = search_graph_iri(name)
    body = _n_triples(kg, inferred)
    keys = _search_index(kg)
    changes: list[_Change] = []
    with httpx.Client(timeout=timeout) as client:
        for target, content in ((name, body), (search_graph, keys)):
            change = _change(target, _current(client, endpoint, target), content, bool(update))
            changes.append(_send(client, endpoint, update, target, change, content))
    triples = body.count(b"\n")  # one line a triple: N-Triples escapes line breaks
    report = PushReport(_shown(endpoint), name, triples, search_graph, keys.count(b"\n"))
    requests = tuple(change.method for change in changes)
    return replace(report, added=changes[0].added, removed=changes[0].removed, requests=requests)


class RemoteGraph:
    """The canned queries, run on a remote SPARQL 1.1 endpoint.

    For example, after ``egov-kg push --inferred --endpoint http://127.0.0.1:7878/store``::

        with RemoteGraph("http://127.0.0.1:7878/query") as remote:
            remote.query("chairs", body="情報セキュリティ政策会議").rows

    Args:
        endpoint: the SPARQL query URL (Oxigraph: ``http://HOST:7878/query``).
        graph: the named graph :func:`push` wrote (default: the closure's).
        search_graph: the graph of its search keys (default: ``GRAPH/search-keys``).
        queries: the canned queries (default: the shipped ones).
        timeout: seconds to wait for each answer.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        graph: str = CLOSURE_GRAPH_IRI,
        search_graph: str | None = None,
        queries: Mapping[str, CannedQuery] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.endpoint = endpoint
        self._name = _shown(endpoint)  # for messages: without credentials
        self.graph = graph
        self.search_graph = search_graph or search_graph_iri(graph)
        self._queries = dict(queries) if queries is not None else None
        self._client = httpx.Client(timeout=timeout)
        self._index: LabelIndex | None = None
        self._checked = False

    @property
    def queries(self) -> dict[str, CannedQuery]:
        """The canned queries by name."""
        if self._queries is None:
            self._queries = load_queries()
        return self._queries

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def __enter__(self) -> RemoteGraph:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _post(self, text: str) -> bytes:
        data = {
            "query": text,
            "default-graph-uri": [self.graph],
            "named-graph-uri": [self.search_graph],
        }
        try:
            response = self._client.post(self.endpoint, data=data, headers={"Accept": SPARQL_JSON})
        except httpx.HTTPError as error:
            raise RemoteError(f"{self._name}: {error}") from None
        return _check(response, self._name).content

    def sparql(self, text: str) -> QueryResult | bool:
        """Run a SELECT or ASK query on the remote graph (its search index as a named graph)."""
        try:
            answer = ox.parse_query_results(self._post(text), ox.QueryResultsFormat.JSON)
        except SyntaxError as error:
            raise RemoteError(f"{self._name}: not SPARQL JSON results: {error}") from None
        if isinstance(answer, ox.QueryBoolean):
            return bool(answer)
        names = [variable.value for variable in answer.variables]
        rows = tuple(tuple(solution[name] for name in names) for solution in answer)
        return QueryResult(tuple(names), rows)

    def _ask(self, text: str) -> bool:
        answer = self.sparql(text)
        if not isinstance(answer, bool):
            raise RemoteError(f"{self._name}: an ASK query got rows back")
        return answer

    def _exists(self, iri: str) -> bool:
        return self._ask(bind_values(_EXISTS_QUERY, {"resource": ox.NamedNode(iri)}))

    def _labels_index(self) -> LabelIndex:
        if self._index is None:
            answer = self.sparql(_LABELS_QUERY)
            if not isinstance(answer, QueryResult):
                raise RemoteError(f"{self._name}: the label query got no rows")
            self._index = LabelIndex(_labels(answer.rows), self._exists, PREFIX_IRIS)
        return self._index

    def _check_graph(self) -> None:
        if self._checked:
            return
        if not self._ask(_ANYTHING_QUERY):
            raise QueryError(
                f"the graph <{self.graph}> at {self._name} is empty; push it first "
                "(egov-kg push --inferred --endpoint GRAPH-STORE-URL)"
            )
        self._checked = True

    def query(self, name: str, /, **params: Any) -> QueryResult:
        """Run the canned query ``name`` remotely; the same rows as :meth:`KnowledgeGraph.query`.

        Raises:
            UnknownQueryError: there is no such query.
            ParameterError: a parameter is missing, unknown, malformed or names nothing.
            RemoteError: the endpoint cannot be reached or answers an error.
        """
        canned = self.queries.get(name)
        if canned is None:
            known = ", ".join(sorted(self.queries))
            raise UnknownQueryError(f"no canned query '{name}'; the queries are: {known}")
        self._check_graph()
        resolves = canned.resolves(params)
        index = self._labels_index() if resolves else LabelIndex([], self._exists, PREFIX_IRIS)
        answer = self.sparql(bind_values(canned.text, canned.bindings(params, index)))
        if not isinstance(answer, QueryResult):
            raise QueryError(f"canned query '{name}' is not a SELECT query")
        return answer
