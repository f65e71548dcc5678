"""OWL 2 RL inference with owlrl."""

from __future__ import annotations

import owlrl
from rdflib import Graph, Literal

from egov_kg.graph import bind_prefixes

__all__ = ["infer"]


def infer(graph: Graph) -> Graph:
    """Return a new graph: ``graph`` plus its OWL 2 RL closure; ``graph`` is not modified.

    owlrl works on generalized RDF and also derives triples whose subject is a literal
    (e.g. ``"1"^^xsd:integer rdf:type xsd:integer``). Those are not RDF, cannot be written
    in any export format, and are dropped.
    """
    closure = Graph(bind_namespaces="none")
    closure += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    for triple in [t for t in closure if isinstance(t[0], Literal)]:
        closure.remove(triple)
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
    return bind_prefixes(closure, prefixes)
