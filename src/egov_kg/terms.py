"""RDF terms across the two libraries: pyoxigraph's (the query store) and rdflib's (graphs).

Results hold pyoxigraph terms, which cost nothing to import; rdflib is imported only when a
user asks for an rdflib term.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeAlias

import pyoxigraph as ox

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph
    from rdflib.term import Identifier, Node

__all__ = ["Term", "add_triples", "rdflib_triples", "to_oxigraph", "to_rdflib", "to_rdflib_exact"]

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal
"""A term a SPARQL solution can bind (RDF-star triples are not used by egov-kg)."""

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_oxigraph(term: Any) -> Term:
    """The pyoxigraph term with the same lexical form as an rdflib (or pyoxigraph) term."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return term
    from rdflib import BNode, URIRef
    from rdflib import Literal as RdfLiteral

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, RdfLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"not an RDF term: {term!r}")


def to_rdflib(term: Term) -> Identifier:
    """The rdflib term with the same lexical form as a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype))


def to_rdflib_exact(term: Term) -> Identifier:
    """The rdflib term :func:`egov_kg.graph.parse_file` makes of a pyoxigraph term.

    As :func:`to_rdflib`, but a typed literal keeps its lexical form as written (rdflib
    would rewrite ``"01"^^xsd:integer`` as ``"1"``).
    """
    from rdflib import Literal, URIRef

    if isinstance(term, ox.Literal) and not term.language:
        datatype = term.datatype.value
        if datatype != XSD_STRING:
            return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    return to_rdflib(term)


def rdflib_triples(graph: Graph) -> Iterator[tuple[Node, Node, Node]]:
    """The triples of an rdflib graph, read straight from its index when that is safe.

    ``iter(graph)`` asks rdflib's in-memory store for the contexts of every triple (a
    sixth of inference at a million triples); a plain :class:`~rdflib.Graph` alone in its
    in-memory store holds exactly the store's ``subject -> predicate -> object`` index,
    read here without that. Any other graph is iterated as usual.
    """
    from rdflib import Graph
    from rdflib.plugins.stores.memory import Memory

    store = graph.store
    index = getattr(store, "_Memory__spo", None)
    if type(graph) is not Graph or type(store) is not Memory or index is None:
        yield from graph
        return
    if any(context != graph for context in store.contexts()):
        yield from graph
        return
    for subject, by_predicate in index.items():
        for predicate, objects in by_predicate.items():
            for obj in objects:
                yield subject, predicate, obj


def add_triples(graph: Graph, triples: Iterator[tuple[Node, Node, Node]]) -> None:
    """Add rdflib ``triples`` to ``graph``, whose terms are known to be valid RDF terms.

    :meth:`rdflib.Graph.addN` checks every term of every triple first, in Python: twice
    the time of adding it. The terms here come from rdflib graphs already.
    """
    add = graph.store.add
    for triple in triples:
        add(triple, graph, quoted=False)
