"""The knowledge graph as a notebook user meets it: load once, then ask questions.

>>> import egov_kg
>>> kg = egov_kg.load()
>>> [row["holder_en"] for row in kg.query("chairs", body="情報セキュリティ政策会議")]
['Chief Cabinet Secretary', 'Minister in charge of IT policy']
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from egov_kg.graph import bind_prefixes, load_files, new_graph
from egov_kg.namespaces import EGOV, SKOS
from egov_kg.queries import CannedQuery, LabelIndex, QueryError, UnknownQueryError, load_queries
from egov_kg.reasoning import cache_dir, cached_closure, content_key, write_cache_file
from egov_kg.resources import data_files, ontology_file
from egov_kg.results import QueryResult

__all__ = ["KnowledgeGraph", "load"]


class KnowledgeGraph:
    """The egov-kg graph with its canned queries.

    Attributes:
        graph: the rdflib graph (ontology + data, or its OWL-RL closure when loaded with
            ``inferred=True``), for users who want rdflib itself.
        asserted: the ontology + data as written in the files.
    """

    def __init__(
        self,
        asserted: Graph,
        *,
        inferred: bool = False,
        key: str | None = None,
        queries: Mapping[str, CannedQuery] | None = None,
        closure: Graph | None = None,
    ) -> None:
        self.asserted = asserted
        self._key = key
        self._queries = dict(queries) if queries is not None else None
        if closure is not None:
            self.__dict__["closure"] = closure
        self.graph = self.closure if inferred else asserted

    @cached_property
    def closure(self) -> Graph:
        """The OWL-RL closure of :attr:`asserted`, without owlrl's axiomatic noise (cached)."""
        closure = cached_closure(self.asserted, self._key)
        if self._key is not None:
            _write_snapshot(self._key, self.asserted, closure)
        return closure

    @property
    def queries(self) -> dict[str, CannedQuery]:
        """The canned queries by name, each with its summary and parameters."""
        if self._queries is None:
            self._queries = load_queries()
        return self._queries

    @cached_property
    def _index(self) -> LabelIndex:
        return LabelIndex(self.closure)

    @cached_property
    def _search_graph(self) -> Graph:
        """The closure plus one ``egov:searchKey`` per label: what canned queries run on.

        The keys (NFKC, case-folded labels) live only here, never in :attr:`graph` or in
        exports: they are an index, not data.
        """
        graph = new_graph()
        graph += self.closure
        for subject, key in self._index.search_keys():
            graph.add((subject, EGOV.searchKey, Literal(key)))
        return bind_prefixes(graph, {p: str(ns) for p, ns in self.closure.namespaces()})

    def resolve(self, value: str) -> URIRef:
        """The resource an IRI, prefixed name or ja/en label names."""
        return self._index.resolve(value)

    def label(self, node: object, lang: str = "en") -> str | None:
        """The ``skos:prefLabel`` of ``node`` in ``lang``, if it has one."""
        for label in self.asserted.objects(node, SKOS.prefLabel):  # type: ignore[arg-type]
            if isinstance(label, Literal) and label.language == lang:
                return str(label)
        return None

    def query(self, name: str, /, **params: Any) -> QueryResult:
        """Run the canned query ``name`` with its parameters, on the OWL-RL closure.

        Raises:
            UnknownQueryError: there is no such query.
            ParameterError: a parameter is missing, unknown, malformed or names nothing.
        """
        canned = self.queries.get(name)
        if canned is None:
            known = ", ".join(sorted(self.queries))
            raise UnknownQueryError(f"no canned query '{name}'; the queries are: {known}")
        bindings = canned.bindings(params, self._index)
        result = self._search_graph.query(canned.prepared, initBindings=bindings)
        return _select(result)

    def sparql(self, text: str) -> QueryResult | Graph | bool:
        """Run any SELECT, ASK, CONSTRUCT or DESCRIBE query on the OWL-RL closure."""
        try:
            result = self.closure.query(text)
        except Exception as error:  # rdflib raises pyparsing errors on bad syntax
            raise QueryError(f"SPARQL: {error}") from None
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            graph = new_graph()
            if result.graph is not None:
                graph += result.graph
            return bind_prefixes(graph, {p: str(ns) for p, ns in self.closure.namespaces()})
        return _select(result)


def _select(result: Result) -> QueryResult:
    variables = tuple(str(v) for v in (result.vars or ()))
    rows = tuple(tuple(row) for row in result)  # type: ignore[arg-type]
    return QueryResult(variables, rows)


def load(
    data_dir: Path | str | None = None,
    *,
    inferred: bool = False,
    ontology: Path | str | None = None,
    queries: Path | str | None = None,
) -> KnowledgeGraph:
    """Load the knowledge graph: ontology + data files, strictly parsed.

    Args:
        data_dir: folder of Turtle data files; default: the shipped ``data/``.
        inferred: make :attr:`KnowledgeGraph.graph` the OWL-RL closure (computed once and
            cached on disk, keyed by a hash of the files).
        ontology: the OWL ontology file; default: the shipped ``ontology/egov.ttl``.
        queries: folder of canned ``*.rq`` queries; default: the shipped ``queries/``.

    Raises:
        DataError: a file is malformed, located as ``path:line:column``.
    """
    files = [Path(ontology) if ontology is not None else ontology_file(), *data_files(data_dir)]
    key = content_key(*(bytes(str(f.name), "utf-8") + f.read_bytes() for f in files))
    canned = load_queries(Path(queries)) if queries is not None else None
    if canned is not None and not canned:
        raise QueryError(f"{queries}: no *.rq query files")
    snapshot = _read_snapshot(key)
    if snapshot is not None:
        asserted, closure = snapshot
        return KnowledgeGraph(asserted, inferred=inferred, key=key, queries=canned, closure=closure)
    return KnowledgeGraph(load_files(files), inferred=inferred, key=key, queries=canned)


def _snapshot_path(key: str) -> Path:
    return cache_dir() / f"graphs-{key}.pickle"


def _read_snapshot(key: str) -> tuple[Graph, Graph] | None:
    """The asserted graph and closure saved by an earlier load of the same files.

    The key hashes the files' bytes (and the versions of the code), so a snapshot is only
    ever read for input that was parsed strictly and reasoned over before. It is a pickle
    in the user's own cache folder, written by egov-kg.
    """
    path = _snapshot_path(key)
    try:
        with path.open("rb") as handle:
            asserted, closure = pickle.load(handle)  # noqa: S301 - our own cache file
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged snapshot is rebuilt, not fatal
        path.unlink(missing_ok=True)
        return None
    if not isinstance(asserted, Graph) or not isinstance(closure, Graph):
        return None
    return asserted, closure


def _write_snapshot(key: str, asserted: Graph, closure: Graph) -> None:
    write_cache_file(_snapshot_path(key), pickle.dumps((asserted, closure), protocol=5))
