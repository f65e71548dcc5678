"""The OWL 2 RL closure by SPARQL rules run to a fixpoint in Oxigraph: owlrl's result, fast.

owlrl (:mod:`egov_kg.reasoning`) is the reference semantics, but it is pure Python and
takes minutes at a hundred thousand triples. The rules in ``ontology/rules/`` are the OWL 2
RL rules for exactly the constructs the ontology uses (sub-classes and sub-properties,
equivalent classes and properties, inverse, symmetric and transitive properties, domains
and ranges), each a SPARQL ``CONSTRUCT`` file written as owlrl implements it. They run
semi-naively: each round, every rule joins at least one premise from the triples the
previous round derived (``GRAPH ?delta``) with everything known, until a round derives
nothing. Rules named ``scm-*`` (the schema rules) first run alone to their fixpoint, so the
data is joined with a complete schema at once.

Literals are passed to Oxigraph as blank nodes, so that a literal keeps its exact lexical
form (Oxigraph would store ``"1.50"^^xsd:decimal`` as ``"1.5"``) and can be a subject, as
in owlrl (``x p "a"`` and ``p owl:inverseOf q`` give ``"a" q x``, whose consequences count).

:func:`native_inferred` runs the same rules on Oxigraph's own terms, for
:func:`egov_kg.load`, which builds its query store without rdflib: literals are literals
there (as in the query store, where ``"1.50"`` is ``"1.5"`` anyway), so a graph from which
owlrl would derive a literal subject (``checks/literal-subjects.rq``) is refused, and
closed by the rdflib path instead.

``ontology/rules/checks/unsupported.rq`` finds what would make owlrl derive more than the
rules (an OWL construct they leave out, ``owl:sameAs``, axioms on ``rdf:type``...): such a
graph raises :class:`UnsupportedAxiomError` instead of getting a closure that may differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from egov_kg.resources import ontology_dir
from egov_kg.terms import rdflib_triples

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph
    from rdflib.term import Node

__all__ = [
    "UnsupportedAxiomError",
    "exact_inferred",
    "inferred_triples",
    "native_inferred",
    "rule_files",
]

_PREFIX = "urn:egov-kg:reasoning:"
_ASSERTED = ox.NamedNode(_PREFIX + "asserted")
_DELTA = ox.Variable("delta")
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_VOCABULARIES = (_RDF, _RDFS, _OWL, _XSD)
_TYPE = ox.NamedNode(_RDF + "type")
_SAME_AS = ox.NamedNode(_OWL + "sameAs")
_TRIVIAL_TYPES = frozenset({ox.NamedNode(_OWL + "Thing"), ox.NamedNode(_RDFS + "Resource")})
# owlrl's one-time rules cls-thing and cls-nothing1.
_ONE_TIME = tuple(
    ox.Quad(ox.NamedNode(_OWL + name), _TYPE, ox.NamedNode(_OWL + "Class"), _ASSERTED)
    for name in ("Thing", "Nothing")
)
_BLANK = "b"  # ids of the blank nodes that stand for the graph's blank nodes
_LITERAL = "l"  # ... and for its literals


class UnsupportedAxiomError(ValueError):
    """The graph uses OWL the rules do not implement: use owlrl (``engine="owlrl"``)."""


def _rules_dir() -> Path:
    return ontology_dir() / "rules"


@cache
def rule_files() -> tuple[Path, ...]:
    """The rule files, ``ontology/rules/*.rq``, sorted by name."""
    return tuple(sorted(_rules_dir().glob("*.rq")))


@cache
def _rules() -> tuple[tuple[str, str], ...]:
    return tuple((path.stem, path.read_text(encoding="utf-8")) for path in rule_files())


class _Terms:
    """rdflib terms to Oxigraph terms and back; literals and blank nodes as blank nodes.

    Terms are cached by their kind and text: rdflib's own term equality is Python code,
    slow when it runs a million times.
    """

    def __init__(self) -> None:
        from rdflib import BNode, Literal, URIRef

        self.to_ox: dict[tuple[str, ...], ox.NamedNode | ox.BlankNode] = {}
        self.from_ox: dict[ox.NamedNode, Node] = {}
        self.literals: list[Node] = []
        self.blanks: list[Node] = []
        self._kinds = (URIRef, Literal, BNode)

    def _make(self, key: tuple[str, ...], node: Node) -> ox.NamedNode | ox.BlankNode:
        URIRef, Literal, BNode = self._kinds  # noqa: N806 - rdflib's classes

        if isinstance(node, URIRef):
            iri = ox.NamedNode(key[0])
            self.from_ox[iri] = node
            made: ox.NamedNode | ox.BlankNode = iri
        elif isinstance(node, Literal):
            made = ox.BlankNode(f"{_LITERAL}{len(self.literals)}")
            self.literals.append(node)
        elif isinstance(node, BNode):
            made = ox.BlankNode(f"{_BLANK}{len(self.blanks)}")
            self.blanks.append(node)
        else:
            raise UnsupportedAxiomError(f"not an RDF term: {node!r}")
        self.to_ox[key] = made
        return made

    def quads(self, graph: Graph) -> Iterator[ox.Quad]:
        from rdflib import Literal, URIRef

        cached = self.to_ox.get
        make = self._make

        def term(node: Node) -> ox.NamedNode | ox.BlankNode:
            kind = type(node)
            if kind is URIRef:
                key: tuple[str, ...] = (str(node),)
            elif kind is Literal:
                literal: Literal = node  # type: ignore[assignment]
                key = (str(literal), literal.language or "", str(literal.datatype), "")
            else:
                key = (kind.__name__, str(node))
            found = cached(key)
            return make(key, node) if found is None else found

        for s, p, o in rdflib_triples(graph):
            if type(p) is not URIRef:
                raise UnsupportedAxiomError(f"a predicate must be an IRI, not {p!r}")
            yield ox.Quad(term(s), term(p), term(o), _ASSERTED)  # type: ignore[arg-type]

    def back(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        if isinstance(term, ox.NamedNode):
            node = self.from_ox.get(term)
            if node is None:
                from rdflib import URIRef

                node = self.from_ox[term] = URIRef(term.value)
            return node
        if isinstance(term, ox.BlankNode):
            index = int(term.value[1:])
            return self.literals[index] if term.value[0] == _LITERAL else self.blanks[index]
        raise ValueError(f"the rules made a literal: {term}")  # pragma: no cover


def _noise(
    s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode, o: object, stand_ins: bool = True
) -> bool:
    """:func:`egov_kg.reasoning._noise` on an inferred triple, in Oxigraph terms.

    Literal subjects and blank nodes (both blank nodes here when ``stand_ins``: literals
    stand in as blank nodes), triples about the rdf:, rdfs:, owl: and xsd: vocabularies,
    ``x owl:sameAs x`` and ``x rdf:type owl:Thing`` are noise.
    """
    if isinstance(s, ox.BlankNode) or (
        isinstance(o, ox.BlankNode) and (not stand_ins or o.value[0] == _BLANK)
    ):
        return True
    if s.value.startswith(_VOCABULARIES):
        return True
    if p == _SAME_AS and s == o:
        return True
    return p == _TYPE and o in _TRIVIAL_TYPES


def _derive(
    store: ox.Store,
    rules: Iterable[str],
    delta: ox.NamedNode,
    known: list[ox.NamedNode],
    into: ox.NamedNode,
) -> int:
    """Run ``rules`` once; add what they derive that is not in ``known`` to graph ``into``."""
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = list(known)
    added = 0
    for text in rules:
        found = store.query(text, default_graph=graphs, substitutions={_DELTA: delta})
        new = {
            ox.Quad(t.subject, t.predicate, t.object, into)
            for t in found  # type: ignore[union-attr]
            if next(store.quads_for_pattern(t.subject, t.predicate, t.object), None) is None
        }
        store.extend(new)
        added += len(new)
    return added


def _rounds(store: ox.Store, rules: list[str], name: str) -> list[ox.NamedNode]:
    """Run ``rules`` on graph ``_ASSERTED`` to a fixpoint; return the graphs they wrote.

    Semi-naive: the first round's delta is every asserted triple, each later round's the
    triples the round before derived. Each rule joins at least one premise from the delta
    (``GRAPH ?delta``) with the others from anything known, so every combination of known
    triples is joined once a round has seen the newest of them.
    """
    written: list[ox.NamedNode] = []
    delta = _ASSERTED
    for round_number in range(1, 1_000_000):
        current = ox.NamedNode(f"{_PREFIX}{name}-{round_number}")
        if not _derive(store, rules, delta, [_ASSERTED, *written, current], current):
            break
        written.append(current)
        delta = current
    return written


def _fixpoint(store: ox.Store) -> tuple[list[ox.Quad], list[ox.NamedNode]]:
    """Run the rules on graph ``_ASSERTED`` to a fixpoint.

    The schema rules (``scm-*``) join schema triples only: they first run alone to their
    own fixpoint, whose triples are then added to the asserted graph, so that the first
    round of all the rules joins the data with the complete schema at once.

    Returns:
        the triples the schema rules derived (now in ``_ASSERTED``) and the graphs holding
        what all the rules derived after them.
    """
    rules = _rules()
    schema_graphs = _rounds(store, [text for name, text in rules if name.startswith("scm-")], "s")
    schema = [
        ox.Quad(quad.subject, quad.predicate, quad.object, _ASSERTED)
        for graph in schema_graphs
        for quad in store.quads_for_pattern(None, None, None, graph)
    ]
    store.extend(schema)
    for graph in schema_graphs:
        store.remove_graph(graph)
    return schema, _rounds(store, [text for _, text in rules], "r")


def _check(
    store: ox.Store, graphs: list[ox.NamedNode], show: Callable[[ox.NamedNode], str]
) -> None:
    """Raise :class:`UnsupportedAxiomError` if the closure has what the rules leave out."""
    text = (_rules_dir() / "checks" / "unsupported.rq").read_text(encoding="utf-8")
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [_ASSERTED, *graphs]
    for row in store.query(text, default_graph=default):  # type: ignore[union-attr]
        triple = " ".join(show(row[name]) for name in ("s", "p", "o"))
        raise UnsupportedAxiomError(
            f"the fast OWL-RL closure does not implement what follows from {triple}; "
            "use engine='owlrl'"
        )


def _closed(
    store: ox.Store,
    back: Callable[[ox.NamedNode | ox.BlankNode], object],
    show: Callable[[ox.NamedNode], str],
) -> Iterator[tuple[object, object, object]]:
    """Close graph ``_ASSERTED`` of ``store`` (literals standing in as blank nodes).

    Yields what the rules add, less the noise, each term mapped ``back``.
    """
    store.extend(quad for quad in _ONE_TIME if quad not in store)
    schema, graphs = _fixpoint(store)
    _check(store, graphs, show)
    for quads in (schema, *(store.quads_for_pattern(None, None, None, g) for g in graphs)):
        for quad in quads:
            s, p, o = quad.subject, quad.predicate, quad.object
            if not _noise(s, p, o):  # type: ignore[arg-type]
                yield back(s), back(p), back(o)  # type: ignore[arg-type]


def inferred_triples(graph: Graph) -> set[tuple[Node, Node, Node]]:
    """The triples owlrl's OWL 2 RL closure adds to ``graph``, less its noise.

    The same set as ``set(reasoning.closure(graph)) - set(graph)`` with owlrl, computed by
    the rules in ``ontology/rules/``.

    Raises:
        UnsupportedAxiomError: the graph uses OWL that the rules do not implement (see
            ``ontology/rules/checks/unsupported.rq``), or is not RDF.
    """
    terms = _Terms()
    store = ox.Store()
    store.bulk_extend(terms.quads(graph))
    back = terms.back
    return set(_closed(store, back, lambda term: back(term).n3()))  # type: ignore[arg-type]


def exact_inferred(statements: Iterable[ox.Triple | ox.Quad]) -> list[ox.Triple]:
    """:func:`inferred_triples` of the graph of ``statements``, on pyoxigraph's terms.

    Literals (and blank nodes) stand in as blank nodes, as in :func:`inferred_triples`, so
    an inferred triple keeps the lexical form of its literal as written (``"1.50"``, where
    :func:`native_inferred` gives Oxigraph's ``"1.5"``) and a literal can be a subject:
    the same triples, term for term, without an rdflib graph. What a native export of
    the closure writes.

    Raises:
        UnsupportedAxiomError: the graph uses OWL that the rules do not implement.
    """
    stand_ins: dict[ox.BlankNode | ox.Literal, ox.BlankNode] = {}
    originals: list[ox.BlankNode | ox.Literal] = []

    def stand_in(term: ox.BlankNode | ox.Literal) -> ox.BlankNode:
        found = stand_ins.get(term)
        if found is None:
            kind = _LITERAL if type(term) is ox.Literal else _BLANK
            found = stand_ins[term] = ox.BlankNode(f"{kind}{len(originals)}")
            originals.append(term)
        return found

    def quads() -> Iterator[ox.Quad]:
        named = ox.NamedNode
        for statement in statements:
            s, p, o = statement.subject, statement.predicate, statement.object
            yield ox.Quad(
                s if type(s) is named else stand_in(s),  # type: ignore[arg-type]
                p,
                o if type(o) is named else stand_in(o),  # type: ignore[arg-type]
                _ASSERTED,
            )

    def back(term: ox.NamedNode | ox.BlankNode) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if type(term) is ox.NamedNode:
            return term
        return originals[int(term.value[1:])]

    store = ox.Store()
    store.bulk_extend(quads())
    return [
        ox.Triple(s, p, o)  # type: ignore[arg-type]
        for s, p, o in _closed(store, back, lambda term: str(back(term)))
    ]


def native_inferred(load: Callable[[ox.Store, ox.NamedNode], None]) -> list[ox.Quad]:
    """What :func:`inferred_triples` adds, on Oxigraph terms: literals stay literals.

    ``load`` puts the asserted triples into the named graph it is given of a new
    in-memory store (e.g. :func:`egov_kg.graph.load_checked`): no rdflib term is made.
    Literals are Oxigraph's, compared by value (``"01"^^xsd:integer`` is
    ``"1"^^xsd:integer``), as in the query store the answer goes to; the rules never
    compare literals, so the closure is the one :func:`inferred_triples` finds, in
    Oxigraph's terms.

    Returns:
        the inferred triples, less the noise, as quads in the default graph.

    Raises:
        UnsupportedAxiomError: the graph uses OWL that the rules do not implement, or has
            a literal object of an inverse or symmetric property, from which owlrl
            derives a literal subject: use :func:`inferred_triples` (literals as blank
            nodes) or owlrl.
    """
    store = ox.Store()
    load(store, _ASSERTED)
    store.extend(quad for quad in _ONE_TIME if quad not in store)
    schema, graphs = _fixpoint(store)
    _check(store, graphs, str)
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [_ASSERTED, *graphs]
    ask = (_rules_dir() / "checks" / "literal-subjects.rq").read_text(encoding="utf-8")
    if store.query(ask, default_graph=default):
        raise UnsupportedAxiomError(
            "a literal is the object of an inverse or symmetric property; the closure "
            "needs literals standing in as blank nodes (reasoning.closure)"
        )
    inferred: list[ox.Quad] = []
    for quads in (schema, *(store.quads_for_pattern(None, None, None, g) for g in graphs)):
        for quad in quads:
            s, p, o = quad.subject, quad.predicate, quad.object
            if not _noise(s, p, o, stand_ins=False):  # type: ignore[arg-type]
                inferred.append(ox.Quad(s, p, o))
    return inferred
