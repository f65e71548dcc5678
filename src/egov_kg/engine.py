"""Where queries run: Oxigraph by default, rdflib as the reference.

:class:`OxigraphEngine` answers from a pyoxigraph store, 10 to 100 times faster than
rdflib's evaluator and without importing rdflib at all. :class:`RdflibEngine` answers from
an rdflib graph; the tests run every canned query on both and require identical rows.

Both bind parameters as RDF terms: Oxigraph by writing each term, escaped, in place of its
variable (:func:`~egov_kg.binding.inline_terms`, what SEP-0007 substitution means, but
visible to the planner), rdflib through ``initBindings`` on the prepared query.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from egov_kg.binding import inline_terms
from egov_kg.iris import PREFIX_IRIS, SEARCH_KEYS_GRAPH_IRI
from egov_kg.queries import LABEL_PROPERTIES, CannedQuery, Label, LabelIndex, QueryError
from egov_kg.resources import queries_dir
from egov_kg.results import QueryResult
from egov_kg.terms import Term, to_oxigraph, to_rdflib

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph
    from rdflib.query import Result

__all__ = [
    "Engine",
    "OxigraphEngine",
    "RdflibEngine",
    "ResultLimitError",
    "SEARCH_KEY",
    "index_queries",
    "label_index",
    "rdflib_result",
]

SEARCH_KEY = ox.NamedNode(PREFIX_IRIS["egov"] + "searchKey")
_SEARCH_KEYS_GRAPH = ox.NamedNode(SEARCH_KEYS_GRAPH_IRI)
_LABELS_QUERY = (
    "SELECT ?resource ?property ?label WHERE { VALUES ?property { "
    + " ".join(f"<{iri}>" for iri in LABEL_PROPERTIES)
    + " } ?resource ?property ?label FILTER (isIRI(?resource) && isLiteral(?label)) }"
)


class Engine(Protocol):
    """Runs canned queries with bound parameters, and free SELECT queries."""

    def select(
        self, canned: CannedQuery, bindings: Mapping[str, Term], limit: int | None = None
    ) -> QueryResult:
        """Run ``canned`` with ``bindings`` (variable name without ``?`` -> term).

        With ``limit``, at most that many rows are read; the result is ``truncated`` when
        there were more.
        """
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
    :data:`~egov_kg.iris.SEARCH_KEYS_GRAPH_IRI` is the index: one ``egov:searchKey`` per
    label, each labelled resource's ``egov:searchClass`` and each dated event's span of days
    (``egov:earliestDay``, ``egov:latestDay``), which canned queries reach with
    ``GRAPH ?index { ... }``.
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
        """Build the index graph: the keys of ``index``, then what ``queries/index/*.rq`` make.

        Each index query (``search-classes.rq``: each keyed resource's class;
        ``event-days.rq``: each dated event's days) runs here, once, on the closure plus the
        keys, rather than at every query; their answers go into the same named graph.
        """
        self.store.remove_graph(_SEARCH_KEYS_GRAPH)
        self.store.bulk_extend(
            ox.Quad(ox.NamedNode(resource), SEARCH_KEY, ox.Literal(key), _SEARCH_KEYS_GRAPH)
            for resource, key in index.search_keys()
        )
        built = [
            triple
            for text in index_queries()
            for triple in self.store.query(text, use_default_graph_as_union=True)  # type: ignore[union-attr]
        ]
        self.store.bulk_extend(
            ox.Quad(triple.subject, triple.predicate, triple.object, _SEARCH_KEYS_GRAPH)
            for triple in built
        )

    def select(
        self, canned: CannedQuery, bindings: Mapping[str, Term], limit: int | None = None
    ) -> QueryResult:
        """Run ``canned`` with the values written into its text (:func:`inline_terms`).

        The default graph is the closure alone; the index graph is a named graph. (A union
        default graph would be the same answers, but Oxigraph joins over it several times
        slower.) Written in, the values are constants to Oxigraph's planner; passed as
        SEP-0007 substitutions they are not, and a date filter then runs after every join.
        """
        solutions = self.store.query(inline_terms(canned.text, bindings))
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError(f"canned query '{canned.name}' is not a SELECT query")
        return _result(solutions, set(), limit)

    def query(self, text: str, limit: int | None = None) -> QueryResult | bool | list[ox.Triple]:
        """Run any SELECT, ASK, CONSTRUCT or DESCRIBE query on the default graph.

        With ``limit``, solutions and triples are read one by one and reading stops after
        ``limit``: a SELECT result is then ``truncated``, and a graph answer with more
        triples raises :class:`ResultLimitError` (a graph cut short would mislead).
        """
        try:
            answer = self.store.query(text)
        except SyntaxError as error:
            raise QueryError(f"SPARQL: {error}") from None
        if isinstance(answer, ox.QueryBoolean):
            return bool(answer)
        if isinstance(answer, ox.QuerySolutions):
            return _result(answer, set(), limit)
        triples = list(answer if limit is None else itertools.islice(answer, limit + 1))
        if limit is not None and len(triples) > limit:
            raise ResultLimitError(
                f"the answer has more than {limit} triples, the limit; narrow the query"
            )
        return triples


def index_queries() -> list[str]:
    """The CONSTRUCT queries of ``queries/index``, by file name: what the index graph holds."""
    paths = sorted((queries_dir() / "index").glob("*.rq"))
    return [path.read_text(encoding="utf-8") for path in paths]


class ResultLimitError(QueryError):
    """A graph answer (CONSTRUCT, DESCRIBE) has more triples than the limit asked for."""


def _result(
    solutions: ox.QuerySolutions, hidden: set[str], limit: int | None = None
) -> QueryResult:
    """The rows of ``solutions`` without the ``hidden`` columns, reading at most ``limit``."""
    names = [variable.value for variable in solutions.variables]
    kept = [index for index, name in enumerate(names) if name not in hidden]
    read = solutions if limit is None else itertools.islice(solutions, limit + 1)
    rows = tuple(tuple(solution[index] for index in kept) for solution in read)
    truncated = limit is not None and len(rows) > limit
    if truncated:
        rows = rows[:limit]
    return QueryResult(tuple(names[index] for index in kept), rows, truncated=truncated)


class RdflibEngine:
    """Canned queries on an rdflib graph: the reference the Oxigraph answers are checked by.

    For the ``search`` query to find anything, ``graph`` must be a dataset that also holds
    the search index as a named graph (see :meth:`OxigraphEngine.add_search_keys`).
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def select(
        self, canned: CannedQuery, bindings: Mapping[str, Term], limit: int | None = None
    ) -> QueryResult:
        """Run ``canned`` with ``initBindings`` on its prepared query."""
        initial = {name: to_rdflib(term) for name, term in bindings.items()}
        return rdflib_result(self.graph.query(canned.prepared, initBindings=initial), limit)


def rdflib_result(result: Result, limit: int | None = None) -> QueryResult:
    """An rdflib SELECT result as a :class:`QueryResult` (of pyoxigraph terms).

    With ``limit``, at most that many rows are read; the result is then ``truncated``.
    """
    variables = tuple(str(v) for v in (result.vars or ()))
    read = result if limit is None else itertools.islice(result, limit + 1)
    rows = tuple(
        tuple(None if term is None else to_oxigraph(term) for term in row)  # type: ignore[union-attr]
        for row in read
    )
    truncated = limit is not None and len(rows) > limit
    return QueryResult(variables, rows[:limit] if truncated else rows, truncated=truncated)
