"""Name blank nodes after the graph's structure, so that the same graph is written the same way.

A parser names blank nodes at random, so a deterministic export must rename them from what
the graph says about them. rdflib's ``to_canonical_graph`` and W3C RDFC-1.0 (pyoxigraph's
``Dataset.canonicalize``) do that exactly, but take minutes or overflow the stack on long
chains of blank nodes (rdflib on a 10 000-item ``rdf:List``; pyoxigraph segfaults on a
10 000-node chain). This module uses colour refinement (1-dimensional Weisfeiler-Leman)
with individualisation, iteratively and within a work bound:

1. each blank node starts with a hash of its triples, blank nodes blanked out;
2. each round hashes a node's colour with the sorted colours of its neighbours, until the
   number of colours stops growing;
3. while some nodes still share a colour, one node of the smallest such class gets a colour
   of its own and step 2 runs again; in a class of up to 16 nodes each is tried and the
   one giving the smallest colours kept, so the choice does not depend on node order.

The labels (``_:b0``, ``_:b1``...) are the ranks of the final colours. They depend only on
the graph, except where step 3 picks in a class of more than 16 alike but not
interchangeable nodes, or when the work bound (a million neighbour visits) is reached,
where what is left is numbered in the order given: the output is then still the same
graph, but not necessarily byte-identical across runs. Real data (lists, nested
descriptions, cycles of a few nodes) never gets there.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Final, TypeAlias

__all__ = ["WORK_BOUND", "canonical_labels"]

WORK_BOUND: Final = 1_000_000
"""Neighbour visits colour refinement may make before it stops refining."""

_Edges: TypeAlias = dict[object, list[tuple[str, object | None, str]]]


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


class _Refiner:
    """Colour refinement over the blank nodes of a set of edges."""

    def __init__(self, edges: _Edges) -> None:
        self.edges = edges
        self.work = 0

    def initial(self) -> dict[object, str]:
        colours: dict[object, str] = {}
        for node, incident in self.edges.items():
            colours[node] = _digest(
                *sorted(
                    f"{kind}\x1e{'(itself)' if other == node else ground}"
                    for kind, other, ground in incident
                )
            )
        return colours

    def refine(self, colours: dict[object, str]) -> dict[object, str]:
        """Refine ``colours`` until the number of classes stops growing (or work runs out)."""
        classes = len(set(colours.values()))
        while classes < len(colours) and self.work < WORK_BOUND:
            refined: dict[object, str] = {}
            for node, incident in self.edges.items():
                self.work += len(incident) + 1
                neighbours = sorted(
                    f"{kind}\x1e{colours[other] if other is not None else ground}"
                    for kind, other, ground in incident
                )
                refined[node] = _digest(colours[node], *neighbours)
            count = len(set(refined.values()))
            colours = refined
            if count == classes:
                break
            classes = count
        return colours


_TRIED: Final = 16
"""Largest class of alike nodes whose members are each tried as the one to single out."""


def _individualise(
    refiner: _Refiner, colours: dict[object, str], alike: list[object]
) -> dict[object, str]:
    """Give one of the ``alike`` nodes a colour of its own and refine.

    Each candidate of a small class is tried, and the one giving the smallest sorted
    colours wins, so the choice does not depend on the order of the nodes; in a large class
    (a long chain of blank nodes) the first one is taken.
    """
    best: tuple[list[str], dict[object, str]] | None = None
    for node in alike[:_TRIED] if len(alike) <= _TRIED else alike[:1]:
        trial = dict(colours)
        trial[node] = _digest(colours[node], "individual")
        trial = refiner.refine(trial)
        certificate = sorted(trial.values())
        if best is None or certificate < best[0]:
            best = (certificate, trial)
    assert best is not None
    return best[1]


def canonical_labels(
    triples: Iterable[Sequence[object]],
    is_blank: type,
    graph_of: int | None = None,
    prefix: str = "b",
) -> dict[object, str]:
    """Return a label for each blank node of ``triples``, from the graph's structure.

    Args:
        triples: the triples (or quads: ``(s, p, o, g)``) whose blank nodes to name; other
            terms are compared by type, text, datatype and language.
        is_blank: the blank node class of the terms.
        graph_of: the index of the graph name in each tuple, for quads.
        prefix: what the labels start with.

    Returns:
        blank node -> ``"b0"``, ``"b1"``... (with the default ``prefix``)
    """
    edges: _Edges = defaultdict(list)

    def ground(term: object) -> str:
        return f"{type(term).__name__}:{term!s}:{getattr(term, 'datatype', '')}" + (
            f"@{getattr(term, 'language', '')}"
        )

    for statement in triples:
        subject, predicate, obj = statement[0], statement[1], statement[2]
        where = ground(statement[graph_of]) if graph_of is not None else ""
        pred = f"{predicate!s}\x1e{where}"
        if isinstance(subject, is_blank):
            other = obj if isinstance(obj, is_blank) else None
            edges[subject].append(
                ("out\x1e" + pred, other, "" if other is not None else ground(obj))
            )
        if isinstance(obj, is_blank):
            other = subject if isinstance(subject, is_blank) else None
            edges[obj].append(
                ("in\x1e" + pred, other, "" if other is not None else ground(subject))
            )
    if not edges:
        return {}
    refiner = _Refiner(edges)
    colours = refiner.refine(refiner.initial())
    while refiner.work < WORK_BOUND:
        members: dict[str, list[object]] = defaultdict(list)
        for node, colour in colours.items():
            members[colour].append(node)
        tied = [(len(nodes), colour) for colour, nodes in members.items() if len(nodes) > 1]
        if not tied:
            break
        _, colour = min(tied)
        colours = _individualise(refiner, colours, members[colour])
    order = sorted(colours, key=lambda node: colours[node])  # stable: ties keep given order
    return {node: f"{prefix}{rank}" for rank, node in enumerate(order)}
