"""OWL 2 RL inference with owlrl, without its axiomatic noise, cached on disk.

owlrl is the reference semantics. Its closure also restates the RDF, RDFS, OWL and XSD
vocabularies about themselves and derives triples that are not RDF (literal subjects);
:func:`closure` keeps only what the axioms say about the data and the ontology's own terms.
Computing it takes seconds, so :func:`cached_closure` keeps it in the user's cache folder,
keyed by a hash of its input.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from egov_kg.cache import cache_dir, content_key, write_cache_file
from egov_kg.graph import bind_prefixes, new_graph
from egov_kg.namespaces import OWL, RDF, RDFS, XSD

__all__ = ["cache_dir", "cached_closure", "closure", "content_key", "infer", "write_cache_file"]

_VOCABULARIES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource}


def infer(graph: Graph) -> Graph:
    """Return a new graph: ``graph`` plus its OWL 2 RL closure; ``graph`` is not modified.

    owlrl works on generalized RDF and also derives triples whose subject is a literal
    (e.g. ``"1"^^xsd:integer rdf:type xsd:integer``). Those are not RDF, cannot be written
    in any export format, and are dropped.
    """
    import owlrl  # imported here: only inference needs it, and it is slow to import

    expanded = Graph(bind_namespaces="none")
    expanded += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(expanded)
    for triple in [t for t in expanded if isinstance(t[0], Literal)]:
        expanded.remove(triple)
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
    return bind_prefixes(expanded, prefixes)


def _noise(triple: tuple[Node, Node, Node], asserted: Graph) -> bool:
    """Whether an inferred triple is axiomatic noise rather than a fact about the data."""
    s, p, o = triple
    if triple in asserted:
        return False
    if isinstance(s, Literal | BNode) or isinstance(o, BNode):
        return True
    if isinstance(s, URIRef) and str(s).startswith(_VOCABULARIES):
        return True  # the closure restating rdf:, rdfs:, owl: and xsd: about themselves
    if p == OWL.sameAs and s == o:
        return True
    return p == RDF.type and o in _TRIVIAL_TYPES


def closure(graph: Graph) -> Graph:
    """Return ``graph`` plus the OWL 2 RL facts its axioms promise, without owlrl's noise.

    Dropped: triples about terms of the rdf:, rdfs:, owl: and xsd: vocabularies alone,
    literal subjects, new blank nodes, ``x owl:sameAs x`` and ``x rdf:type owl:Thing``
    (or ``rdfs:Resource``). Kept: inverses, super-properties, super-classes, transitive
    parents, domains and ranges. ``graph`` is not modified.
    """
    full = infer(graph)
    result = new_graph()
    result += (t for t in full if not _noise(t, graph))
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
    return bind_prefixes(result, prefixes)


def cached_closure(graph: Graph, key: str | None = None) -> Graph:
    """:func:`closure` of ``graph``, read from the cache when it was computed before.

    Args:
        graph: the asserted graph.
        key: a hash of the files ``graph`` was loaded from (see :func:`content_key`);
            default: a hash of the graph's own triples.
    """
    if key is None:
        lines = sorted(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in graph)
        key = content_key("\n".join(lines).encode())
    path = cache_dir() / f"closure-{key}.nt"
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
    if path.is_file():
        cached = new_graph()
        try:
            cached.parse(path, format="nt")
        except Exception:  # noqa: BLE001 - a damaged cache file is recomputed, not fatal
            path.unlink(missing_ok=True)
        else:
            return bind_prefixes(cached, prefixes)
    result = closure(graph)
    write_cache_file(path, result.serialize(format="nt", encoding="utf-8"))
    return result
