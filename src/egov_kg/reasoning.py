"""OWL 2 RL inference with owlrl, without its axiomatic noise, cached on disk.

owlrl is the reference semantics. Its closure also restates the RDF, RDFS, OWL and XSD
vocabularies about themselves and derives triples that are not RDF (literal subjects);
:func:`closure` keeps only what the axioms say about the data and the ontology's own terms.
Computing it takes seconds, so :func:`cached_closure` keeps it in the user's cache folder,
keyed by a hash of its input.

``closure(graph, engine="fast")`` computes the same closure with the SPARQL rules of
``ontology/rules/`` in Oxigraph (:mod:`egov_kg.rule_engine`), in seconds at a million
triples; a graph using OWL those rules leave out raises
:class:`~egov_kg.rule_engine.UnsupportedAxiomError` rather than get a different closure.
:func:`cached_closure` (what :func:`egov_kg.load` uses) takes the fast path and falls back
to owlrl for such a graph.
"""

from __future__ import annotations

import typing

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from egov_kg.cache import cache_dir, content_key, write_cache_file
from egov_kg.graph import bind_prefixes, new_graph
from egov_kg.limits import bounded_owlrl, check_same_as
from egov_kg.namespaces import OWL, RDF, RDFS, XSD
from egov_kg.terms import add_triples, rdflib_triples

__all__ = [
    "Engine",
    "cache_dir",
    "cached_closure",
    "closure",
    "content_key",
    "infer",
    "write_cache_file",
]

Engine = typing.Literal["owlrl", "fast"]
"""How to compute a closure: ``"owlrl"`` (the reference) or ``"fast"`` (SPARQL rules)."""

_VOCABULARIES = tuple(str(ns) for ns in (RDF, RDFS, OWL, XSD))
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource}


def infer(graph: Graph) -> Graph:
    """Return a new graph: ``graph`` plus its OWL 2 RL closure; ``graph`` is not modified.

    owlrl works on generalized RDF and also derives triples whose subject is a literal
    (e.g. ``"1"^^xsd:integer rdf:type xsd:integer``). Those are not RDF, cannot be written
    in any export format, and are dropped.

    Raises:
        InferenceLimitError: the closure would pass its size or time bound
            (:mod:`egov_kg.limits`), e.g. thousands of resources all ``owl:sameAs``.
    """
    import owlrl  # imported here: only inference needs it, and it is slow to import

    check_same_as(graph)
    expanded = Graph(bind_namespaces="none")
    expanded += graph
    owlrl.DeductiveClosure(bounded_owlrl()).expand(expanded)
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


def closure(graph: Graph, *, engine: Engine = "owlrl") -> Graph:
    """Return ``graph`` plus the OWL 2 RL facts its axioms promise, without owlrl's noise.

    Dropped: triples about terms of the rdf:, rdfs:, owl: and xsd: vocabularies alone,
    literal subjects, new blank nodes, ``x owl:sameAs x`` and ``x rdf:type owl:Thing``
    (or ``rdfs:Resource``). Kept: inverses, super-properties, super-classes, transitive
    parents, domains and ranges. ``graph`` is not modified.

    Args:
        graph: the asserted graph.
        engine: ``"owlrl"``, the reference semantics, or ``"fast"``, the same closure by
            the SPARQL rules of ``ontology/rules/`` run in Oxigraph.

    Raises:
        InferenceLimitError: (owlrl) the closure would pass its size or time bound.
        UnsupportedAxiomError: (fast) the graph uses OWL the rules do not implement.
        ValueError: an unknown engine.
    """
    result = new_graph()
    if engine == "fast":
        from egov_kg.rule_engine import inferred_triples

        inferred = inferred_triples(graph)
        add_triples(result, rdflib_triples(graph))
        add_triples(result, iter(inferred))
    elif engine == "owlrl":
        full = infer(graph)
        result += (t for t in full if not _noise(t, graph))
    else:
        raise ValueError(f"unknown inference engine {engine!r}; expected 'owlrl' or 'fast'")
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
    return bind_prefixes(result, prefixes)


def _fast_or_owlrl(graph: Graph) -> Graph:
    """:func:`closure` by the fast engine, or by owlrl if the graph uses OWL it leaves out."""
    from egov_kg.rule_engine import UnsupportedAxiomError

    try:
        return closure(graph, engine="fast")
    except UnsupportedAxiomError:
        return closure(graph, engine="owlrl")


def cached_closure(graph: Graph, key: str | None = None, *, engine: Engine = "fast") -> Graph:
    """:func:`closure` of ``graph``, read from the cache when it was computed before.

    Both engines give the same closure, so either may have computed a cached one.

    Args:
        graph: the asserted graph.
        key: a hash of the files ``graph`` was loaded from (see :func:`content_key`);
            default: a hash of the graph's own triples.
        engine: ``"fast"`` (default; owlrl for a graph using OWL the fast rules leave
            out) or ``"owlrl"``.
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
    result = _fast_or_owlrl(graph) if engine == "fast" else closure(graph, engine="owlrl")
    write_cache_file(path, result.serialize(format="nt", encoding="utf-8"))
    return result
