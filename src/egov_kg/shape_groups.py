"""Split the targeted SHACL shapes into groups of about equal work, one per validating thread.

pyshacl-turbo evaluates shapes in Rust with the GIL released, but in one thread: at a million
triples its shape evaluation takes a minute, spread over many shapes. Validating each group
of shapes (its ``use_shapes`` option) in its own thread, on its own copy of the data, uses
both CPUs of a small machine; the union of the groups' results is the whole report, since a
shape's results do not depend on which other shapes run (a shape named by ``sh:node`` is
evaluated inside the shape that names it, in whichever group that is).

The work of a shape is estimated from a census of the data read on the way (how many triples
each predicate has, how many instances each class has): its focus nodes times its
constraints, a SHACL-SPARQL constraint counting as several (one query per focus node).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from rdflib import Graph, URIRef
from rdflib.term import Node

from egov_kg.namespaces import RDF, RDFS, SH

__all__ = ["Census", "shape_groups"]

_SPARQL_WEIGHT: Final = 4
"""A SPARQL constraint costs about as much as this many core constraints (measured at 100k)."""

_TARGETS: Final = (
    SH.targetNode,
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
)
_NOT_CONSTRAINTS: Final = frozenset(
    {
        RDF.type,
        RDFS.label,
        RDFS.comment,
        SH.message,
        SH.severity,
        SH.name,
        SH.description,
        SH.property,
        SH.sparql,
        SH.node,
        *_TARGETS,
    }
)
_TYPE: Final = str(RDF.type)
_SUBCLASS: Final = str(RDFS.subClassOf)


@dataclass
class Census:
    """Triples per predicate, instances per class and the subclasses of each class."""

    predicates: Counter[str] = field(default_factory=Counter)
    instances: Counter[str] = field(default_factory=Counter)
    subclasses: dict[str, set[str]] = field(default_factory=dict)

    def note(self, predicate: str, obj: str) -> None:
        """Count one triple of ``predicate`` whose object (IRI or label) is ``obj``."""
        self.predicates[predicate] += 1
        if predicate == _TYPE:
            self.instances[obj] += 1

    def note_subclass(self, subclass: str, superclass: str) -> None:
        """Record ``subclass rdfs:subClassOf superclass``."""
        self.subclasses.setdefault(superclass, set()).add(subclass)

    def members(self, cls: str) -> int:
        """How many instances ``cls`` and its subclasses have (``sh:targetClass``)."""
        seen, todo = {cls}, [cls]
        while todo:
            for sub in self.subclasses.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return sum(self.instances[c] for c in seen)


def _focus_nodes(shapes: Graph, shape: Node, census: Census) -> int:
    """An upper bound of the focus nodes the targets of ``shape`` select."""
    count = len(set(shapes.objects(shape, SH.targetNode)))
    count += sum(census.members(str(cls)) for cls in shapes.objects(shape, SH.targetClass))
    for target in (SH.targetSubjectsOf, SH.targetObjectsOf):
        count += sum(census.predicates[str(p)] for p in shapes.objects(shape, target))
    if (shape, SH.target, None) in shapes:  # a SHACL-AF target: unknown, assume every triple
        count += census.predicates.total()
    return count


def _constraints(shapes: Graph, shape: Node, seen: frozenset[Node] = frozenset()) -> int:
    """How many constraints ``shape`` checks at each focus node, ``sh:node`` shapes included."""
    if shape in seen:
        return 0
    seen = seen | {shape}
    count = 1 + sum(1 for p in shapes.predicates(shape) if p not in _NOT_CONSTRAINTS)
    count += _SPARQL_WEIGHT * sum(1 for _ in shapes.objects(shape, SH.sparql))
    for prop in shapes.objects(shape, SH.property):
        count += _constraints(shapes, prop, seen)
    for node in shapes.objects(shape, SH.node):
        count += _constraints(shapes, node, seen)
    return count


def _targeted(shapes: Graph) -> set[Node]:
    return {shape for target in _TARGETS for shape in shapes.subjects(target, None)}


def shape_groups(shapes: Graph, census: Census, count: int) -> list[list[URIRef]]:
    """The targeted shapes in at most ``count`` groups of about equal estimated work.

    Deterministic: the heaviest shape first (IRI order between equals) goes to the lightest
    group so far (the first between equals), and each group is sorted. A single group means
    "validate as one": ``count`` below 2, or a targeted shape that is a blank node (it could
    not be named in ``use_shapes``).
    """
    targeted = _targeted(shapes)
    if count < 2 or not all(isinstance(shape, URIRef) for shape in targeted):
        return [sorted(shape for shape in targeted if isinstance(shape, URIRef))]
    work = {
        shape: _focus_nodes(shapes, shape, census) * _constraints(shapes, shape)
        for shape in targeted
        if isinstance(shape, URIRef)
    }
    groups: list[list[URIRef]] = [[] for _ in range(count)]
    loads = [0] * count
    for shape in sorted(work, key=lambda s: (-work[s], str(s))):
        lightest = loads.index(min(loads))
        groups[lightest].append(shape)
        loads[lightest] += work[shape]
    return [sorted(group) for group in groups if group]
