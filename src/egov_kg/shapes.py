"""SHACL validation of the knowledge graph with pyshacl, with readable, sorted results."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from egov_kg.graph import (
    _Prefixes,
    bind_prefixes,
    check_file,
    load,
    load_ontology,
    new_graph,
    parse_file,
)
from egov_kg.namespaces import RDF, RDFS, SH, SKOS, XSD
from egov_kg.reasoning import infer
from egov_kg.resources import data_files, ontology_file, shapes_file
from egov_kg.shape_groups import Census, shape_groups
from egov_kg.terms import to_oxigraph

__all__ = ["Engine", "Severity", "ValidationReport", "ValidationResult", "validate"]

Severity: TypeAlias = Literal["Violation", "Warning", "Info"]
Engine: TypeAlias = Literal["pyshacl", "turbo"]

_SEVERITIES: Final[dict[Node, Severity]] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}
_RANK: Final[dict[str, int]] = {"Violation": 0, "Warning": 1, "Info": 2}
_LANGUAGES: Final = ("en", "ja")


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result, with names already resolved for people.

    Attributes:
        focus_node: the node that failed a constraint.
        focus_label: its ``skos:prefLabel`` or ``rdfs:label`` (English, then Japanese, then
            any language), else ``focus_name``.
        focus_name: the focus node as a prefixed name (``egov-org:mof``), else its full IRI.
        path: the property path as a prefixed name or SHACL path expression, or None.
        message: the shape's ``sh:message`` or pyshacl's default message.
        severity: ``"Violation"``, ``"Warning"`` or ``"Info"``.
        source_shape: the shape's prefixed name, or ``[ sh:path ... ]`` for a blank node.
        value: the offending value (prefixed name or Turtle literal), or None.
        constraint_component: e.g. ``sh:MinCountConstraintComponent``.
        source_constraint: the named SHACL-SPARQL constraint (``egovsh:NoRankTie``), or None.
    """

    focus_node: Node
    focus_label: str
    focus_name: str
    path: str | None
    message: str
    severity: Severity
    source_shape: str
    value: str | None
    constraint_component: str
    source_constraint: str | None = None

    def line(self) -> str:
        """Return the result as one readable line."""
        where = f" {self.path}" if self.path else ""
        return f"{self.severity}: {self.focus_label} <{self.focus_name}>{where}: {self.message}"

    def sort_key(self) -> tuple[int, str, str, str, str, str, str]:
        """Deterministic order: severity, focus node, path, component, message, value."""
        return (
            _RANK[self.severity],
            self.focus_name,
            self.path or "",
            self.constraint_component,
            self.message,
            self.value or "",
            self.source_shape,
        )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`.

    Attributes:
        conforms: False iff there is at least one ``sh:Violation`` (warnings and infos are
            reported but allowed).
        results: every result, sorted deterministically (violations first).
        graph: pyshacl's SHACL validation report graph.
    """

    conforms: bool
    results: tuple[ValidationResult, ...]
    graph: Graph = field(repr=False, compare=False)

    def count(self, severity: Severity) -> int:
        """Return how many results have ``severity``."""
        return sum(1 for result in self.results if result.severity == severity)

    @property
    def summary(self) -> str:
        """One line: whether the graph conforms and how many results of each severity."""
        state = "conforms" if self.conforms else "does not conform"
        return (
            f"egov-kg: the knowledge graph {state} to its SHACL shapes: "
            f"{_plural(self.count('Violation'), 'violation')}, "
            f"{_plural(self.count('Warning'), 'warning')}, "
            f"{_plural(self.count('Info'), 'info')}"
        )

    @property
    def text(self) -> str:
        """The summary followed by one line per result."""
        return "\n".join([self.summary, *(result.line() for result in self.results)])


class _Names:
    """Render nodes of one graph as prefixed names without touching its namespace manager.

    (rdflib's own ``normalizeUri`` binds new ``ns1:`` prefixes as a side effect.)
    """

    def __init__(self, *graphs: Graph) -> None:
        bound = {str(ns): prefix for graph in reversed(graphs) for prefix, ns in graph.namespaces()}
        # Longest namespace first, so the most specific prefix wins.
        self._namespaces = sorted(bound.items(), key=lambda item: (-len(item[0]), item[1]))

    def iri(self, iri: str) -> str:
        for namespace, prefix in self._namespaces:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and not any(c in local for c in "/#?"):
                return f"{prefix}:{local}"
        return iri

    def node(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, RdfLiteral):
            quoted = RdfLiteral(str(node)).n3()
            if node.language:
                return f"{quoted}@{node.language}"
            if node.datatype is not None and node.datatype != XSD.string:
                return f"{quoted}^^{self.iri(str(node.datatype))}"
            return quoted
        if isinstance(node, BNode):
            return "[]"
        return str(node)


Labels: TypeAlias = Callable[[Node, URIRef], list[tuple[str, str]]]
"""A graph's literals ``(language, text)`` of a node for a predicate (language "" if none)."""


def _pick(literals: Iterable[tuple[str, str]]) -> str | None:
    """Choose a literal: English first, then Japanese, then any (deterministically)."""
    candidates = sorted(literals)
    for language in _LANGUAGES:
        for tag, text in candidates:
            tag = tag.lower()
            if tag == language or tag.startswith(f"{language}-"):
                return text
    return candidates[0][1] if candidates else None


def _rdflib_literals(nodes: Iterable[Node]) -> list[tuple[str, str]]:
    return [(lit.language or "", str(lit)) for lit in nodes if isinstance(lit, RdfLiteral)]


def _graph_labels(graph: Graph) -> Labels:
    """The literals of ``graph``, read from rdflib."""
    return lambda node, predicate: _rdflib_literals(graph.objects(node, predicate))


def _index_labels(index: dict[tuple[ox.NamedNode | ox.BlankNode, str], list[ox.Literal]]) -> Labels:
    """The literals of an index ``(subject, predicate IRI) -> literals`` (pyoxigraph terms).

    pyshacl-turbo keeps the blank node labels of the N-Triples it reads, so a blank focus
    node of the report is the blank node of that label.
    """

    def literals(node: Node, predicate: URIRef) -> list[tuple[str, str]]:
        if not isinstance(node, URIRef | BNode):
            return []  # a literal focus node has no label
        found = index.get((to_oxigraph(node), str(predicate)), [])  # type: ignore[arg-type]
        return [(literal.language or "", literal.value) for literal in found]

    return literals


def _label(labels: Labels, node: Node, names: _Names) -> str:
    for predicate in (SKOS.prefLabel, RDFS.label):
        label = _pick(labels(node, predicate))
        if label is not None:
            return label
    return names.node(node)


def _path(report: Graph, path: Node | None, names: _Names) -> str | None:
    """Render a SHACL property path (as copied into the report graph) in SPARQL syntax."""
    if path is None:
        return None
    if not isinstance(path, BNode):
        return names.node(path)
    if (path, RDF.first, None) in report:
        return "/".join(_path(report, step, names) or "?" for step in Collection(report, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = report.value(path, predicate)
        if inner is not None:
            return template.format(_path(report, inner, names))
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        options = Collection(report, alternatives)
        return "(" + "|".join(_path(report, option, names) or "?" for option in options) + ")"
    return "[]"


def _result(report: Graph, labels: Labels, node: Node, names: _Names) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    if focus is None:  # pragma: no cover - pyshacl always sets it
        raise ValueError("SHACL result without sh:focusNode")
    shape = report.value(node, SH.sourceShape)
    component = report.value(node, SH.sourceConstraintComponent)
    value = report.value(node, SH.value)
    source = report.value(node, SH.sourceConstraint)
    path = _path(report, report.value(node, SH.resultPath), names)
    if isinstance(shape, BNode):
        shape_path = _path(report, report.value(shape, SH.path), names)
        source_shape = f"[ sh:path {shape_path} ]" if shape_path else "[]"
    else:
        source_shape = names.node(shape) if shape is not None else ""
    constraint = names.node(component) if component is not None else ""
    message = _pick(_rdflib_literals(report.objects(node, SH.resultMessage))) or constraint
    declared = report.value(node, SH.resultSeverity)
    severity: Severity = "Violation"
    if declared is not None and declared in _SEVERITIES:
        severity = _SEVERITIES[declared]
    return ValidationResult(
        focus_node=focus,
        focus_label=_label(labels, focus, names),
        focus_name=names.node(focus),
        path=path,
        message=message,
        severity=severity,
        source_shape=source_shape,
        value=names.node(value) if value is not None else None,
        constraint_component=constraint,
        source_constraint=names.node(source) if isinstance(source, URIRef) else None,
    )


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _PreparedQueryGraph(Graph):
    """A graph that parses each distinct SPARQL text once.

    pyshacl runs every SHACL-SPARQL constraint once per focus node with the same text and a
    different ``$this`` binding, and rdflib parses the text anew each time; parsing, not
    evaluation, was 90% of validation time. A prepared query with ``initBindings`` is what
    rdflib itself offers for this, so the answers are the same.
    """

    def query(
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Any = None,  # noqa: N803 - rdflib's parameter names
        initBindings: Any = None,  # noqa: N803
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and not initNs:
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings, *args, **kwargs)


def _file_key(path: Path) -> tuple[str, int, int]:
    """A file's resolved path, modification time and size: a cache key that sees edits."""
    status = path.stat()
    return str(path.resolve()), status.st_mtime_ns, status.st_size


@lru_cache(maxsize=8)
def _compiled_shapes(path: str, _mtime_ns: int, _size: int) -> tuple[Graph, Any]:
    """The shapes graph of ``path`` and its pyshacl-turbo compilation, made once per version.

    Compiling reads every shape; reusing it makes a second validation of another graph cost
    only the data.
    """
    try:
        import pyshacl_turbo
    except ImportError as error:  # pragma: no cover - the test extra installs it
        raise ImportError(
            "validation with engine='turbo' needs pyshacl-turbo: pip install 'egov-kg[fast]'"
        ) from error
    compile_shapes: Callable[..., Any] = pyshacl_turbo.compile_shapes  # untyped library
    shapes_graph, _ = parse_file(Path(path))
    return shapes_graph, compile_shapes(shapes_graph, advanced=True)


def _with_ontology(data: Graph, ontology: Graph) -> Graph:
    """``data`` merged with ``ontology``, copied only when the ontology is not already in it.

    pyshacl-turbo reads the graph it is given once; the copy is what costs (3 s of the 11 s
    after loading at 100k triples). :func:`egov_kg.load` and :attr:`KnowledgeGraph.asserted`
    already hold the ontology, so the data itself is given.
    """
    if all(triple in data for triple in ontology):
        return data
    merged = Graph(bind_namespaces="none")
    merged += data
    merged += ontology
    return merged


def validate(
    graph: Graph | None = None,
    *,
    data_dir: Path | str | None = None,
    inferred: bool = False,
    shapes: Path | str | None = None,
    ontology: Path | str | None = None,
    engine: Engine = "pyshacl",
) -> ValidationReport:
    """Validate the knowledge graph against the SHACL shapes.

    pyshacl runs with SHACL-SPARQL and SHACL-AF (``advanced=True``), no extra inference, and
    ``allow_warnings=True``: only ``sh:Violation`` results make the graph non-conforming.
    ``engine="turbo"`` runs the same shapes with the same options on pyshacl-turbo, a Rust
    engine with pySHACL's API (the ``fast`` extra), for large graphs: the same verdict and
    the same results (``tests/test_fast_validation.py``); pyshacl stays the reference.
    Given files (``data_dir`` or the shipped data, without ``inferred``), it reads them
    checked but without an rdflib graph (:func:`_validate_files`); given a graph, that graph.

    Args:
        graph: the graph to validate; default: :func:`egov_kg.load` of ``data_dir``.
        data_dir: folder of Turtle data files when ``graph`` is None.
        inferred: validate the OWL 2 RL closure (:func:`egov_kg.infer`) instead.
        shapes: SHACL shapes file; default: the shipped ``ontology/shapes.ttl``.
        ontology: OWL ontology file; default: the shipped ``ontology/egov.ttl``.
        engine: ``"pyshacl"`` (the reference) or ``"turbo"`` (pyshacl-turbo, much faster).

    Raises:
        DataError: a Turtle file is malformed.
        OSError: a file cannot be read.
        ValueError: both ``graph`` and ``data_dir`` are given, or ``engine`` is unknown.
        ImportError: ``engine="turbo"`` without pyshacl-turbo installed.
    """
    if graph is not None and data_dir is not None:
        raise ValueError("give either a graph or a data folder, not both")
    if engine not in ("pyshacl", "turbo"):
        raise ValueError(f"unknown validation engine {engine!r}: use 'pyshacl' or 'turbo'")
    graph = getattr(graph, "asserted", graph)  # a KnowledgeGraph validates its asserted graph
    shapes_path = Path(shapes) if shapes is not None else shapes_file()
    if engine == "turbo" and graph is None and not inferred:
        return _validate_files(
            [Path(ontology) if ontology is not None else ontology_file(), *data_files(data_dir)],
            shapes_path,
        )
    ontology_graph = load_ontology(ontology)
    data = load(data_dir, ontology=ontology) if graph is None else graph
    if inferred:
        data = infer(data)
    if engine == "turbo":
        shapes_graph, compiled = _compiled_shapes(*_file_key(shapes_path))
        conforms, report, _ = compiled.validate(
            _with_ontology(data, ontology_graph),
            inference="none",
            allow_warnings=True,
            abort_on_first=False,
        )
    else:
        shapes_graph, _ = parse_file(shapes_path)
        target = _PreparedQueryGraph(bind_namespaces="none")
        for triple in data:
            target.add(triple)
        for triple in ontology_graph:
            target.add(triple)
        conforms, report, _ = pyshacl.validate(
            target,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
            abort_on_first=False,
            inplace=True,
        )
    return _report(conforms, report, _graph_labels(data), _Names(data, shapes_graph))


_LABEL_PREDICATES: Final = frozenset({str(SKOS.prefLabel), str(RDFS.label)})
_SUBCLASS_OF: Final = str(RDFS.subClassOf)


@dataclass
class _CheckedData:
    """The triples of checked files as N-Triples, their labels, and the prefixes they bind."""

    ntriples: list[bytes] = field(default_factory=list)
    labels: dict[tuple[ox.NamedNode | ox.BlankNode, str], list[ox.Literal]] = field(
        default_factory=dict
    )
    prefixes: _Prefixes = field(default_factory=_Prefixes)
    census: Census = field(default_factory=Census)

    def add(self, path: Path) -> None:
        """Check ``path`` as strictly as :func:`egov_kg.graph.load` parses it, then add it."""
        checked, prefixes = check_file(path)
        self.prefixes.add(path, prefixes)
        quads: Iterable[ox.Quad] = checked.quads or ox.parse(
            checked.data, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True
        )
        body = ox.serialize(self._noting_labels(quads), format=ox.RdfFormat.N_TRIPLES)
        self.ntriples.append(body or b"")

    def _noting_labels(self, quads: Iterable[ox.Quad]) -> Iterable[ox.Quad]:
        """The quads, their labels noted in :attr:`labels` and their shape in :attr:`census`."""
        labels, wanted, census = self.labels, _LABEL_PREDICATES, self.census
        for quad in quads:
            obj, predicate = quad.object, quad.predicate.value
            census.note(predicate, obj.value if isinstance(obj, ox.NamedNode) else "")
            if predicate in wanted and isinstance(obj, ox.Literal):
                subject = quad.subject
                assert isinstance(subject, ox.NamedNode | ox.BlankNode)  # checked: RDF 1.1
                labels.setdefault((subject, predicate), []).append(obj)
            elif predicate == _SUBCLASS_OF and isinstance(obj, ox.NamedNode | ox.BlankNode):
                census.note_subclass(quad.subject.value, obj.value)  # type: ignore[union-attr]
            yield quad


def _validate_files(
    files: Sequence[Path], shapes_path: Path, *, threads: int | None = None
) -> ValidationReport:
    """Validate the triples of ``files`` with pyshacl-turbo, without an rdflib data graph.

    Each file is checked (:func:`~egov_kg.graph.check_file`: the errors of
    :func:`~egov_kg.graph.load`) and written as N-Triples, which pyshacl-turbo reads in
    Rust with the prefixes the files bind (its default messages name nodes with them);
    focus labels come from the label triples noted on the way. Not an Oxigraph store:
    a store keeps numbers and booleans in canonical form (``"1.50"^^xsd:decimal`` reads
    back ``"1.5"``, ``"1"^^xsd:boolean`` and ``"true"`` become one triple), which SHACL
    (``sh:pattern``, ``STR``, counts) and the reported values would see. At a million
    triples this saves the rdflib graph (a minute to build) and its conversion for turbo.

    The shapes are validated in ``threads`` groups of about equal work (default: one per
    CPU, at most two; :mod:`egov_kg.shape_groups`), each in its own thread on its own copy
    of the data (pyshacl-turbo releases the GIL); the groups' reports are merged.
    """
    data = _CheckedData()
    for path in files:
        data.add(path)
    prefixes = bind_prefixes(new_graph(), data.prefixes.extra())
    ntriples = b"".join(data.ntriples).decode("utf-8")
    data.ntriples.clear()
    namespaces = {prefix: str(namespace) for prefix, namespace in prefixes.namespaces()}
    shapes_graph, compiled = _compiled_shapes(*_file_key(shapes_path))
    groups = shape_groups(shapes_graph, data.census, _threads() if threads is None else threads)

    def run(group: list[URIRef] | None) -> tuple[bool, Graph]:
        from pyshacl_turbo.rdf import Input  # the serialized input its own Store path makes

        source = Input(ntriples, "nt", None, {}, namespaces, preserve_ids=True)
        conforms, report, _ = compiled.validate(
            source, inference="none", allow_warnings=True, abort_on_first=False, use_shapes=group
        )
        return bool(conforms), report

    if len(groups) < 2:
        conforms, report = run(None)
    else:
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            conforms, report = _merged(list(pool.map(run, groups)))
    return _report(conforms, report, _index_labels(data.labels), _Names(prefixes, shapes_graph))


def _threads() -> int:
    """Threads for validating files: one per CPU this process may use, at most two.

    Each thread reads its own copy of the data: two copies at a million triples fit the
    memory budget, more would not.
    """
    return min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _merged(outcomes: Sequence[tuple[bool, Graph]]) -> tuple[bool, Graph]:
    """One SHACL report of the reports of shape groups: their results under one report node.

    Each result is copied with what its blank nodes lead to (details, paths, blank source
    shapes). A blank shape that results of two groups name is described in both reports
    (its lists under new blank nodes): it is copied once, as a single report holds it.
    """
    conforms = all(group_conforms for group_conforms, _ in outcomes)
    merged = Graph(bind_namespaces="none")
    node = BNode()
    merged.add((node, RDF.type, SH.ValidationReport))
    merged.add((node, SH.conforms, RdfLiteral(conforms)))
    copied: set[Node] = set()
    for _, report in outcomes:
        for prefix, namespace in report.namespaces():
            merged.bind(prefix, namespace, override=False)
        for result in report.objects(None, SH.result):
            merged.add((node, SH.result, result))
            todo = [result]
            while todo:
                subject = todo.pop()
                if subject in copied:
                    continue
                copied.add(subject)
                for predicate, obj in report.predicate_objects(subject):
                    merged.add((subject, predicate, obj))
                    if isinstance(obj, BNode):
                        todo.append(obj)
    return conforms, merged


def _report(conforms: object, report: object, labels: Labels, names: _Names) -> ValidationReport:
    """The :class:`ValidationReport` of a SHACL report graph, results labelled and sorted."""
    if not isinstance(report, Graph):  # pragma: no cover - pyshacl returns a Graph
        raise TypeError(f"unexpected pyshacl report {type(report).__name__}")
    results = sorted(
        (
            _result(report, labels, node, names)
            for node in report.subjects(RDF.type, SH.ValidationResult)
        ),
        key=ValidationResult.sort_key,
    )
    return ValidationReport(conforms=bool(conforms), results=tuple(results), graph=report)
