"""The W3C RDF 1.1 Turtle test suite, whole, through egov-kg's loader.

The suite (W3C test-suite licence, see ``fixtures/w3c-turtle/LICENSE.md``) is copied from
``../shared/conformance/w3c-rdf-turtle/`` into the repository, so that a clean clone runs it.
One case per manifest entry: every negative syntax test is a :class:`DataError` located as
``file:line:column``; every positive syntax test loads; every evaluation test loads into
exactly the triples of its ``.nt`` result (isomorphic, lexical forms as written).

Six positive tests hold what egov-kg's data rules refuse beyond the Turtle grammar (a NUL
character, an IRI not in Unicode NFC): they load with ``text_rules=False`` (Turtle alone), and
with the default rules fail with an error that says which rule.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from egov_kg.errors import DataError
from egov_kg.graph import parse_file
from test_export_roundtrip import exact

SUITE = Path(__file__).parent / "fixtures" / "w3c-turtle"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def manifest() -> list[tuple[str, str, str, str | None]]:
    """(name, kind, action file, result file) of every manifest entry, sorted by name.

    Sorted, so that every pytest-xdist worker collects the same tests in the same order.
    """
    store = ox.Store()
    base = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"
    store.load(path=SUITE / "manifest.ttl", format=ox.RdfFormat.TURTLE, base_iri=base)
    rows = store.query(
        """PREFIX mf: <http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?test ?kind ?action ?result WHERE {
            ?manifest mf:entries/rdf:rest*/rdf:first ?test .
            ?test a ?kind ; mf:action ?action .
            OPTIONAL { ?test mf:result ?result }
        }"""
    )
    entries = []
    for row in rows:
        result = row["result"]
        entries.append(
            (
                row["test"].value.rsplit("#", 1)[-1],
                row["kind"].value.removeprefix(RDFT),
                row["action"].value.removeprefix(base),
                result.value.removeprefix(base) if result is not None else None,
            )
        )
    return sorted(entries)


ENTRIES = manifest()
# The positive tests egov-kg's text rules refuse, and the rule each breaks.
NUL = r":\d+:\d+: the NUL character \(U\+0000\) is not allowed"
BEYOND_DATA_RULES = {
    "LITERAL1_all_controls.ttl": NUL,
    "LITERAL1_ascii_boundaries.ttl": NUL,
    "LITERAL2_ascii_boundaries.ttl": NUL,
    "LITERAL_LONG1_ascii_boundaries.ttl": NUL,
    "LITERAL_LONG2_ascii_boundaries.ttl": NUL,
    "localName_with_assigned_nfc_PN_CHARS_BASE_character_boundaries.ttl": (
        r":\d+:\d+: the IRI <.*> is not in Unicode NFC"
    ),
}
BASE = "https://w3c.github.io/rdf-tests/rdf/rdf11/rdf-turtle/"


def test_the_whole_suite_is_here() -> None:
    kinds = [kind for _, kind, _, _ in ENTRIES]
    assert kinds.count("TestTurtleNegativeSyntax") == 94
    assert kinds.count("TestTurtlePositiveSyntax") == 74
    assert kinds.count("TestTurtleEval") == 145
    assert len({name for name, _, _, _ in ENTRIES}) == len(ENTRIES) == 313


def expected_graph(path: Path, base: str) -> Graph:
    """The ``.nt`` result as rdflib terms, with their lexical forms as written."""
    term = exact
    graph = Graph()
    for quad in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES, base_iri=base):
        graph.add((term(quad.subject), term(quad.predicate), term(quad.object)))
    return graph


@pytest.mark.parametrize(
    ("kind", "action", "result"),
    [pytest.param(kind, action, result, id=name) for name, kind, action, result in ENTRIES],
)
def test_w3c_turtle(kind: str, action: str, result: str | None) -> None:
    path = SUITE / action
    if kind == "TestTurtleNegativeSyntax":
        with pytest.raises(DataError) as caught:
            parse_file(path, base_iri=BASE + action)
        # Always located: the file, then line and column, then what is wrong.
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: \S", str(caught.value)), caught.value
        return
    graph, _ = parse_file(path, base_iri=BASE + action, text_rules=False)
    if action in BEYOND_DATA_RULES:
        with pytest.raises(DataError, match=BEYOND_DATA_RULES[action]):
            parse_file(path, base_iri=BASE + action)
    else:
        assert isomorphic(graph, parse_file(path, base_iri=BASE + action)[0])
    if kind == "TestTurtleEval":
        assert result is not None
        assert isomorphic(graph, expected_graph(SUITE / result, BASE + result))
    else:
        assert kind == "TestTurtlePositiveSyntax"
