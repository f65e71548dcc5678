r"""Refuse SPARQL that would change data or reach outside the graph, before running it.

A query from a stranger is parsed (with rdflib's SPARQL parser) and its parse tree inspected:

- an update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``...) is refused: the endpoint is
  read-only;
- a ``SERVICE`` clause anywhere is refused: pyoxigraph would send an HTTP request for it;
- ``FROM`` and ``FROM NAMED`` may only name the egov-kg graphs
  (``https://w3id.org/egov-kg/graph/...``), never a remote or ``file:`` IRI.

Text that does not parse is refused too, so nothing is run that was not checked.

rdflib expands ``\u`` and ``\U`` escapes anywhere in the text before parsing, as the SPARQL
grammar says; Oxigraph reads them only inside strings and IRIs. So a text with such escapes
is checked twice: as rdflib reads it, and with each escape replaced by plain letters, which
is how Oxigraph splits it into tokens. It must pass both checks: an escaped quote cannot
make a ``SERVICE`` clause look like part of a string to one parser and not to the other.

>>> check_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
'SELECT'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from egov_kg.iris import GRAPH_BASE
from egov_kg.queries import QueryError

__all__ = ["RefusedQueryError", "check_dataset_iri", "check_query"]

_ESCAPES = re.compile(r"\\\\|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")
"""An escaped backslash (kept), or a ``\\u`` / ``\\U`` escape (to neutralise)."""
_FORMS = {
    "SelectQuery": "SELECT",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
    "AskQuery": "ASK",
}


class RefusedQueryError(QueryError):
    """The query is not run: it does not parse, changes data or reaches outside the graph."""


def check_dataset_iri(iri: str) -> None:
    """Refuse a dataset IRI (``FROM``, ``default-graph-uri``...) other than an egov-kg graph."""
    if not iri.startswith(GRAPH_BASE):
        raise RefusedQueryError(
            f"<{iri}>: only the egov-kg graphs ({GRAPH_BASE}...) can be named as a dataset; "
            "a query loads nothing from elsewhere"
        )


def _nodes(node: Any) -> Iterator[Any]:
    """Every node of an rdflib SPARQL parse tree, depth first (without recursion)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list | tuple) or type(current).__name__ == "ParseResults":
            stack.extend(current)


def _is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 - not an update either: report the query error
        return False
    return True


def _unescaped(text: str) -> str:
    r"""``text`` with each ``\u``/``\U`` escape written as plain letters (``_u0049``)."""
    return _ESCAPES.sub(lambda m: m.group() if m.group() == "\\\\" else "_" + m.group()[1:], text)


@functools.lru_cache(maxsize=128)
def check_query(text: str) -> str:
    """The form of ``text`` (SELECT, CONSTRUCT, DESCRIBE or ASK) if it may run here.

    Raises:
        RefusedQueryError: the text is not a query, is an update, has a ``SERVICE`` clause
            or names a dataset outside the egov-kg graphs; the message says which.
    """  # a query checked once is not parsed again (the server's own queries, mostly)
    if "\x00" in text:
        raise RefusedQueryError("the query contains a NUL character")
    form = _check_parsed(text)
    plain = _unescaped(text)
    if plain != text:
        _check_parsed(plain)
    return form


def _check_parsed(text: str) -> str:
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception as error:  # noqa: BLE001 - pyparsing errors, RecursionError...
        if _is_update(text):
            raise RefusedQueryError(
                "SPARQL Update is refused: egov-kg only reads its graph"
            ) from None
        message = " ".join(str(error).split()) or type(error).__name__
        raise RefusedQueryError(f"SPARQL syntax error: {message}") from None
    query = tree[1]
    form = _FORMS.get(getattr(query, "name", ""), "")
    if not form:
        raise RefusedQueryError("not a SELECT, CONSTRUCT, DESCRIBE or ASK query")
    for node in _nodes(tree):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            raise RefusedQueryError("SERVICE is refused: a query sends no request to other servers")
        if name == "DatasetClause":
            for key in ("default", "named"):  # CompValue.get() answers the key when absent
                if key in node:
                    check_dataset_iri(str(node[key]))
    return form
