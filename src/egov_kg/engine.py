"""Where queries run: Oxigraph by default, rdflib as the reference.

:class:`OxigraphEngine` answers from a pyoxigraph store, 10 to 100 times faster than
rdflib's evaluator and without importing rdflib at all. :class:`RdflibEngine` answers from
an rdflib graph; the tests run every canned query on both and require identical rows.

Both bind parameters as RDF terms: Oxigraph through SEP-0007 substitutions (the canned
query's :attr:`~egov_kg.queries.CannedQuery.projected_text`, whose parameter columns are
dropped from the result), rdflib through ``initBindings`` on the prepared query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from egov_kg.iris import SEARCH_KEYS_GRAPH_IRI
from egov_kg.queries import LABEL_PROPERTIES, CannedQuery, Label, LabelIndex, QueryError
from egov_kg.results import QueryResult
from egov_kg.terms import Term, to_oxigraph, to_rdflib

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph
    from rdflib.query import Result

__all__ = ["Engine", "OxigraphEngine", "RdflibEngine", "SEARCH_KEY", "label_index", "rdflib_result"]

SEARCH_KEY = ox.NamedNode("https://w3id.org/egov-kg/ontology#searchKey")
_SEARCH_KEYS_GRAPH = ox.NamedNode(SEARCH_KEYS_GRAPH_IRI)
_LABELS_QUERY = (
    "SELECT ?resource ?property ?label WHERE { VALUES ?property { "
    + " ".join(f"<{iri}>" for iri in LABEL_PROPERTIES)
    + " } ?resource ?property ?label FILTER (isIRI(?resource) && isLiteral(?label)) }"
)


class Engine(Protocol):
    """Runs canned queries with bound parameters, and free SELECT queries."""

    def select(self, canned: CannedQuery, bindings: Mapping[str, Term]) -> QueryResult:
        """Run ``canned`` with ``bindings`` (variable name without ``?`` -> term)."""
        ...  # pragma: no cover


def label_index(labels: Iterable[tuple[Term, Term, Term]], store: ox.Store) -> LabelIndex:
    """A :class:`LabelIndex` over (resource, property, label) terms, checking IRIs in ``store``."""

    def exists(iri: str) -> bool:
        node = ox.NamedNode(iri)
        return any(store.quads_for_pattern(node, None, None)) or any(
            store.quads_for_pattern(None, None, node)
        )

    entries = [
        Label(resource.value, prop.value, label.value, label.language)
        for resource, prop, label in labels
        if isinstance(resource, ox.NamedNode) and isinstance(label, ox.Literal)
    ]
    return LabelIndex(entries, exists)


class OxigraphEngine:
    """Canned and free queries on a pyoxigraph store.

    The store's default graph is the graph queried (the OWL-RL closure); the named graph
    :data:`~egov_kg.iris.SEARCH_KEYS_GRAPH_IRI` holds one ``egov:searchKey`` per label,
    which only canned queries see.
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad]) -> OxigraphEngine:
        """An engine over an in-memory store holding ``quads``."""
        store = ox.Store()
        store.bulk_extend(quads)
        return cls(store)

    def labels(self) -> LabelIndex:
        """The label index of the queried graph."""
        rows = self.store.query(_LABELS_QUERY)
        assert isinstance(rows, ox.QuerySolutions)
        return label_index(((r[0], r[1], r[2]) for r in rows), self.store)

    def add_search_keys(self, index: LabelIndex) -> None:
        """Store the search keys of ``index`` in their own named graph."""
        self.store.remove_graph(_SEARCH_KEYS_GRAPH)
        self.store.bulk_extend(
            ox.Quad(ox.NamedNode(resource), SEARCH_KEY, ox.Literal(key), _SEARCH_KEYS_GRAPH)
            for resource, key in index.search_keys()
        )

    def select(self, canned: CannedQuery, bindings: Mapping[str, Term]) -> QueryResult:
        """Run ``canned``: SEP-0007 substitutions on its projected text, on the union graph."""
        solutions = self.store.query(
            canned.projected_text,
            use_default_graph_as_union=True,
            substitutions={ox.Variable(name): term for name, term in bindings.items()},
        )
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError(f"canned query '{canned.name}' is not a SELECT query")
        hidden = {parameter.variable for parameter in canned.parameters}
        return _result(solutions, hidden)

    def query(self, text: str) -> QueryResult | bool | list[ox.Triple]:
        """Run any SELECT, ASK, CONSTRUCT or DESCRIBE query on the default graph."""
        try:
            answer = self.store.query(text)
        except SyntaxError as error:
            raise QueryError(f"SPARQL: {error}") from None
        if isinstance(answer, ox.QueryBoolean):
            return bool(answer)
        if isinstance(answer, ox.QuerySolutions):
            return _result(answer, set())
        return list(answer)


def _result(solutions: ox.QuerySolutions, hidden: set[str]) -> QueryResult:
    names = [variable.value for variable in solutions.variables]
    kept = [index for index, name in enumerate(names) if name not in hidden]
    rows = tuple(tuple(solution[index] for index in kept) for solution in solutions)
    return QueryResult(tuple(names[index] for index in kept), rows)


class RdflibEngine:
    """Canned queries on an rdflib graph: the reference the Oxigraph answers are checked by.

    The graph must already hold the search keys (see :meth:`OxigraphEngine.add_search_keys`)
    if the ``search`` query is to find anything.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def select(self, canned: CannedQuery, bindings: Mapping[str, Term]) -> QueryResult:
        """Run ``canned`` with ``initBindings`` on its prepared query."""
        initial = {name: to_rdflib(term) for name, term in bindings.items()}
        return rdflib_result(self.graph.query(canned.prepared, initBindings=initial))


def rdflib_result(result: Result) -> QueryResult:
    """An rdflib SELECT result as a :class:`QueryResult` (of pyoxigraph terms)."""
    variables = tuple(str(v) for v in (result.vars or ()))
    rows = tuple(
        tuple(None if term is None else to_oxigraph(term) for term in row)  # type: ignore[union-attr]
        for row in result
    )
    return QueryResult(variables, rows)
