"""Values bound into query text for a remote endpoint: a VALUES block in each group using them.

The in-memory engines bind with SEP-0007 substitutions (Oxigraph) and ``initBindings``
(rdflib), under which a ``FILTER`` in a nested group sees the value; a remote endpoint only
gets text, so :func:`bind_values` repeats the ``VALUES`` block in every such group.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import egov_kg
from egov_kg.binding import BindingError, bind_values, group_starts
from egov_kg.resources import templates_dir

X = ox.NamedNode("https://example.org/x")


def _valid(text: str) -> None:
    ox.Store().query(text)  # raises SyntaxError on a malformed query


def test_a_nested_group_using_the_variable_gets_its_own_values_block() -> None:
    text = "SELECT ?s WHERE { ?s ?p ?o . GRAPH ?g { ?s ?q ?k FILTER (CONTAINS(?k, ?_t)) } }"
    bound = bind_values(text, {"_t": ox.Literal("a")})
    assert bound.count('VALUES (?_t) { ("a") }') == 2
    _valid(bound)


def test_sub_selects_templates_strings_comments_and_longer_names_are_left_alone() -> None:
    text = """CONSTRUCT { ?v ?p ?o }
WHERE {
    { SELECT ?v WHERE { ?v ?p ?o } }  # ?v in a comment { ?v }
    { ?vv ?p "?v { ?v }" }
    OPTIONAL { ?o ?q ?v }
}"""
    starts = group_starts(text, ["v"])
    assert [text[at - 30 : at].split("\n")[-1].strip() for at in starts] == [
        "WHERE {",
        "{ SELECT ?v WHERE {",
        "OPTIONAL {",
    ]
    _valid(bind_values(text, {"v": X}))


def test_every_shipped_and_server_query_binds_to_valid_sparql() -> None:
    kg = egov_kg.load()
    for canned in kg.queries.values():
        terms = {p.variable: ox.Literal("2001-01-01") for p in canned.parameters}
        _valid(bind_values(canned.text, terms))
    _valid(
        bind_values((templates_dir() / "resource.rq").read_text(encoding="utf-8"), {"resource": X})
    )


def test_values_in_text_give_the_rows_substitution_gives() -> None:
    """The search text is filtered inside a GRAPH group: the case nesting exists for."""
    kg = egov_kg.load()
    canned = kg.queries["search"]
    expected = kg.query("search", text="ｃｉｏ")
    bound = bind_values(canned.text, {"_text": ox.Literal("cio")})
    rows = kg.store.query(bound)
    assert isinstance(rows, ox.QuerySolutions)
    assert [tuple(solution) for solution in rows] == [tuple(row) for row in expected.terms]
    assert len(expected.rows) > 10


def test_a_query_without_a_where_group_is_refused() -> None:
    with pytest.raises(BindingError, match="no WHERE group"):
        bind_values("SELECT * FROM <x>", {"a": X})
