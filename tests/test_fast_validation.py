"""The fast validation engine (pyshacl-turbo) gives the same answers as pyshacl, the reference.

``egov_kg.validate(..., engine="turbo")`` must give the same verdict and the same results (focus
node, path, component, source shape and constraint, message, value) as the default
``engine="pyshacl"`` on the shipped data, on its OWL 2 RL closure and on a 10k-triple synthetic
graph; and every broken-graph fixture of ``tests/fixtures/violations`` must produce with it
exactly the results its header expects, checked by the harness of ``test_violations.py``
(validation at the fixture's focus nodes, results compared as tuples, each traced to its
constraint), as pyshacl does there.

Given Turtle files (``data_dir``, or the shipped data) rather than an rdflib graph, the fast
engine reads them into an Oxigraph store without building an rdflib graph; that path must give
the same reports as the rdflib one, and refuse a malformed file with the same located error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.sparql.processor import prepareUpdate

import egov_kg
from egov_kg.errors import DataError
from egov_kg.graph import load, load_ontology, parse_file
from egov_kg.namespaces import EGOV, SH
from egov_kg.resources import data_files, ontology_file, shapes_file
from egov_kg.shape_groups import shape_groups
from egov_kg.shapes import ValidationReport, ValidationResult, _CheckedData, _validate_files
from egov_kg.synth import synthesize, write_synthetic
from test_violations import (
    Result,
    compare,
    fixture_paths,
    focused_shapes,
    parse_fixture,
    results,
    shipped_graph,
    show_key,
    show_result,
    sources,
)
from test_violations import (
    _changed_iris as changed_iris,
)


def same_answers(reference: ValidationReport, fast: ValidationReport) -> None:
    """Assert that two reports give the same verdict and the same results, in order."""
    assert fast.conforms == reference.conforms
    assert len(fast.results) == len(reference.results)
    assert fast.results == reference.results
    assert fast.summary == reference.summary


@pytest.fixture(scope="module")
def empty_ontology(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty ontology file: the graphs below already hold the ontology."""
    path = tmp_path_factory.mktemp("fast") / "empty.ttl"
    path.write_text("", encoding="utf-8")
    return path


def test_shipped_data_same_as_pyshacl() -> None:
    """The fast engine reads the shipped files into a store; pyshacl reads an rdflib graph."""
    reference = egov_kg.validate()
    fast = egov_kg.validate(engine="turbo")
    same_answers(reference, fast)
    assert fast.conforms and fast.count("Info") == 3
    assert {result.focus_label for result in fast.results} == {
        result.focus_label for result in reference.results
    }
    assert all(result.focus_label != result.focus_name for result in fast.results)
    same_answers(reference, egov_kg.validate(shipped_graph(), engine="turbo"))


def test_shipped_closure_same_as_pyshacl() -> None:
    closure = egov_kg.infer(shipped_graph())  # once: validate(inferred=True) infers anew
    reference = egov_kg.validate(closure)
    fast = egov_kg.validate(closure, engine="turbo")
    same_answers(reference, fast)
    assert fast.conforms


def test_synthetic_10k_graph_same_as_pyshacl(empty_ontology: Path, tmp_path: Path) -> None:
    """The whole 10k graph conforms; at every 4th focus node both engines agree exactly.

    (pyshacl needs about 40 s for the whole graph, more than this file's time budget, so the
    two engines are compared at a fixed quarter of the focus nodes of every shape, every
    constraint kind included, with the targets rewritten as in ``test_violations.py``.)
    The fast engine is given the graph, then the files it is written to.
    """
    graph = synthesize(10_000, seed=0)
    graph += load_ontology()
    assert len(graph) > 10_000
    whole = egov_kg.validate(graph, ontology=empty_ontology, engine="turbo")
    assert whole.conforms and whole.count("Violation") == 0

    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)})
    sample = frozenset(subjects[::4])
    shapes = tmp_path / "sampled-shapes.ttl"
    focused_shapes(graph, sample).serialize(shapes, format="turtle", encoding="utf-8")
    reference = egov_kg.validate(graph, shapes=shapes, ontology=empty_ontology)
    fast = egov_kg.validate(graph, shapes=shapes, ontology=empty_ontology, engine="turbo")
    same_answers(reference, fast)
    assert set(fast.results) <= set(whole.results)


def test_synthetic_10k_files_same_as_pyshacl(tmp_path: Path) -> None:
    """Written as Turtle files, the 10k graph gets the same report from the store path.

    pyshacl (an rdflib graph of the files) and the fast engine (the files in a store) are
    compared at every 4th focus node, as above; the whole folder, at every one.
    """
    data = tmp_path / "data"
    write_synthetic(10_000, data, seed=0)
    graph = load(data)
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)})
    shapes = tmp_path / "sampled-shapes.ttl"
    focused_shapes(graph, frozenset(subjects[::4])).serialize(
        shapes, format="turtle", encoding="utf-8"
    )
    reference = egov_kg.validate(data_dir=data, shapes=shapes)
    fast = egov_kg.validate(data_dir=data, shapes=shapes, engine="turbo")
    same_answers(reference, fast)
    assert reference.results, "the sample has results to compare (the shipped infos)"

    whole = egov_kg.validate(data_dir=data, engine="turbo")
    same_answers(egov_kg.validate(graph, engine="turbo"), whole)
    assert whole.conforms and whole.count("Info") == 3


def test_malformed_file_is_refused_as_by_the_rdflib_path(tmp_path: Path) -> None:
    """The store path checks files as strictly, with the same ``path:line:column`` error."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "broken.ttl").write_text(
        "@prefix egov: <https://w3id.org/egov-kg/ontology#> .\n"
        "<https://w3id.org/egov-kg/id/period/2003> egov:date "
        '"2003-02-30"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as reference:
        egov_kg.validate(data_dir=data)
    with pytest.raises(DataError) as fast:
        egov_kg.validate(data_dir=data, engine="turbo")
    assert str(fast.value) == str(reference.value)
    assert str(fast.value).startswith(f"{data / 'broken.ttl'}:2:")


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown validation engine 'jena'"):
        egov_kg.validate(engine="jena")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def baseline(empty_ontology: Path) -> frozenset[Result]:
    """The results of the shipped graph with the fast engine (the whole graph)."""
    report = egov_kg.validate(shipped_graph(), ontology=empty_ontology, engine="turbo")
    return frozenset(results(report.graph))


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda path: path.stem)
def test_fixture_produces_exactly_its_violation_with_fast_engine(
    path: Path, baseline: frozenset[Result], empty_ontology: Path, tmp_path: Path
) -> None:
    fixture = parse_fixture(path)
    shipped = shipped_graph()
    broken = Graph(bind_namespaces="none")
    broken += shipped
    for prefix, namespace in shipped.namespaces():
        broken.bind(prefix, namespace)
    broken.update(prepareUpdate(fixture.text))
    expected_foci = {r[1] for r in fixture.expected if isinstance(r[1], URIRef)}
    focus = frozenset(changed_iris(shipped, broken)) | expected_foci
    shapes = tmp_path / "focused-shapes.ttl"
    focused_shapes(broken, focus).serialize(shapes, format="turtle", encoding="utf-8")
    report = egov_kg.validate(broken, shapes=shapes, ontology=empty_ontology, engine="turbo")
    found = results(report.graph)
    new = frozenset(found) - baseline

    differences = compare(fixture.expected, new)
    allowed = {fixture.constraint, *fixture.also}
    direct = False
    for result in sorted(new, key=show_result):
        for node in found[result]:
            origins = sources(report.graph, node)
            direct = direct or fixture.constraint in origins
            if not origins & allowed:
                origin = " or ".join(sorted(show_key(key) for key in origins))
                differences.append(f"  wrong source: {show_result(result)} comes from {origin}")
    if not direct:
        differences.append(f"  no new result comes from {show_key(fixture.constraint)}")
    if fixture.shape_bug is not None:
        differences.append(f"  shape bug: {fixture.shape_bug}")
    assert not differences, (
        f"{fixture.slug} ({show_key(fixture.constraint)}) with engine='turbo':\n"
        + "\n".join(differences)
    )

    # The same graph as a Turtle file takes the path without rdflib: the same report.
    data = tmp_path / "data"
    data.mkdir()
    broken.serialize(data / "broken.ttl", format="nt", encoding="utf-8")
    from_files = egov_kg.validate(
        data_dir=data, shapes=shapes, ontology=empty_ontology, engine="turbo"
    )
    assert from_files.conforms == report.conforms
    assert [readable(result) for result in from_files.results] == [
        readable(result) for result in report.results
    ]


def readable(result: ValidationResult) -> tuple[str | None, ...]:
    """Every field of a result but its focus node (a blank node is named anew per load)."""
    return (
        result.focus_label,
        result.focus_name,
        result.path,
        result.message,
        result.severity,
        result.source_shape,
        result.value,
        result.constraint_component,
        result.source_constraint,
    )


def test_files_keep_lexical_forms_prefixes_and_blank_node_labels(tmp_path: Path) -> None:
    """Through files, values keep their spelling and focus names the files' own prefixes.

    A store would read ``"427000.0"^^xsd:decimal`` back as ``"427000"`` and merge
    ``"1"^^xsd:boolean`` with ``"true"``; a blank focus node keeps its label.
    """
    data = tmp_path / "data"
    data.mkdir()
    (data / "periods.ttl").write_text(
        "@prefix time: <http://www.w3.org/2006/time#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix egov: <https://w3id.org/egov-kg/ontology#> .\n"
        "@prefix my: <https://example.org/my/> .\n"
        '[] a time:ProperInterval ; rdfs:label "blank period"@en .\n'
        'my:p a time:ProperInterval ; rdfs:label "my period"@en, "期間"@ja ;\n'
        '    egov:date "2003.0"^^xsd:decimal, "1"^^xsd:boolean, "true"^^xsd:boolean .\n',
        encoding="utf-8",
    )
    from_files = egov_kg.validate(data_dir=data, engine="turbo")
    from_graph = egov_kg.validate(load(data), engine="turbo")
    assert from_files.conforms == from_graph.conforms is False
    assert [readable(r) for r in from_files.results] == [readable(r) for r in from_graph.results]
    assert {r.value for r in from_files.results if r.path == "egov:date" and r.value} == {
        '"2003.0"^^xsd:decimal',
        '"1"^^xsd:boolean',
        '"true"^^xsd:boolean',
    }
    assert {(r.focus_label, r.focus_name) for r in from_files.results} == {
        ("blank period", "[]"),
        ("my period", "my:p"),
    }
    reference = egov_kg.validate(data_dir=data)
    shape_messages = [  # pyshacl words the default message of sh:node a little differently
        readable(r)
        for r in reference.results
        if r.constraint_component != "sh:NodeConstraintComponent"
    ]
    assert shape_messages == [
        readable(r)
        for r in from_files.results
        if r.constraint_component != "sh:NodeConstraintComponent"
    ]


DENMARK_AS_SWEDEN = """
PREFIX egov: <https://w3id.org/egov-kg/ontology#>
PREFIX egov-obs: <https://w3id.org/egov-kg/id/obs/>
PREFIX egov-country: <https://w3id.org/egov-kg/id/country/>
DELETE DATA {
    egov-obs:un-2003-denmark egov:country egov-country:denmark .
    egov-obs:un-2003-australia egov:country egov-country:australia .
} ;
INSERT DATA {
    egov-obs:un-2003-denmark egov:country egov-country:sweden .
    egov-obs:un-2003-australia egov:country egov-country:sweden .
}
"""
DUPLICATE_KEY = (
    "<http://purl.org/linked-data/sdmx/2009/dimension#refPeriod>="
    "<https://w3id.org/egov-kg/id/period/2003> "
    "<https://w3id.org/egov-kg/ontology#country>=<https://w3id.org/egov-kg/id/country/sweden> "
    "<https://w3id.org/egov-kg/ontology#survey>=<https://w3id.org/egov-kg/id/survey/un-2003>"
)


def _broken(update: str) -> Graph:
    """A copy of the shipped graph, with its prefixes, changed by ``update``."""
    shipped = shipped_graph()
    broken = Graph()
    broken += shipped
    for prefix, namespace in shipped.namespaces():
        broken.bind(prefix, namespace, override=True, replace=True)
    broken.update(prepareUpdate(update))
    return broken


def _duplicates(report: ValidationReport) -> list[tuple[str, str | None, str]]:
    return [
        (result.focus_name, result.value, result.message)
        for result in report.results
        if result.source_constraint == "egovsh:NoDuplicateObservation"
    ]


@pytest.mark.parametrize("reverse", [False, True], ids=["file-order", "reversed"])
def test_duplicate_observations_reported_once_per_key_by_their_data_set(reverse: bool) -> None:
    """Three observations with one key: one result on the data set naming all three.

    The key lists the dimension values sorted by dimension and the observations in IRI order,
    whatever order the triples were added in (the graph is also built in reverse order).
    """
    broken = _broken(DENMARK_AS_SWEDEN)
    if reverse:
        reordered = Graph()
        for prefix, namespace in broken.namespaces():
            reordered.bind(prefix, namespace, override=True, replace=True)
        for triple in sorted(broken, reverse=True):
            reordered.add(triple)
        broken = reordered
    expected = [
        (
            "egov-dataset:e-government-rankings",
            "egov-obs:un-2003-australia",
            "3 observations of this data set have the same value for every dimension "
            f"({DUPLICATE_KEY}): https://w3id.org/egov-kg/id/obs/un-2003-australia, "
            "https://w3id.org/egov-kg/id/obs/un-2003-denmark, "
            "https://w3id.org/egov-kg/id/obs/un-2003-sweden",
        )
    ]
    reference = egov_kg.validate(broken)
    fast = egov_kg.validate(broken, engine="turbo")
    assert _duplicates(reference) == expected
    same_answers(reference, fast)
    assert not fast.conforms


def test_a_literal_and_an_iri_with_the_same_text_are_different_keys() -> None:
    """The key writes each value as in N-Triples: ``"x"`` and ``<x>`` do not collide."""
    broken = _broken(
        DENMARK_AS_SWEDEN.replace(
            "egov-obs:un-2003-australia egov:country egov-country:sweden .",
            'egov-obs:un-2003-australia egov:country "https://w3id.org/egov-kg/id/country/sweden" .',  # noqa: E501
        )
    )
    reference = egov_kg.validate(broken)
    fast = egov_kg.validate(broken, engine="turbo")
    same_answers(reference, fast)
    duplicates = _duplicates(fast)
    assert [(focus, value) for focus, value, _ in duplicates] == [
        ("egov-dataset:e-government-rankings", "egov-obs:un-2003-denmark")
    ]
    assert duplicates[0][2].startswith("2 observations of this data set")
    assert "un-2003-australia" not in duplicates[0][2]


def test_observations_lacking_the_same_dimension_are_not_duplicates() -> None:
    """A missing dimension is ObservationHasDimensions' result; the key then duplicates nothing."""
    broken = _broken(
        """
        PREFIX egov: <https://w3id.org/egov-kg/ontology#>
        PREFIX egov-obs: <https://w3id.org/egov-kg/id/obs/>
        DELETE WHERE { egov-obs:un-2003-denmark egov:country ?denmark } ;
        DELETE WHERE { egov-obs:un-2003-australia egov:country ?australia }
        """
    )
    reference = egov_kg.validate(broken)
    fast = egov_kg.validate(broken, engine="turbo")
    same_answers(reference, fast)
    assert _duplicates(fast) == []
    lacking = {
        result.focus_name
        for result in fast.results
        if result.source_constraint == "egovsh:ObservationHasDimensions"
    }
    assert lacking == {"egov-obs:un-2003-denmark", "egov-obs:un-2003-australia"}


BROKEN_BODIES = (
    "@prefix time: <http://www.w3.org/2006/time#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix org: <http://www.w3.org/ns/org#> .\n"
    "@prefix egov: <https://w3id.org/egov-kg/ontology#> .\n"
    "<https://w3id.org/egov-kg/id/period/2003-02> a time:ProperInterval ;\n"
    '    egov:date "2003-02"^^xsd:gYearMonth ; egov:precision time:unitMonth ;\n'
    '    egov:earliestDay "2003-02-01"^^xsd:date ; egov:latestDay "2003-02-27"^^xsd:date .\n'
    "<https://w3id.org/egov-kg/id/org/looped> a org:Organization ;\n"
    "    org:subOrganizationOf <https://w3id.org/egov-kg/id/org/looped> .\n"
)


def test_shape_groups_validated_apart_give_the_report_of_one_run(tmp_path: Path) -> None:
    """Files validated in two groups of shapes (two threads) give the report of one run.

    Both groups have results: the broken bodies break core constraints and SPARQL ones of
    shapes with core and with SPARQL-based targets.
    """
    data = tmp_path / "data"
    write_synthetic(10_000, data, seed=0)
    (data / "broken.ttl").write_text(BROKEN_BODIES, encoding="utf-8")
    files = [ontology_file(), *data_files(data)]
    one = _validate_files(files, shapes_file(), threads=1)
    two = _validate_files(files, shapes_file(), threads=2)
    assert one.conforms is two.conforms is False
    assert [readable(r) for r in two.results] == [readable(r) for r in one.results]
    assert len(two.graph) == len(one.graph)  # one report node instead of two, same results
    assert {r.source_constraint for r in two.results} >= {
        "egovsh:PeriodBoundsMatchDate",
        "egovsh:NoParentCycle",
    }

    checked = _CheckedData()
    for path in files:
        checked.add(path)
    shapes, _ = parse_file(shapes_file())
    groups = shape_groups(shapes, checked.census, 2)
    assert len(groups) == 2
    sources = {r.source_shape for r in two.results}
    assert all(sources & {f"egovsh:{shape.split('#')[1]}" for shape in group} for group in groups)


def test_shape_groups_hold_every_targeted_shape_once() -> None:
    shapes, _ = parse_file(shapes_file())
    checked = _CheckedData()
    for path in [ontology_file(), *data_files()]:
        checked.add(path)
    targeted = sorted(
        {
            shape
            for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.target)
            for shape in shapes.subjects(target, None)
        }
    )
    groups = shape_groups(shapes, checked.census, 2)
    assert sorted(shape for group in groups for shape in group) == targeted
    assert groups == shape_groups(shapes, checked.census, 2)  # deterministic
    assert shape_groups(shapes, checked.census, 1) == [targeted]
    assert checked.census.members(str(EGOV.Event)) > checked.census.instances[str(EGOV.Event)]
