"""Human-readable HTML documentation of the ontology and the SHACL shapes.

``ontology.html`` is pyLODE's documentation of ``ontology/egov.ttl`` (its OntPub profile:
every class and property with its labels, comments, domains, ranges and super-classes).
pyLODE has no profile for SHACL shapes, so ``shapes.html`` is written here, from the
shapes graph through the ``templates/shapes-document.html`` template: every named shape
with its targets, the shapes it includes, its property constraints and messages, and every
SPARQL constraint with its query.

Both pages are deterministic (the same files give the same bytes).
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SH
from rdflib.term import Node

from egov_kg.graph import parse_file
from egov_kg.resources import ontology_file, shapes_file, templates_dir

__all__ = [
    "DOCUMENTATION_FILES",
    "describe_documentation",
    "documentation_files",
    "ontology_html",
    "shapes_html",
]

DOCUMENTATION_FILES: Final = ("ontology.html", "shapes.html")
"""The documentation ``egov-kg build`` writes into a release."""

_TARGETS: Final = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
_LANGUAGE_ORDER: Final = {"en": 0, "ja": 1}
_SHOWN_APART: Final = {RDF.type, RDFS.comment, SH.property, SH.path, SH.message, SH.severity}


def _import_pylode() -> object:
    """Import pyLODE without letting it configure the root logger (its import would)."""
    root = logging.getLogger()
    guard = None if root.handlers else logging.NullHandler()
    if guard is not None:
        root.addHandler(guard)
    try:
        import pylode  # type: ignore[import-untyped]
    finally:
        if guard is not None:
            root.removeHandler(guard)
    return pylode


def ontology_html(ontology: Graph | None = None) -> bytes:
    """The HTML documentation of the ontology by pyLODE (default: the shipped ``egov.ttl``)."""
    pylode = _import_pylode()
    graph = Graph()
    if ontology is None:
        ontology, _ = parse_file(ontology_file())
    for prefix, namespace in ontology.namespaces():
        graph.bind(prefix, namespace, override=True)
    graph += ontology  # pyLODE adds its own triples to the graph it is given
    _one_title_each(graph)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # pyLODE leaves its CSS file open
        html = pylode.OntPub(graph, sort_subjects=True).make_html()  # type: ignore[attr-defined]
    return str(html).encode("utf-8")


def _one_title_each(graph: Graph) -> None:
    """Join each term's labels into one ``English / 日本語`` title.

    pyLODE prints a term's labels one after the other with nothing between them, and an
    ontology's ``rdfs:label`` next to its ``dcterms:title``.
    """
    for subject in set(graph.subjects(DCTERMS.title, None)):
        graph.remove((subject, RDFS.label, None))
    for predicate in (RDFS.label, DCTERMS.title):
        for subject in sorted(set(graph.subjects(predicate, None)), key=str):
            values = sorted(
                graph.objects(subject, predicate),
                key=lambda value: (
                    _LANGUAGE_ORDER.get(str(getattr(value, "language", "")), 2),
                    str(value),
                ),
            )
            if len(values) > 1:
                graph.remove((subject, predicate, None))
                graph.add((subject, predicate, Literal(" / ".join(str(v) for v in values))))


@dataclass(frozen=True)
class _Value:
    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class _Property:
    path: str
    constraints: tuple[str, ...]
    message: str
    severity: str | None


@dataclass(frozen=True)
class _Shape:
    name: str
    anchor: str
    comment: str | None
    facts: tuple[tuple[str, tuple[_Value, ...]], ...]
    properties: tuple[_Property, ...]


@dataclass(frozen=True)
class _Constraint:
    name: str
    anchor: str
    message: str
    select: str


class _Writer:
    """Terms of the shapes graph as text: prefixed names, lists, nested blank nodes."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef):
            try:
                return self.shapes.namespace_manager.normalizeUri(node)
            except Exception:  # pragma: no cover - an IRI no prefix covers
                return f"<{node}>"
        if isinstance(node, Literal):
            if node.datatype is None and not node.language:
                return f'"{node}"'
            return str(node) if node.datatype is not None else f'"{node}"@{node.language}'
        if isinstance(node, BNode):
            if (node, RDF.first, None) in self.shapes or node == RDF.nil:
                return "( " + " ".join(self.term(i) for i in Collection(self.shapes, node)) + " )"
            pairs = sorted(
                self.shapes.predicate_objects(node), key=lambda p: (str(p[0]), str(p[1]))
            )
            inner = " ; ".join(f"{self.term(p)} {self.term(o)}" for p, o in pairs)
            return f"[ {inner} ]"
        return str(node)

    def anchor(self, node: Node) -> str | None:
        if isinstance(node, URIRef) and "#" in str(node):
            return re.sub(r"[^A-Za-z0-9_-]", "-", str(node).rsplit("#", 1)[1])
        return None

    def values(self, subject: Node, predicate: Node) -> list[Node]:
        return sorted(self.shapes.objects(subject, predicate), key=lambda node: self.term(node))


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    values = sorted(str(value) for value in graph.objects(subject, predicate))
    return " / ".join(values) if values else None


def _property(writer: _Writer, node: Node) -> _Property:
    shapes = writer.shapes
    lines = []
    for predicate, obj in sorted(
        shapes.predicate_objects(node),
        key=lambda pair: (writer.term(pair[0]), writer.term(pair[1])),
    ):
        if predicate in _SHOWN_APART:
            continue
        lines.append(f"{writer.term(predicate)} {writer.term(obj)}")
    severity = shapes.value(node, SH.severity)
    return _Property(
        path=" / ".join(writer.term(p) for p in writer.values(node, SH.path)),
        constraints=tuple(lines),
        message=_text(shapes, node, SH.message) or "",
        severity=writer.term(severity).split(":")[-1] if severity is not None else None,
    )


def _shape(writer: _Writer, node: URIRef) -> _Shape:
    shapes = writer.shapes
    facts: list[tuple[str, tuple[_Value, ...]]] = []
    for predicate in [*_TARGETS, SH.severity]:
        found = writer.values(node, predicate)
        if found:
            facts.append((writer.term(predicate), tuple(_Value(writer.term(v)) for v in found)))
    others = sorted(
        {p for p in shapes.predicates(node) if p not in _SHOWN_APART and p not in _TARGETS},
        key=writer.term,
    )
    for other in others:
        facts.append(
            (
                writer.term(other),
                tuple(
                    _Value(writer.term(value), writer.anchor(value))
                    for value in writer.values(node, other)
                ),
            )
        )
    message = _text(shapes, node, SH.message)
    if message:
        facts.append(("sh:message", (_Value(message),)))
    properties = sorted(
        (_property(writer, prop) for prop in shapes.objects(node, SH.property)),
        key=lambda prop: (prop.path, prop.constraints),
    )
    return _Shape(
        name=writer.term(node),
        anchor=writer.anchor(node) or writer.term(node),
        comment=_text(shapes, node, RDFS.comment),
        facts=tuple(facts),
        properties=tuple(properties),
    )


def _named(graph: Graph, cls: URIRef) -> Iterable[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))


def shapes_html(shapes: Graph | None = None) -> bytes:
    """HTML documentation of the SHACL shapes (default: the shipped ``shapes.ttl``)."""
    import jinja2

    source = shapes_file()
    if shapes is None:
        shapes, _ = parse_file(source)
    writer = _Writer(shapes)
    documented = [_shape(writer, node) for node in _named(shapes, SH.NodeShape)]
    constraints = [
        _Constraint(
            name=writer.term(node),
            anchor=writer.anchor(node) or writer.term(node),
            message=_text(shapes, node, SH.message) or "",
            select=(_text(shapes, node, SH.select) or "").strip("\n"),
        )
        for node in _named(shapes, SH.SPARQLConstraint)
    ]
    document = URIRef("https://w3id.org/egov-kg/shapes")
    labels = {
        value.language: str(value)
        for value in shapes.objects(document, RDFS.label)
        if isinstance(value, Literal)
    }
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        keep_trailing_newline=True,
    )
    html = environment.get_template("shapes-document.html").render(
        title=labels.get("en", "egov-kg SHACL shapes"),
        description=labels.get("ja", ""),
        source=f"ontology/{source.name}",
        shapes=documented,
        constraints=constraints,
    )
    return html.encode("utf-8")


def describe_documentation(name: str) -> tuple[str, str]:
    """What the release page ``name`` (one of :data:`DOCUMENTATION_FILES`) holds: en, ja."""
    if name == "ontology.html":
        return (
            "Documentation of the OWL ontology (pyLODE), as HTML.",
            "OWL オントロジーの説明文書 (pyLODE)、HTML 形式。",
        )
    if name == "shapes.html":
        return (
            "Documentation of the SHACL shapes, as HTML.",
            "SHACL シェイプの説明文書、HTML 形式。",
        )
    raise ValueError(f"no documentation page {name!r}")


def _documentation_key() -> str:
    """The cache key of the shipped pages: the ontology, shapes and templates, the code."""
    from importlib.metadata import PackageNotFoundError, version

    from egov_kg.cache import content_key

    parts = [ontology_file().read_bytes(), shapes_file().read_bytes()]
    for template in sorted(templates_dir().rglob("*")):
        if template.is_file():
            parts += [template.name.encode(), template.read_bytes()]
    for package in ("pylode", "jinja2", "markdown", "dominate"):
        try:
            parts.append(f"{package}=={version(package)}".encode())
        except PackageNotFoundError:
            parts.append(f"{package}==?".encode())
    return content_key(b"documentation", *parts)


def documentation_files() -> dict[str, bytes]:
    """The documentation of a release, :data:`DOCUMENTATION_FILES`: file name -> bytes.

    The pages depend on the ontology and shapes files only, not on the data, and pyLODE
    takes seconds: they are kept in the cache folder, keyed by those files, the templates,
    egov-kg's code and the versions of the libraries that write them.
    """
    from egov_kg.cache import cache_dir, write_cache_file

    folder = cache_dir() / "documentation" / _documentation_key()
    with contextlib.suppress(OSError):
        return {name: (folder / name).read_bytes() for name in DOCUMENTATION_FILES}
    files = {"ontology.html": ontology_html(), "shapes.html": shapes_html()}
    for name, data in files.items():
        write_cache_file(folder / name, data)
    return files
