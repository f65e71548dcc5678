"""SHACL validation: conformance rules, readable and sorted results."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

import egov_kg
from conftest import Sample, write_sample
from egov_kg import ValidationReport, ValidationResult
from egov_kg.namespaces import RESOURCES

ORG = RESOURCES["org"]

NO_LABELS = {
    "bad.ttl": """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix egov-org: <https://w3id.org/egov-kg/id/org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

egov-org:b-office a egov:Organization ; rdfs:label "B 課"@ja, "B office"@en ;
    egov:founded "2001" .
egov-org:a-office a egov:Ministry .
"""
}


def test_sample_conforms_with_a_warning(sample: Sample) -> None:
    extra = {"nodate.ttl": SAMPLE_NODATE}
    sample = write_sample(sample.root, extra)
    report = egov_kg.validate(data_dir=sample.data, shapes=sample.shapes, ontology=sample.ontology)
    assert isinstance(report, ValidationReport)
    assert report.conforms  # a sh:Warning does not break conformance
    assert [r.severity for r in report.results] == ["Warning"]
    result = report.results[0]
    assert result.focus_node == ORG["press-office"]
    assert result.focus_label == "Press Office"
    assert result.path == "egov:founded"
    assert result.line().startswith("Warning: Press Office <egov-org:press-office> egov:founded: ")
    assert "0 violations, 1 warning, 0 infos" in report.summary


SAMPLE_NODATE = """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix egov-org: <https://w3id.org/egov-kg/id/org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

egov-org:press-office a egov:Organization ; skos:prefLabel "Press Office"@en .
"""


def test_violations_are_readable_and_sorted(tmp_path: Path) -> None:
    sample = write_sample(tmp_path, NO_LABELS)
    report = egov_kg.validate(data_dir=sample.data, shapes=sample.shapes, ontology=sample.ontology)
    assert not report.conforms
    results = report.results
    assert all(isinstance(r, ValidationResult) for r in results)
    # Violations first, then by focus node.
    assert [(r.severity, r.focus_name) for r in results] == [
        ("Violation", "egov-org:a-office"),
        ("Violation", "egov-org:b-office"),
        ("Warning", "egov-org:a-office"),
        ("Warning", "egov-org:b-office"),
    ]
    a_office = results[0]
    assert a_office.focus_label == "egov-org:a-office"  # no label: the prefixed name
    assert a_office.path == "skos:prefLabel"
    assert a_office.message == "an organization needs a skos:prefLabel"
    assert a_office.constraint_component == "sh:MinCountConstraintComponent"
    assert a_office.source_shape == "[ sh:path skos:prefLabel ]"
    assert a_office.line() == (
        "Violation: egov-org:a-office <egov-org:a-office> skos:prefLabel: "
        "an organization needs a skos:prefLabel"
    )
    # rdfs:label is the fallback; English is preferred over Japanese.
    assert {r.focus_label for r in results if r.focus_name == "egov-org:b-office"} == {"B office"}
    datatype = next(
        r for r in results if r.constraint_component == "sh:DatatypeConstraintComponent"
    )
    assert datatype.value == '"2001"'
    assert report.text.splitlines()[1:] == [r.line() for r in results]


def test_japanese_label_when_no_english(tmp_path: Path) -> None:
    data = {"ja.ttl": NO_LABELS["bad.ttl"].replace(', "B office"@en', "")}
    sample = write_sample(tmp_path, data)
    report = egov_kg.validate(data_dir=sample.data, shapes=sample.shapes, ontology=sample.ontology)
    assert {r.focus_label for r in report.results if r.focus_name == "egov-org:b-office"} == {
        "B 課"
    }


def test_validate_does_not_modify_the_graph(sample: Sample) -> None:
    graph = sample.load()
    before = Graph()
    before += graph
    egov_kg.validate(graph, shapes=sample.shapes, ontology=sample.ontology)
    egov_kg.validate(graph, shapes=sample.shapes, ontology=sample.ontology, inferred=True)
    assert isomorphic(graph, before)


def test_inferred_validation_sees_the_closure(tmp_path: Path) -> None:
    # Parts are declared with egov:partOf; the shape wants egov:hasPart, its owl:inverseOf.
    shapes = tmp_path / "has-part.ttl"
    shapes.write_text(
        """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://w3id.org/egov-kg/shapes#MinistryShape> a sh:NodeShape ;
    sh:targetClass egov:Ministry ; sh:property [ sh:path egov:hasPart ; sh:minCount 1 ] .
""",
        encoding="utf-8",
    )
    sample = write_sample(tmp_path / "kg")
    asserted = egov_kg.validate(data_dir=sample.data, shapes=shapes, ontology=sample.ontology)
    inferred = egov_kg.validate(
        data_dir=sample.data, shapes=shapes, ontology=sample.ontology, inferred=True
    )
    assert not asserted.conforms
    assert inferred.conforms


def test_graph_and_data_dir_are_exclusive(sample: Sample) -> None:
    with pytest.raises(ValueError):
        egov_kg.validate(sample.load(), data_dir=sample.data, shapes=sample.shapes)


def test_shipped_graph_conforms(kg: Graph) -> None:
    report = egov_kg.validate(kg)
    assert report.conforms, report.text
