"""OWL 2 RL inference."""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace
from rdflib.compare import isomorphic

import egov_kg
from conftest import Sample
from egov_kg.namespaces import DCTERMS, EGOV, ELI, OWL, PREFIXES, PROV, RDF, RESOURCES

ORG = RESOURCES["org"]


def test_infer_returns_a_new_closed_graph(sample: Sample) -> None:
    graph = sample.load()
    before = Graph()
    before += graph
    closure = egov_kg.infer(graph)
    assert closure is not graph
    assert isomorphic(graph, before)  # the input is untouched
    assert len(closure) > len(graph)
    assert all((s, p, o) in closure for s, p, o in graph)
    agency, unit = ORG["digital-agency"], ORG["strategy-unit"]
    assert (agency, RDF.type, EGOV.Organization) in closure  # rdfs:subClassOf
    assert (agency, EGOV.hasPart, unit) in closure  # owl:inverseOf
    assert (agency, RDF.type, OWL.Thing) in closure


def test_infer_drops_generalized_rdf(sample: Sample) -> None:
    closure = egov_kg.infer(sample.load())
    assert not [s for s in closure.subjects() if isinstance(s, Literal)]


def test_infer_keeps_prefixes(sample: Sample) -> None:
    bound = {prefix: str(ns) for prefix, ns in egov_kg.infer(sample.load()).namespaces()}
    for prefix, namespace in PREFIXES.items():
        assert bound[prefix] == str(namespace)


def test_shipped_graph_closure(kg: Graph) -> None:
    closure = egov_kg.infer(kg)
    assert len(closure) > len(kg)


def test_shipped_closure_holds_what_the_axioms_promise(kg: Graph) -> None:
    closure = egov_kg.infer(kg)
    org, event, law = RESOURCES["org"], RESOURCES["event"], RESOURCES["law"]
    w3c_org = Namespace("http://www.w3.org/ns/org#")
    hq = org["it-strategic-headquarters"]
    # inverses
    assert (hq, w3c_org.hasSubOrganization, org["cio-council"]) in closure
    assert (hq, w3c_org.hasPost, RESOURCES["post"]["it-strategic-headquarters-head"]) in closure
    assert (hq, EGOV.hasEvent, event["it-strategic-headquarters-establishment"]) in closure
    assert (law["it-basic-act"], ELI.repealed_by, law["digital-society-basic-act"]) in closure
    assert (org["it-strategic-headquarters"], w3c_org.subOrganizationOf, org["cabinet"]) in closure
    assert (
        RESOURCES["doc"]["building-e-government-2005"],
        DCTERMS.hasPart,
        RESOURCES["slide"]["building-e-government-2005-07"],
    ) in closure
    # super-properties and transitive parents
    decision = event["e-government-construction-plan-decision"]
    assert (decision, PROV.wasAssociatedWith, org["cio-council"]) in closure
    advisers = org["cio-advisers-council"]
    for ancestor in ("cio-council", "it-strategic-headquarters", "cabinet"):
        assert (advisers, w3c_org.transitiveSubOrganizationOf, org[ancestor]) in closure
    # subclasses
    assert (event["cio-council-establishment"], RDF.type, PROV.Activity) in closure
    assert (advisers, RDF.type, w3c_org.Organization) in closure
    # none of it is in the asserted graph
    assert (hq, w3c_org.hasSubOrganization, org["cio-council"]) not in kg
    assert (advisers, w3c_org.transitiveSubOrganizationOf, org["cabinet"]) not in kg


def test_shipped_closure_still_conforms(kg: Graph) -> None:
    report = egov_kg.validate(kg, inferred=True)
    assert report.conforms, report.text
    assert report.count("Warning") == 0
