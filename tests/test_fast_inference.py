"""The fast OWL-RL closure (SPARQL rules in Oxigraph) is owlrl's closure, triple for triple."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

import egov_kg
from egov_kg.graph import load_ontology, new_graph
from egov_kg.namespaces import OWL, RDF, RDFS, XSD
from egov_kg.reasoning import cached_closure, closure
from egov_kg.rule_engine import UnsupportedAxiomError, native_inferred, rule_files
from egov_kg.synth import synthesize
from egov_kg.terms import to_oxigraph

EX = "https://example.org/"
Triple = tuple[Node, Node, Node]


def _show(triples: Iterable[Triple]) -> str:
    return "\n".join(" ".join(term.n3() for term in triple) for triple in sorted(triples))


def assert_same_closure(graph: Graph, *, refusal_allowed: bool = True) -> set[Triple]:
    """The fast closure of ``graph`` equals owlrl's; on failure, list both differences.

    The native closure (Oxigraph literals, what ``egov_kg.load`` builds its store with)
    equals it too, in a store's terms, or refuses the graph for its literal subjects.
    """
    fast = set(closure(graph, engine="fast"))
    reference = set(closure(graph, engine="owlrl"))
    missing, extra = reference - fast, fast - reference
    assert not missing and not extra, (
        f"{len(missing)} triples only owlrl infers:\n{_show(list(missing)[:40])}\n"
        f"{len(extra)} triples only the fast rules infer:\n{_show(list(extra)[:40])}"
    )
    try:
        native = native_closure(graph)
    except UnsupportedAxiomError as error:
        assert refusal_allowed, error
        assert "literal" in str(error)
        assert literal_subjects(fast)
    else:
        assert native == in_store(fast - set(graph))
    return fast


def in_store(triples: Iterable[Triple]) -> set[ox.Quad]:
    """``triples`` as an Oxigraph store holds them (``"1.50"^^xsd:decimal`` as ``"1.5"``)."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(*(to_oxigraph(term) for term in triple)) for triple in triples)
    return set(store)


def native_closure(graph: Graph) -> set[ox.Quad]:
    """What :func:`native_inferred` adds to ``graph``, as a store holds it."""

    def load(store: ox.Store, name: ox.NamedNode) -> None:
        store.bulk_extend(
            ox.Quad(*(to_oxigraph(term) for term in triple), name)  # type: ignore[misc]
            for triple in graph
        )

    inferred = native_inferred(load)
    assert all(quad.graph_name == ox.DefaultGraph() for quad in inferred)
    return in_store((q.subject, q.predicate, q.object) for q in inferred)  # type: ignore[misc]


def literal_subjects(closed: set[Triple]) -> bool:
    """Whether a closure has a literal object of an inverse or symmetric property."""
    turned = {s for s, p, _ in closed if p == OWL.inverseOf}
    turned |= {o for _, p, o in closed if p == OWL.inverseOf}
    turned |= {s for s, p, o in closed if p == RDF.type and o == OWL.SymmetricProperty}
    return any(p in turned and isinstance(o, Literal) for _, p, o in closed)


def ex(name: str) -> URIRef:
    return URIRef(EX + name)


def graph_of(*triples: Triple) -> Graph:
    graph = new_graph()
    for triple in triples:
        graph.add(triple)
    return graph


def test_every_rule_is_a_sparql_file() -> None:
    names = {path.stem for path in rule_files()}
    assert {"cax-sco", "prp-dom", "prp-rng", "prp-inv1", "prp-trp", "scm-cls"} <= names
    for path in rule_files():
        assert path.read_text(encoding="utf-8").lstrip().startswith("# OWL 2 RL rule"), path


def test_shipped_graph(kg: Graph) -> None:
    assert len(assert_same_closure(kg, refusal_allowed=False)) > len(kg) + 500


def test_synthetic_graph_of_ten_thousand_triples() -> None:
    graph = synthesize(10_000)
    graph += load_ontology()
    assert len(graph) > 10_000
    assert len(assert_same_closure(graph, refusal_allowed=False)) > len(graph) + 1000


def test_literals_keep_their_lexical_form_and_can_be_subjects() -> None:
    # x p "1.50"; p inverseOf q; q range C: owlrl derives "1.50" q x, then x a C.
    # Oxigraph would store "1.50"^^xsd:decimal as "1.5"; the closure must not.
    amount = Literal("1.50", datatype=XSD.decimal)
    graph = graph_of(
        (ex("p"), RDF.type, OWL.ObjectProperty),
        (ex("p"), OWL.inverseOf, ex("q")),
        (ex("p"), RDFS.subPropertyOf, ex("r")),
        (ex("q"), RDFS.range, ex("C")),
        (ex("x"), ex("p"), amount),
    )
    inferred = set(closure(graph, engine="fast")) - set(graph)
    assert (ex("x"), ex("r"), amount) in inferred
    assert (ex("x"), RDF.type, ex("C")) in inferred
    assert_same_closure(graph)
    # Oxigraph cannot hold the literal subject: the native closure refuses the graph...
    with pytest.raises(UnsupportedAxiomError, match="literal"):
        native_closure(graph)


def test_a_load_falls_back_to_the_rdflib_closure_for_literal_subjects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ... and egov_kg.load builds its store from the rdflib closure instead.
    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(tmp_path / "cache"))
    ontology = tmp_path / "ontology.ttl"
    ontology.write_text(
        f"@prefix ex: <{EX}> .\n@prefix owl: <{OWL}> .\n@prefix rdfs: <{RDFS}> .\n"
        "ex:p a owl:ObjectProperty ; owl:inverseOf ex:q .\nex:q rdfs:range ex:C .\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    data.mkdir()
    (data / "x.ttl").write_text(
        f'@prefix ex: <{EX}> .\n@prefix xsd: <{XSD}> .\nex:x ex:p "1.50"^^xsd:decimal .\n',
        encoding="utf-8",
    )
    kg = egov_kg.load(data, ontology=ontology)
    assert (
        ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(str(RDF.type)), ox.NamedNode(EX + "C"))
        in kg.store
    )
    assert in_store(kg.closure) <= set(kg.store)


def test_cycles_equivalences_and_transitive_chains() -> None:
    graph = graph_of(
        (ex("A"), RDF.type, OWL.Class),
        (ex("A"), RDFS.subClassOf, ex("B")),
        (ex("B"), RDFS.subClassOf, ex("A")),
        (ex("B"), OWL.equivalentClass, ex("D")),
        (ex("t"), RDF.type, OWL.TransitiveProperty),
        (ex("s"), RDF.type, OWL.SymmetricProperty),
        (ex("s"), RDFS.subPropertyOf, ex("t")),
        (ex("u"), OWL.equivalentProperty, ex("t")),
        (ex("t"), RDFS.domain, ex("A")),
        (ex("a"), ex("s"), ex("b")),
        (ex("b"), ex("t"), ex("c")),
        (ex("c"), ex("t"), ex("d")),
    )
    assert (ex("b"), ex("u"), ex("a")) in closure(graph, engine="fast")
    assert_same_closure(graph)


_CLASSES = [*(URIRef(EX + name) for name in "ABCD"), OWL.Class]
_PROPERTIES = [URIRef(EX + name) for name in "pqrs"]
_RESOURCES = [*(URIRef(EX + name) for name in "abcd"), BNode("blank")]
_LITERALS = [Literal("1.50", datatype=XSD.decimal), Literal("x", lang="en"), Literal("y")]
_KINDS = [OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property]
_KINDS += [OWL.TransitiveProperty, OWL.SymmetricProperty]
_classes, _properties = st.sampled_from(_CLASSES), st.sampled_from(_PROPERTIES)
_resources = st.sampled_from(_RESOURCES)
_axioms = st.one_of(
    st.tuples(_classes, st.sampled_from([RDFS.subClassOf, OWL.equivalentClass]), _classes),
    st.tuples(
        _properties,
        st.sampled_from([RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf]),
        _properties,
    ),
    st.tuples(_properties, st.sampled_from([RDFS.domain, RDFS.range]), _classes),
    st.tuples(_properties, st.just(RDF.type), st.sampled_from(_KINDS)),
    st.tuples(_classes, st.just(RDF.type), st.just(OWL.Class)),
)
_facts = st.one_of(
    st.tuples(_resources, st.just(RDF.type), _classes),
    st.tuples(_resources, _properties, st.one_of(_resources, st.sampled_from(_LITERALS))),
    st.tuples(_resources, _properties, _classes),
)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(_axioms, max_size=8), st.lists(_facts, min_size=1, max_size=8))
def test_random_graphs(axioms: list[Triple], facts: list[Triple]) -> None:
    # Cycles, equivalences, inverses of sub-properties, literals and blank nodes as
    # subjects or objects, classes as instances: whatever the mix, the same closure.
    assert_same_closure(graph_of(*axioms, *facts))


@pytest.mark.parametrize(
    ("triple", "shown"),
    [
        ((ex("a"), OWL.sameAs, ex("b")), "owl#sameAs"),
        ((ex("p"), RDF.type, OWL.FunctionalProperty), "owl#FunctionalProperty"),
        ((ex("C"), OWL.unionOf, RDF.nil), "owl#unionOf"),
        ((RDF.type, RDFS.domain, ex("C")), "rdf-syntax-ns#type"),
        ((ex("C"), RDFS.subClassOf, OWL.Nothing), "owl#Nothing"),
    ],
)
def test_owl_the_rules_leave_out_is_refused_and_owlrl_is_used(
    triple: Triple, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(tmp_path))
    graph = graph_of(
        (ex("x"), RDF.type, ex("C")),
        (ex("x"), ex("p"), ex("y")),
        (ex("C"), RDFS.subClassOf, ex("D")),
        triple,
    )
    with pytest.raises(UnsupportedAxiomError, match=shown):
        closure(graph, engine="fast")
    # The cached closure (what egov_kg.load uses) falls back to owlrl for such a graph.
    assert set(cached_closure(graph)) == set(closure(graph, engine="owlrl"))


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="unknown inference engine 'fastest'"):
        closure(graph_of(), engine="fastest")  # type: ignore[arg-type]
