"""The triples of a loaded graph for export, read from its files without rdflib graphs.

:meth:`KnowledgeGraph.export <egov_kg.knowledge_graph.KnowledgeGraph.export>` writes the
same bytes as :func:`egov_kg.serialization.serialize` of :attr:`~egov_kg.KnowledgeGraph.
asserted` or :attr:`~egov_kg.KnowledgeGraph.closure`, but builds neither: at a million
triples, parsing them into rdflib and closing them with owlrl's terms takes minutes.

The asserted triples come from the files, checked as strictly as the rdflib graph is
parsed (:func:`egov_kg.graph.checked_triples`), every literal as written: never from the
query store, where Oxigraph keeps ``"1.50"^^xsd:decimal`` as ``"1.5"``. The closure adds
what the rules of ``ontology/rules/`` infer with literals standing in as blank nodes
(:func:`egov_kg.rule_engine.exact_inferred`), the triples the rdflib graph's closure
adds. A graph those rules cannot close (:class:`~egov_kg.rule_engine.UnsupportedAxiomError`)
has no native export: the caller then takes the rdflib path, which closes it with owlrl.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from egov_kg.graph import bound_prefixes, checked_triples
from egov_kg.rule_engine import UnsupportedAxiomError, exact_inferred
from egov_kg.serialization import serialize_statements

__all__ = ["Statements", "serialize", "statements"]


@dataclass(frozen=True)
class Statements:
    """The triples of a graph, as they would be in its rdflib graph, and its prefixes.

    Attributes:
        triples: every triple (duplicates possible: a serializer merges them).
        prefixes: the prefixes the rdflib graph binds, prefix -> namespace.
    """

    triples: list[ox.Triple | ox.Quad]
    prefixes: dict[str, str]


def statements(files: Sequence[Path], *, inferred: bool) -> Statements | None:
    """The triples of the graph loaded from ``files``: asserted, or with their closure.

    The same triples and prefixes as ``KnowledgeGraph.asserted`` (or ``.closure`` when
    ``inferred``) for those files, on pyoxigraph's terms, lexical forms as written.

    Returns:
        them, or ``None`` when only the rdflib path can give the closure (a graph using
        OWL the rules leave out, closed by owlrl).

    Raises:
        DataError: a file is malformed, as when the rdflib graph is parsed.
    """
    asserted, extra = checked_triples(files)
    prefixes = bound_prefixes(extra)
    if not inferred:
        return Statements(asserted, prefixes)  # type: ignore[arg-type]
    try:
        added = exact_inferred(asserted)
    except UnsupportedAxiomError:
        return None
    # The closure graph is a new graph binding the asserted graph's prefixes.
    return Statements([*asserted, *added], bound_prefixes(prefixes))


def serialize(files: Sequence[Path], fmt: str, *, inferred: bool, graph_name: str) -> bytes | None:
    """:func:`egov_kg.serialization.serialize` of the graph of ``files`` (or its closure).

    Returns:
        the bytes, or ``None`` when only the rdflib path can give the closure.

    Raises:
        ValueError: unknown format, or a graph that the format cannot express.
        DataError: a file is malformed.
    """
    with _collector_paused():
        found = statements(files, inferred=inferred)
        if found is None:
            return None
        return serialize_statements(found.triples, found.prefixes, fmt, graph_name=graph_name)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (restored on exit).

    A million triples are millions of new tuples and terms, none in a reference cycle:
    the collector would walk them again and again for nothing (a third of the time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
