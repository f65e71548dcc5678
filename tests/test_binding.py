"""Values bound into query text: a VALUES block in each group using them, or terms in place.

The rdflib engine binds with ``initBindings``, under which a ``FILTER`` in a nested group sees
the value; a remote endpoint only gets text, so :func:`bind_values` repeats the ``VALUES``
block in every such group. The Oxigraph engine writes each term in place of its variable
(:func:`inline_terms`), so that its planner sees the values as constants.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import egov_kg
from egov_kg.binding import BindingError, bind_values, group_starts, inline_terms
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


def test_terms_take_the_place_of_their_variables_and_nothing_else() -> None:
    text = 'SELECT ?s WHERE { ?s ?p $_v . ?s <x:?_v> "?_v" . ?_vv ?q ?_w } # ?_v\nORDER BY ?s'
    inlined = inline_terms(text, {"_v": X})
    assert inlined == (
        f'SELECT ?s WHERE {{ ?s ?p {X} . ?s <x:?_v> "?_v" . ?_vv ?q ?_w }} # ?_v\nORDER BY ?s'
    )
    _valid(inlined)
    assert inline_terms(text, {}) == text


@pytest.mark.parametrize(
    "value",
    ['a"b', "back\\slash", "new\nline", "\\u0022", "' } ; DROP ALL #", "日本語\u200f"],
)
def test_an_inlined_literal_is_the_same_value(value: str) -> None:
    store = ox.Store()
    store.add(ox.Quad(X, X, ox.Literal(value)))
    text = inline_terms("SELECT ?s WHERE { ?s ?p ?_v }", {"_v": ox.Literal(value)})
    rows = store.query(text)
    assert isinstance(rows, ox.QuerySolutions)
    assert [solution[0] for solution in rows] == [X]


def test_a_blank_node_is_not_inlined() -> None:
    with pytest.raises(BindingError, match="only IRIs and literals"):
        inline_terms("SELECT * WHERE { ?s ?p ?_v }", {"_v": ox.BlankNode()})


def test_every_canned_query_with_its_values_inlined_gives_the_reference_rows() -> None:
    """The Oxigraph engine (values written in) and rdflib (initBindings) agree."""
    fast, reference = egov_kg.load(), egov_kg.load(engine="rdflib")
    cases = {
        "timeline": {"start": "2001-01-01", "end": "2005-12-31"},
        "established-between": {"start": "2002-09-01", "end": "2002-12-31"},
        "structure-as-of": {"date": "2002-01-01"},
        "chairs": {"body": "CIO連絡会議"},
        "search": {"text": "ＣＩＯ"},
    }
    for name, params in cases.items():
        rows = fast.query(name, **params)
        assert rows.rows, name
        assert rows.terms == reference.query(name, **params).terms, name
