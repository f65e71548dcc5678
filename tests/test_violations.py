"""Every SHACL constraint has a small broken fixture that must produce exactly its violation.

A *constraint* is a key enumerated from ``ontology/shapes.ttl``:

* every property shape: ``<node shape> <sh:path>`` (e.g. ``egovsh:SlideShape schema:position``),
  including those of ``egovsh:LabelledShape`` and ``egovsh:TraceableShape``;
* every named SPARQL constraint: its IRI (e.g. ``egovsh:NoRankTie``);
* every other constraint parameter of a named node shape (``sh:pattern``, ``sh:or``,
  ``sh:xone``...): ``<node shape> <parameter>`` (e.g. ``egovsh:PeriodShape sh:pattern``).

Each fixture ``tests/fixtures/violations/<slug>.ru`` is a self-contained SPARQL 1.1 Update that
breaks one real fact of the shipped graph (ontology + data) the way a data editor might. Its
header says what it breaks and what validation must report::

    # constraint: egovsh:SlideShape schema:position
    # expect: Violation egov-slide:building-e-government-2005-03 schema:position sh:MinCount...
    # why: a slide without its position

``expect:`` lines give severity, focus node, result path (``-`` for none) and constraint
component; together they must equal the *new* results (those of the broken graph that the
shipped graph does not have), compared as (severity, focus node, path, component) tuples over
every ``sh:ValidationResult`` of the SHACL report graph (``sh:detail`` results included, as in
``egov_kg.validate(...).results``). Every new result must also come from the named constraint:
its ``sh:sourceShape`` is that property shape, its ``sh:sourceConstraint`` that SPARQL
constraint, or its source shape and component that node shape and parameter; an ``sh:node``
result counts through its ``sh:detail``. A break that cannot avoid violating another
constraint names it on an ``# also:`` line. A ``# shape-bug:`` line marks a fixture the shapes
cannot yet satisfy: it expects what the shape's message promises and fails with that note.

Speed: a full validation takes about 3 s, too long for ~150 fixtures. So each fixture is
validated only at focus nodes: the IRIs of the triples the update adds or removes plus the
expected focus nodes; its baseline is the shipped graph validated at the same focus nodes.
This calls pyshacl with ``egov_kg.validate``'s options and the shapes' targets rewritten into
``sh:targetNode``s (pyshacl's own ``focus_nodes`` option also skips the value nodes of nested
``sh:or``/``sh:not`` shapes that are not in its list). A new result on any other node would go
unseen: set ``EGOV_KG_FULL_VALIDATION=1`` to validate the whole graph with ``egov_kg.validate``
instead (about 10 minutes).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeAlias

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.plugins.sparql.processor import prepareUpdate
from rdflib.term import Node

import egov_kg

REPO = Path(__file__).resolve().parents[1]
SHAPES_FILE = REPO / "ontology" / "shapes.ttl"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "violations"
FULL = os.environ.get("EGOV_KG_FULL_VALIDATION", "") not in ("", "0")

SH = Namespace("http://www.w3.org/ns/shacl#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
EGOVSH = Namespace("https://w3id.org/egov-kg/shapes#")
SEVERITIES = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}

# Key of a constraint: (node shape, path or parameter) or (SPARQL constraint, None).
Key: TypeAlias = tuple[URIRef, URIRef | None]
# One validation result: (severity, focus node, result path or None, constraint component).
Result: TypeAlias = tuple[Node, Node, Node | None, Node]

# Parameters of a node shape that are not constraints of their own.
NOT_CONSTRAINTS = frozenset(
    {
        RDF.type,
        RDFS.label,
        RDFS.comment,
        SH.property,
        SH.sparql,
        SH.node,  # its results are checked through the shape it names
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.target,
        SH.message,
        SH.severity,
        SH.deactivated,
        SH.name,
        SH.description,
    }
)


# ---------------------------------------------------------------------------
# The shapes: keys and where a result comes from
# ---------------------------------------------------------------------------


@cache
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def _signature(graph: Graph, shape: Node) -> frozenset[tuple[Node, Node]]:
    """The non-blank (predicate, object) pairs of a property shape: how to find it again.

    pyshacl copies a result's source shape into the report graph under a new blank node.
    """
    return frozenset((p, o) for p, o in graph.predicate_objects(shape) if not isinstance(o, BNode))


@cache
def constraint_keys() -> dict[Key, None]:
    """Every constraint key of the shapes, in file order of node shapes (sorted)."""
    shapes = shapes_graph()
    keys: dict[Key, None] = {}
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape))):
        if not isinstance(shape, URIRef):
            continue
        for prop in shapes.objects(shape, SH.property):
            path = shapes.value(prop, SH.path)
            assert isinstance(path, URIRef), f"{shape} has a property shape without an IRI path"
            keys[(shape, path)] = None
        for sparql in shapes.objects(shape, SH.sparql):
            assert isinstance(sparql, URIRef), f"{shape} has an unnamed SPARQL constraint"
            keys[(sparql, None)] = None
        for parameter in sorted(set(shapes.predicates(shape))):
            if parameter not in NOT_CONSTRAINTS:
                keys[(shape, parameter)] = None
    return keys


@cache
def property_shapes() -> dict[frozenset[tuple[Node, Node]], frozenset[Key]]:
    """Property shape signature -> the keys of the property shapes that have it."""
    shapes = shapes_graph()
    found: dict[frozenset[tuple[Node, Node]], set[Key]] = {}
    for shape, prop in shapes.subject_objects(SH.property):
        path = shapes.value(prop, SH.path)
        if isinstance(shape, URIRef) and isinstance(path, URIRef):
            found.setdefault(_signature(shapes, prop), set()).add((shape, path))
    return {signature: frozenset(keys) for signature, keys in found.items()}


@cache
def property_shape_keys() -> dict[Node, Key]:
    """Property shape node of shapes_graph() -> its key."""
    shapes = shapes_graph()
    return {
        prop: (shape, path)
        for shape, prop in shapes.subject_objects(SH.property)
        if isinstance(shape, URIRef) and isinstance(path := shapes.value(prop, SH.path), URIRef)
    }


def _parameter(component: Node) -> URIRef | None:
    """sh:PatternConstraintComponent -> sh:pattern."""
    name = str(component)
    if not name.startswith(str(SH)) or not name.endswith("ConstraintComponent"):
        return None
    local = name[len(str(SH)) : -len("ConstraintComponent")]
    return SH[local[:1].lower() + local[1:]]


def sources(report: Graph, result: Node) -> frozenset[Key | str]:
    """The constraint keys a result comes from (a string describes an unknown source)."""
    shape = report.value(result, SH.sourceShape)
    component = report.value(result, SH.sourceConstraintComponent)
    constraint = report.value(result, SH.sourceConstraint)
    if component == SH.SPARQLConstraintComponent and isinstance(constraint, URIRef):
        return frozenset({(constraint, None)})
    if isinstance(shape, BNode):
        if shape in property_shape_keys():  # validated with shapes_graph() itself
            return frozenset({property_shape_keys()[shape]})
        keys = property_shapes().get(_signature(report, shape))
        return keys if keys else frozenset({f"unknown property shape {shape}"})
    if component == SH.NodeConstraintComponent:
        details = list(report.objects(result, SH.detail))
        if not details:
            return frozenset({f"{shape} sh:node without sh:detail"})
        return frozenset().union(*(sources(report, detail) for detail in details))
    parameter = _parameter(component) if component is not None else None
    if isinstance(shape, URIRef) and parameter is not None:
        return frozenset({(shape, parameter)})
    return frozenset({f"unknown source {shape} {component}"})


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def results(report: Graph) -> dict[Result, list[Node]]:
    """Every sh:ValidationResult of a report graph, by (severity, focus, path, component)."""
    found: dict[Result, list[Node]] = {}
    for node in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(node, SH.resultSeverity)
        focus = report.value(node, SH.focusNode)
        component = report.value(node, SH.sourceConstraintComponent)
        assert severity is not None and focus is not None and component is not None
        key = (severity, focus, report.value(node, SH.resultPath), component)
        found.setdefault(key, []).append(node)
    return found


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def _targets(graph: Graph, shapes: Graph, shape: Node) -> set[Node]:
    """The focus nodes the targets of ``shape`` select in ``graph``, SPARQL-based ones too."""
    nodes: set[Node] = set(shapes.objects(shape, SH.targetNode))
    for cls in shapes.objects(shape, SH.targetClass):
        for sub in graph.transitive_subjects(RDFS.subClassOf, cls):
            nodes.update(graph.subjects(RDF.type, sub))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        nodes.update(graph.subjects(prop, None))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        nodes.update(graph.objects(None, prop))
    for target in shapes.objects(shape, SH.target):
        assert (target, RDF.type, SH.SPARQLTarget) in shapes, f"{shape}: unknown kind of target"
        namespaces = {
            str(shapes.value(declared, SH.prefix)): URIRef(
                str(shapes.value(declared, SH.namespace))
            )
            for source in shapes.objects(target, SH.prefixes)
            for declared in shapes.objects(source, SH.declare)
        }
        select = str(shapes.value(target, SH.select))
        nodes.update(row[0] for row in graph.query(select, initNs=namespaces))  # type: ignore[index]
    return nodes


def focused_shapes(graph: Graph, focus: frozenset[URIRef]) -> Graph:
    """A copy of the shapes whose targets select only the ``focus`` nodes they selected.

    (pyshacl's own ``focus_nodes`` option also filters the value nodes that nested shapes
    check, so an ``sh:or`` or ``sh:not`` on a value not in its list passes unchecked.)
    A SPARQL-based target is run here on ``graph`` and replaced like the others.
    """
    shapes = shapes_graph()
    focused = Graph()
    focused += shapes
    for prefix, namespace in shapes.namespaces():  # results name shapes by these prefixes
        focused.bind(prefix, namespace, override=True, replace=True)
    for shape in {s for target in TARGETS for s in shapes.subjects(target, None)}:
        selected = _targets(graph, shapes, shape) & focus
        for target in shapes.objects(shape, SH.target):
            focused -= shapes.triples((target, None, None))
        for target in TARGETS:
            focused.remove((shape, target, None))
        for node in selected:
            focused.add((shape, SH.targetNode, node))
    return focused


def validate(graph: Graph, focus: frozenset[URIRef]) -> Graph:
    """The SHACL report graph of ``graph`` (which holds the ontology) at ``focus`` nodes only."""
    _, report, _ = pyshacl.validate(
        graph,
        shacl_graph=focused_shapes(graph, focus),
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    assert isinstance(report, Graph)
    return report


def validate_whole(graph: Graph, no_ontology: Path) -> Graph:
    """The SHACL report graph of ``graph`` (which holds the ontology), with egov_kg.validate.

    Its ontology is an empty file: the shipped one, which egov_kg.validate merges into the
    graph by default, would undo fixtures that delete ontology triples.
    """
    return egov_kg.validate(graph, ontology=no_ontology).graph


# ---------------------------------------------------------------------------
# Fixtures (the .ru files)
# ---------------------------------------------------------------------------

_HEADER = re.compile(r"^#\s*(constraint|expect|also|why|shape-bug):\s*(.*?)\s*$")
_COMMENT = re.compile(r"^\s*#")
_PREFIX = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Fixture:
    """One broken-graph fixture: its update and what validating the result must report."""

    path: Path
    text: str
    constraint: Key
    also: tuple[Key, ...]
    expected: frozenset[Result]
    shape_bug: str | None

    @property
    def slug(self) -> str:
        return self.path.stem


@cache
def base_prefixes() -> dict[str, str]:
    """The prefixes of the data files and egov-kg, plus sh: and egovsh:."""
    prefixes = {prefix: str(ns) for prefix, ns in shipped_graph().namespaces() if prefix}
    prefixes.update({"sh": str(SH), "egovsh": str(EGOVSH)})
    return prefixes


def _term(text: str, prefixes: Mapping[str, str], where: str) -> URIRef:
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, colon, local = text.partition(":")
    if not colon or prefix not in prefixes:
        raise ValueError(f"{where}: cannot resolve {text!r} (unknown prefix)")
    return URIRef(prefixes[prefix] + local)


def _key(text: str, prefixes: Mapping[str, str], where: str) -> Key:
    parts = text.split()
    if len(parts) not in (1, 2):
        raise ValueError(f"{where}: a constraint is 'shape path-or-parameter' or an IRI")
    first = _term(parts[0], prefixes, where)
    return (first, _term(parts[1], prefixes, where) if len(parts) == 2 else None)


def parse_fixture(path: Path) -> Fixture:
    text = path.read_text(encoding="utf-8")
    prefixes = {**base_prefixes(), **{p or "": ns for p, ns in _PREFIX.findall(text)}}
    where = path.name
    constraints: list[Key] = []
    also: list[Key] = []
    expected: set[Result] = set()
    shape_bug: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not _COMMENT.match(line):
            continue
        match = _HEADER.match(line)
        if match is None:
            raise ValueError(f"{where}:{number}: not a header line (constraint, expect, ...)")
        field, value = match.groups()
        if field == "constraint":
            constraints.append(_key(value, prefixes, where))
        elif field == "also":
            also.append(_key(value, prefixes, where))
        elif field == "shape-bug":
            shape_bug = value
        elif field == "expect":
            parts = value.split()
            if len(parts) != 4 or parts[0] not in SEVERITIES:
                raise ValueError(f"{where}: expect: severity focus path-or- component: {value!r}")
            severity, focus, path_text, component = parts
            expected.add(
                (
                    SEVERITIES[severity],
                    _term(focus, prefixes, where),
                    None if path_text == "-" else _term(path_text, prefixes, where),
                    _term(component, prefixes, where),
                )
            )
    if len(constraints) != 1:
        raise ValueError(f"{where}: needs exactly one '# constraint:' line")
    if not expected:
        raise ValueError(f"{where}: needs at least one '# expect:' line")
    return Fixture(path, text, constraints[0], tuple(also), frozenset(expected), shape_bug)


def fixture_paths() -> list[Path]:
    return sorted(FIXTURES.glob("*.ru"))


# ---------------------------------------------------------------------------
# Showing keys and results
# ---------------------------------------------------------------------------


def _name(node: Node | None) -> str:
    if node is None:
        return "-"
    if isinstance(node, Literal):
        return node.n3()
    text = str(node)
    names = [
        (len(namespace), f"{prefix}:{text[len(namespace) :]}")
        for prefix, namespace in base_prefixes().items()
        if text.startswith(namespace) and "/" not in text[len(namespace) :]
    ]
    return max(names)[1] if names else f"<{text}>"


def show_key(key: Key | str) -> str:
    if isinstance(key, str):
        return key
    first, second = key
    return _name(first) if second is None else f"{_name(first)} {_name(second)}"


def show_result(result: Result) -> str:
    severity, focus, path, component = result
    return f"{_name(severity).removeprefix('sh:')} {_name(focus)} {_name(path)} {_name(component)}"


def compare(expected: frozenset[Result], new: frozenset[Result]) -> list[str]:
    """Lines saying how the new results differ from the expected ones (none if equal)."""
    lines = [f"  missing: {show_result(r)}" for r in sorted(expected - new, key=show_result)]
    lines += [f"  unexpected: {show_result(r)}" for r in sorted(new - expected, key=show_result)]
    return lines


# ---------------------------------------------------------------------------
# Pytest fixtures
# ---------------------------------------------------------------------------


@cache
def shipped_graph() -> Graph:
    """The shipped graph (ontology + data), loaded once; tests copy it before changing it."""
    loaded = egov_kg.load()
    graph = getattr(loaded, "asserted", loaded)  # the rdflib graph, if load() wraps it
    assert isinstance(graph, Graph)
    return graph


@pytest.fixture(scope="module")
def shipped() -> Graph:
    return shipped_graph()


@pytest.fixture(scope="module")
def no_ontology(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("violations") / "empty.ttl"
    path.write_text("", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def baseline_report(shipped: Graph, no_ontology: Path) -> Graph:
    return validate_whole(shipped, no_ontology)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_shipped_graph_has_no_violation_and_no_warning(shipped: Graph) -> None:
    report = egov_kg.validate(shipped)
    bad = [r for r in results(report.graph) if r[0] in (SH.Violation, SH.Warning)]
    assert not bad, "the shipped graph does not validate:\n" + "\n".join(
        show_result(r) for r in sorted(bad, key=show_result)
    )
    assert report.conforms


def test_every_constraint_has_a_fixture() -> None:
    keys = constraint_keys()
    named: dict[Key, list[str]] = {}
    mentioned: dict[Key, list[str]] = {}
    for path in fixture_paths():
        fixture = parse_fixture(path)
        named.setdefault(fixture.constraint, []).append(path.name)
        for key in (fixture.constraint, *fixture.also):
            mentioned.setdefault(key, []).append(path.name)
    missing = [show_key(key) for key in keys if key not in named]
    unknown = [
        f"{show_key(key)} (in {', '.join(files)})"
        for key, files in mentioned.items()
        if key not in keys
    ]
    assert not missing, f"{len(missing)} constraints have no fixture:\n  " + "\n  ".join(missing)
    assert not unknown, "fixtures name constraints the shapes do not have:\n  " + "\n  ".join(
        unknown
    )


def test_comparison_reports_missing_and_unexpected_results() -> None:
    one: Result = (SH.Violation, URIRef("urn:x:a"), None, SH.PatternConstraintComponent)
    two: Result = (SH.Warning, URIRef("urn:x:b"), RDFS.label, SH.MinCountConstraintComponent)
    assert compare(frozenset({one}), frozenset({one})) == []
    assert compare(frozenset({one}), frozenset({two})) == [
        "  missing: Violation <urn:x:a> - sh:PatternConstraintComponent",
        "  unexpected: Warning <urn:x:b> rdfs:label sh:MinCountConstraintComponent",
    ]


def _changed_iris(before: Graph, after: Graph) -> Iterator[URIRef]:
    for s, _, o in set(before) ^ set(after):
        for node in (s, o):
            if isinstance(node, URIRef):
                yield node


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda path: path.stem)
def test_fixture_produces_exactly_its_violation(
    path: Path, shipped: Graph, request: pytest.FixtureRequest
) -> None:
    fixture = parse_fixture(path)
    update = prepareUpdate(fixture.text)  # self-contained: only the PREFIXes it declares
    broken = Graph()
    broken += shipped
    broken.update(update)
    assert set(broken) != set(shipped), f"{fixture.slug}: the update changes nothing"

    if FULL:
        before = request.getfixturevalue("baseline_report")
        after = validate_whole(broken, request.getfixturevalue("no_ontology"))
    else:
        expected_foci = {r[1] for r in fixture.expected if isinstance(r[1], URIRef)}
        focus = frozenset(_changed_iris(shipped, broken)) | expected_foci
        before = validate(shipped, focus)
        after = validate(broken, focus)
    old = results(before)
    found = results(after)
    new = frozenset(found) - frozenset(old)

    differences = compare(fixture.expected, new)
    allowed = {fixture.constraint, *fixture.also}
    direct = False
    for result in sorted(new, key=show_result):
        stray: dict[str, list[str]] = {}
        for node in found[result]:
            origins = sources(after, node)
            direct = direct or fixture.constraint in origins
            if not origins & allowed:
                origin = " or ".join(sorted(show_key(key) for key in origins))
                stray.setdefault(origin, []).append(_name(after.value(node, SH.value)))
        for origin, values in sorted(stray.items()):
            differences.append(
                f"  wrong source: {show_result(result)} comes from {origin} "
                f"(sh:value {', '.join(sorted(values))})"
            )
    if not direct:
        differences.append(f"  no new result comes from {show_key(fixture.constraint)}")

    if fixture.shape_bug is not None:
        if differences:
            pytest.fail(
                f"SHAPE BUG {fixture.slug} ({show_key(fixture.constraint)}): "
                f"{fixture.shape_bug}\n" + "\n".join(differences),
                pytrace=False,
            )
        pytest.fail(
            f"{fixture.slug}: the shape bug seems fixed; remove its '# shape-bug:' line",
            pytrace=False,
        )
    if differences:
        pytest.fail(
            f"{fixture.slug} ({show_key(fixture.constraint)}) does not produce exactly its "
            "expected results:\n" + "\n".join(differences),
            pytrace=False,
        )
