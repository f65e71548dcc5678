"""What the server's HTML pages show: resources, the ontology's terms and the SHACL shapes.

The page data are plain, picklable dataclasses (the resource pages are built in the query
workers, see :mod:`egov_kg.workers`); the Jinja2 templates in ``templates/`` render them.
:func:`href` maps an IRI of egov-kg to its page on the local server, so that
``https://w3id.org/egov-kg/id/org/cio-council`` links to ``/id/org/cio-council``.

>>> href("https://w3id.org/egov-kg/id/org/cio-council")
'/id/org/cio-council'
>>> href("https://w3id.org/egov-kg/ontology#PromotionBody")
'/ontology#PromotionBody'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from egov_kg.iris import ID_BASE, PREFIX_IRIS, compact

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph
    from rdflib.term import Node

__all__ = [
    "ONTOLOGY_IRI",
    "SHAPES_IRI",
    "OntologyPage",
    "PropertyValues",
    "ResourcePage",
    "Shape",
    "Term",
    "Value",
    "href",
    "ontology_page",
    "row_value",
    "shapes_page",
]

ONTOLOGY_IRI = "https://w3id.org/egov-kg/ontology"
SHAPES_IRI = "https://w3id.org/egov-kg/shapes"
_RDFS = PREFIX_IRIS["rdfs"]
_RDF = PREFIX_IRIS["rdf"]
_OWL = PREFIX_IRIS["owl"]
_SH = "http://www.w3.org/ns/shacl#"


def href(iri: str) -> str:
    """The local page of an egov-kg IRI (resources, ontology terms, shapes); else the IRI."""
    if iri.startswith(ID_BASE):
        return "/id/" + iri[len(ID_BASE) :]
    for document, path in ((ONTOLOGY_IRI, "/ontology"), (SHAPES_IRI, "/shapes")):
        if iri == document:
            return path
        if iri.startswith(document + "#"):
            return path + iri[len(document) :]
    return iri


@dataclass(frozen=True)
class Value:
    """One value on a page: a resource (``iri``) with its labels, or a literal ``text``."""

    text: str
    iri: str | None = None
    curie: str | None = None
    lang: str | None = None
    ja: str | None = None
    en: str | None = None

    @property
    def href(self) -> str | None:
        """Where a link to this value goes (None for a literal)."""
        return None if self.iri is None else href(self.iri)


@dataclass(frozen=True)
class PropertyValues:
    """A property, with its labels, and its values on a page."""

    property: Value
    values: list[Value] = field(default_factory=list)


@dataclass(frozen=True)
class ResourcePage:
    """What a resource's HTML page shows.

    Attributes:
        resource: the resource with its labels.
        types: its classes.
        properties: its other properties and their values (outgoing links).
        incoming: the resources that point at it, by property.
        sources: its provenance (slides, outside sources, basis, confidence).
        claims: the ``rdf:Statement`` claims about its triples (a basis of their own, or a
            reading that was not adopted), from the ``provenance`` canned query.
    """

    resource: Value
    types: list[Value]
    properties: list[PropertyValues]
    incoming: list[PropertyValues]
    sources: list[PropertyValues]
    claims: list[dict[str, Value]]


def row_value(value: Any, labels: Mapping[str, Mapping[str, str]] | None = None) -> Value:
    """A value of a result row (see :func:`egov_kg.results.to_python`) as a :class:`Value`."""
    from rdflib import URIRef

    from egov_kg.results import LangString

    if value is None:
        return Value("")
    if isinstance(value, URIRef):
        iri = str(value)
        names = (labels or {}).get(iri, {})
        return Value(iri, iri=iri, curie=compact(iri), ja=names.get("ja"), en=names.get("en"))
    if isinstance(value, LangString):
        return Value(str(value), lang=value.lang)
    if isinstance(value, bool):
        return Value("true" if value else "false")
    return Value(str(value))


def term_value(
    node: Node,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    prefixes: Mapping[str, str] = PREFIX_IRIS,
) -> Value:
    """An rdflib term as a :class:`Value`, with labels from ``labels`` if it is an IRI."""
    from rdflib import Literal, URIRef

    if isinstance(node, URIRef):
        iri = str(node)
        names = (labels or {}).get(iri, {})
        curie = compact(iri, prefixes)
        return Value(iri, iri=iri, curie=curie, ja=names.get("ja"), en=names.get("en"))
    if isinstance(node, Literal):
        return Value(str(node), lang=node.language)
    return Value(str(node))


def _labels(graph: Graph, predicates: Iterable[str]) -> dict[str, dict[str, str]]:
    from rdflib import Literal, URIRef

    labels: dict[str, dict[str, str]] = {}
    for predicate in predicates:
        for subject, label in sorted(graph.subject_objects(URIRef(predicate))):
            if isinstance(subject, URIRef) and isinstance(label, Literal) and label.language:
                labels.setdefault(str(subject), {}).setdefault(label.language, str(label))
    return labels


@dataclass(frozen=True)
class Term:
    """An ontology term: its labels, comments and every other statement about it."""

    value: Value
    anchor: str
    kind: str
    comment_ja: str | None
    comment_en: str | None
    statements: list[PropertyValues]


@dataclass(frozen=True)
class OntologyPage:
    """The ontology: its own description and its terms, classes first."""

    title: Value
    comment_ja: str | None
    comment_en: str | None
    terms: list[Term]


_KINDS = (
    (_OWL + "Class", "class"),
    (_OWL + "ObjectProperty", "object property"),
    (_OWL + "DatatypeProperty", "datatype property"),
    (_OWL + "AnnotationProperty", "annotation property"),
    (_RDF + "Property", "property"),
    (_OWL + "NamedIndividual", "individual"),
)


def _comment(graph: Graph, subject: Node, lang: str) -> str | None:
    from rdflib import Literal, URIRef

    found = sorted(
        str(o)
        for o in graph.objects(subject, URIRef(_RDFS + "comment"))
        if isinstance(o, Literal) and o.language == lang
    )
    return found[0] if found else None


def _statements(
    graph: Graph, subject: Node, skip: set[str], labels: Mapping[str, Mapping[str, str]]
) -> list[PropertyValues]:
    groups: dict[str, PropertyValues] = {}
    for predicate, obj in sorted(graph.predicate_objects(subject)):
        if str(predicate) in skip:
            continue
        group = groups.setdefault(str(predicate), PropertyValues(term_value(predicate, labels)))
        group.values.append(term_value(obj, labels))
    return list(groups.values())


def ontology_page(graph: Graph) -> OntologyPage:
    """The page of the ontology ``graph``: every term of the ``egov:`` namespace."""
    from rdflib import URIRef

    labels = _labels(graph, [PREFIX_IRIS["skos"] + "prefLabel", _RDFS + "label"])
    namespace = PREFIX_IRIS["egov"]
    kinds = {}
    for type_iri, kind in reversed(_KINDS):
        for subject in graph.subjects(URIRef(_RDF + "type"), URIRef(type_iri)):
            if str(subject).startswith(namespace) and str(subject) != namespace:
                kinds[str(subject)] = kind
    order = {kind: index for index, (_, kind) in enumerate(_KINDS)}
    skip = {_RDFS + "label", _RDFS + "comment"}
    terms = [
        Term(
            value=term_value(URIRef(iri), labels),
            anchor=iri[len(namespace) :],
            kind=kind,
            comment_ja=_comment(graph, URIRef(iri), "ja"),
            comment_en=_comment(graph, URIRef(iri), "en"),
            statements=_statements(graph, URIRef(iri), skip, labels),
        )
        for iri, kind in sorted(kinds.items(), key=lambda item: (order[item[1]], item[0]))
    ]
    ontology = URIRef(ONTOLOGY_IRI)
    return OntologyPage(
        title=term_value(ontology, labels),
        comment_ja=_comment(graph, ontology, "ja"),
        comment_en=_comment(graph, ontology, "en"),
        terms=terms,
    )


@dataclass(frozen=True)
class Shape:
    """A named shape or constraint of the shapes graph, with its Turtle."""

    value: Value
    anchor: str
    kinds: list[Value]
    comment: str | None
    targets: list[PropertyValues]
    turtle: str


_TARGETS = [
    _SH + name for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
]


def shapes_page(graph: Graph, ontology: Graph) -> list[Shape]:
    """Every named shape of the shapes ``graph``, with labels of the ontology's terms."""
    from rdflib import Literal, URIRef

    from egov_kg.graph import bind_prefixes, new_graph

    labels = _labels(ontology, [_RDFS + "label"])
    namespace = SHAPES_IRI + "#"
    shapes = []
    for subject in sorted({s for s in graph.subjects() if str(s).startswith(namespace)}, key=str):
        own = bind_prefixes(new_graph(), {"egovsh": namespace})
        own += graph.cbd(subject)
        turtle = own.serialize(format="turtle")
        body = "\n".join(line for line in turtle.splitlines() if not line.startswith("@prefix"))
        comments = [
            str(o)
            for o in graph.objects(subject, URIRef(_RDFS + "comment"))
            if isinstance(o, Literal)
        ]
        targets = [
            PropertyValues(
                term_value(URIRef(target)),
                [
                    term_value(o, labels)
                    for o in sorted(graph.objects(subject, URIRef(target)), key=str)
                ],
            )
            for target in _TARGETS
            if (subject, URIRef(target), None) in graph
        ]
        types = [
            term_value(o) for o in sorted(graph.objects(subject, URIRef(_RDF + "type")), key=str)
        ]
        shapes.append(
            Shape(
                value=term_value(subject, prefixes={**PREFIX_IRIS, "egovsh": namespace}),
                anchor=str(subject)[len(namespace) :],
                kinds=types,
                comment=comments[0] if comments else None,
                targets=targets,
                turtle=body.strip() + "\n",
            )
        )
    return shapes
