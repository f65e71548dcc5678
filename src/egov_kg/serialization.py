"""Deterministic, atomic serialization of the knowledge graph.

rdflib's in-memory graphs iterate in an order that depends on Python's per-process string
hash seed, and its RDF/XML, N-Triples, JSON-LD and TriG writers follow that order (its Turtle
writer sorts, but rewrites some literals, e.g. ``"4"^^xsd:decimal`` as ``4.0``). So egov-kg
sorts the triples itself and streams them through pyoxigraph's writers, which keep that order
and every lexical form; JSON-LD is written here, flattened (one node per subject, nothing
embedded). Blank nodes, if any, are renamed after the graph's structure first
(:mod:`egov_kg.bnodes`). Same graph in, byte-identical output out.

Every output is parsed back before it is written out: a format that cannot carry the graph
raises :class:`ValueError` (RDF/XML and a predicate that is no XML name, or a control
character), and a lost or changed triple is an error, never a silent drop. Files are
replaced atomically: an interrupted export leaves the previous file as it was.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final, TypeAlias

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from egov_kg.bnodes import canonical_labels
from egov_kg.formats import DATASET_FORMATS, FORMATS, DatasetFormat, Format
from egov_kg.namespaces import ASSERTED_GRAPH, RDF
from egov_kg.terms import to_oxigraph, to_rdflib_exact

__all__ = [
    "DATASET_FORMATS",
    "FORMATS",
    "DatasetFormat",
    "Format",
    "export",
    "export_dataset",
    "oxigraph_triple",
    "serialize",
    "serialize_dataset",
    "serialize_dataset_statements",
    "serialize_statements",
    "write_atomically",
    "write_output",
]


_OX_READ: Final[Mapping[str, ox.RdfFormat]] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nquads": ox.RdfFormat.N_QUADS,
}
# rdflib reads back what pyoxigraph cannot (a literal over 8 MiB in JSON-LD).
_RDFLIB_READ: Final[Mapping[str, str]] = {"jsonld": "json-ld", "turtle": "turtle", "nt": "nt"}
_OX_FORMATS: Final[Mapping[str, ox.RdfFormat]] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}
# The end of an IRI that can be an XML element name (RDF/XML writes predicates as elements).
_XML_LOCAL_NAME = re.compile(r"[^\W\d][\w.\-]*\Z")
# A JSON-LD term usable as a prefix: a plain name, no colon.
_JSONLD_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# Characters XML 1.0 cannot represent at all.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_Triple: TypeAlias = tuple[Node, Node, Node]
_Statement: TypeAlias = ox.Triple | ox.Quad
"""A triple; or a quad, whose graph is ignored where one graph is written."""


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _term_key(term: Node) -> tuple[int, str, str, str]:
    """Total, hash-independent order of RDF terms: IRIs, then blank nodes, then literals."""
    if isinstance(term, URIRef):
        return (0, str(term), "", "")
    if isinstance(term, BNode):
        return (1, str(term), "", "")
    if isinstance(term, RdfLiteral):
        return (2, str(term), str(term.datatype or ""), term.language or "")
    return (3, str(term), type(term).__name__, "")


def _triples(graph: Graph) -> list[_Triple]:
    """Return the triples of ``graph`` sorted, blank nodes named after the graph's structure.

    See :mod:`egov_kg.bnodes`: iterative, so a 10 000-node chain or 150-deep nesting is
    written without recursion.
    """
    triples: list[_Triple] = list(graph)
    labels = canonical_labels(triples, BNode)
    if labels:

        def rename(term: Node) -> Node:
            return BNode(labels[term]) if isinstance(term, BNode) else term

        triples = [(rename(s), p, rename(o)) for s, p, o in triples]
    keys: dict[Node, tuple[int, str, str, str]] = {}  # IRIs recur: compute each key once

    def key(term: Node) -> tuple[int, str, str, str]:
        found = keys.get(term)
        if found is None:
            found = keys[term] = _term_key(term)
        return found

    first = (-1, "", "", "")  # by subject, rdf:type first, then predicate, then object
    rdf_type = RDF.type
    return sorted(
        triples,
        key=lambda t: (key(t[0]), first if t[1] == rdf_type else key(t[1]), key(t[2])),
    )


def oxigraph_triple(triple: _Triple, cache: dict[Node, Any] | None = None) -> ox.Triple:
    """``triple`` in pyoxigraph's terms; ``cache`` keeps the IRIs and blank nodes converted."""
    if cache is None:
        subject, predicate, obj = (to_oxigraph(term) for term in triple)
    else:
        converted = []
        for term in triple:
            found = cache.get(term)
            if found is None:
                found = to_oxigraph(term)
                if not isinstance(term, RdfLiteral):
                    cache[term] = found
            converted.append(found)
        subject, predicate, obj = converted
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise ValueError(f"not an RDF triple (literal subject or non-IRI predicate): {triple}")
    return ox.Triple(subject, predicate, obj)


def _bound_prefixes(graph: Graph) -> dict[str, str]:
    """Return the prefixes bound in ``graph``, sorted by prefix."""
    return dict(sorted((prefix, str(namespace)) for prefix, namespace in graph.namespaces()))


def _iris(terms: Iterable[Any]) -> set[str]:
    """The IRIs of pyoxigraph ``terms``: named nodes and the datatypes of typed literals.

    ``xsd:string`` and ``rdf:langString``, the datatypes of plain and language-tagged
    literals, are not written, so they are not counted.
    """
    iris: set[str] = set()
    add = iris.add
    for term in terms:
        kind = type(term)
        if kind is ox.NamedNode:
            add(term.value)
        elif kind is ox.Literal and term.language is None:
            datatype = term.datatype.value
            if datatype != _XSD_STRING:
                add(datatype)
    return iris


def _statement_terms(statements: Iterable[_Statement]) -> Iterator[Any]:
    for statement in statements:
        yield statement.subject
        yield statement.predicate
        yield statement.object


def _used_prefixes(
    iris: Iterable[str], prefixes: Mapping[str, str], extra: Iterable[str] = ()
) -> dict[str, str]:
    """Return the ``prefixes`` whose namespace starts at least one of ``iris`` (or ``extra``)."""
    iris = {*iris, *extra}
    namespaces = set(prefixes.values())
    used: set[str] = set()
    for iri in iris:
        # Namespaces almost always end in "/" or "#": try each such cut of the IRI.
        for index, char in enumerate(iri):
            if char in "/#" and iri[: index + 1] in namespaces:
                used.add(iri[: index + 1])
    odd = [ns for ns in namespaces if not ns.endswith(("/", "#"))]
    used.update(ns for ns in odd if any(iri.startswith(ns) for iri in iris))
    return {prefix: ns for prefix, ns in prefixes.items() if ns in used}


def _check_xml(statements: Sequence[_Statement], terms: Iterable[Any] | None = None) -> None:
    """Refuse what RDF/XML cannot express.

    Predicates are written as XML element names, so their IRI must end in one; XML 1.0 has
    no way at all to write most C0 control characters, even as character references.
    ``terms``, the distinct terms of ``statements`` when known, are checked first, so that
    the statements are only walked (for the first one at fault) when one is.
    """
    if terms is not None and not any(
        (type(term) is ox.NamedNode and not _XML_LOCAL_NAME.search(term.value))
        or (type(term) is ox.Literal and _XML_FORBIDDEN.search(term.value))
        for term in terms
    ):
        return
    for statement in statements:
        subject, predicate, obj = statement.subject, statement.predicate, statement.object
        if not _XML_LOCAL_NAME.search(predicate.value):
            raise ValueError(
                f"RDF/XML cannot write the predicate <{predicate.value}>: its IRI does not "
                "end in an XML name"
            )
        if isinstance(obj, ox.Literal) and _XML_FORBIDDEN.search(obj.value):
            raise ValueError(
                f"RDF/XML cannot write a control character of the literal "
                f"{to_rdflib_exact(obj).n3()} (subject <{subject.value}>)"  # type: ignore[union-attr]
            )


def _jsonld_context(iris: set[str], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes a JSON-LD ``@context`` can declare without changing any IRI's meaning.

    A prefix is left out when it is not a plain name, when its namespace does not end in
    ``/`` or ``#`` (JSON-LD 1.1 only expands compact IRIs of such prefixes), or when it is
    the scheme of one of the graph's ``iris`` (``urn:``...), which it would turn into a
    compact IRI.
    """
    schemes = {iri.split(":", 1)[0] for iri in iris}
    return {
        prefix: namespace
        for prefix, namespace in prefixes.items()
        if _JSONLD_PREFIX.fullmatch(prefix)
        and namespace.endswith(("/", "#"))
        and prefix not in schemes
    }


def _compactor(context: Mapping[str, str]) -> Callable[[str], str]:
    """Return a function writing an IRI as ``prefix:local`` by its longest namespace."""
    by_length = sorted(context.items(), key=lambda item: (-len(item[1]), item[0]))

    def compact(iri: str) -> str:
        for prefix, namespace in by_length:
            if iri.startswith(namespace) and not iri[len(namespace) :].startswith("//"):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    return compact


def _jsonld(
    statements: Sequence[_Statement],
    prefixes: Mapping[str, str],
    iris: set[str] | None = None,
) -> bytes:
    """Serialize as flattened JSON-LD: the prefixes as ``@context``, one node per subject.

    Written by egov-kg itself (rdflib's writer embeds a blank node referred to once, so it
    dropped a cycle of blank nodes): every triple is one value of its subject's node, every
    literal a value object with its lexical form, so nothing is embedded and nothing lost.
    ``iris``: those of the statements (:func:`_iris`), when known. The text is what
    ``json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)`` writes
    (:func:`_jsonld_document`), laid out here: that encoder, in pure Python once it
    indents, takes a quarter of a minute on a million triples.
    """
    if iris is None:
        iris = _iris(_statement_terms(statements))
    context = _jsonld_context(iris, prefixes)
    compact = _compactor(context)
    compacted: dict[str, str] = {}  # IRIs recur: compact each once
    string = _json_string

    def iri(value: str) -> str:
        found = compacted.get(value)
        if found is None:
            found = compacted[value] = compact(value)
        return found

    def node_id(term: Any) -> str:
        return f"_:{term.value}" if type(term) is ox.BlankNode else iri(term.value)

    # A value object, laid out at its depth: in a property's list, in a node, in @graph.
    open_, key, close = "{\n          ", ",\n          ", "\n        }"

    def value(term: Any) -> str:
        if type(term) is not ox.Literal:
            return f'{open_}"@id": {string(node_id(term))}{close}'
        text = string(term.value)
        language = term.language
        if language:
            return f'{open_}"@language": {string(language)}{key}"@value": {text}{close}'
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return f'{open_}"@value": {text}{close}'
        return f'{open_}"@type": {string(iri(datatype))}{key}"@value": {text}{close}'

    nodes: dict[str, dict[str, list[str]]] = {}
    rdf_type = _OX_RDF_TYPE
    for statement in statements:
        node = nodes.setdefault(node_id(statement.subject), {})
        obj = statement.object
        if statement.predicate == rdf_type and type(obj) is ox.NamedNode:
            node.setdefault("@type", []).append(string(iri(obj.value)))
        else:
            node.setdefault(iri(statement.predicate.value), []).append(value(obj))
    return _jsonld_text(context, nodes)


def _first(pair: tuple[str, str]) -> str:
    return pair[0]


def _json_string(text: str) -> str:
    """``text`` as a JSON string, as ``json.dumps(..., ensure_ascii=False)`` writes it."""
    return json.encoder.encode_basestring(text)


def _jsonld_text(context: Mapping[str, str], nodes: Mapping[str, Mapping[str, list[str]]]) -> bytes:
    """The JSON-LD document of ``context`` and ``nodes``, laid out as ``json.dumps`` would.

    ``nodes``: node id -> key -> the JSON texts of its values (value objects laid out at
    their depth). Keys sorted, two spaces an indent, ``", "``-less separators, a final
    newline: the bytes of :func:`_jsonld_document` on the same document.
    """
    string = _json_string
    parts = ['{\n  "@context": ']
    if context:
        declared = ",\n    ".join(f"{string(k)}: {string(v)}" for k, v in sorted(context.items()))
        parts.append(f"{{\n    {declared}\n  }}")
    else:
        parts.append("{}")
    parts.append(',\n  "@graph": ')
    if not nodes:
        parts.append("[]")
    else:
        texts = []
        for name, properties in sorted(nodes.items()):
            entries = [("@id", f'"@id": {string(name)}')]
            for key, values in properties.items():
                listed = ",\n        ".join(values)
                entries.append((key, f"{string(key)}: [\n        {listed}\n      ]"))
            entries.sort(key=_first)  # by key, as json.dumps sorts them (keys are distinct)
            body = ",\n      ".join(entry for _, entry in entries)
            texts.append(f"{{\n      {body}\n    }}")
        parts.append("[\n    " + ",\n    ".join(texts) + "\n  ]")
    parts.append("\n}\n")
    return "".join(parts).encode()


def _jsonld_document(
    context: Mapping[str, str], nodes: Mapping[str, Mapping[str, list[Any]]]
) -> bytes:
    """What :func:`_jsonld_text` lays out, by ``json.dumps``: the reference it is tested on.

    ``nodes``: node id -> key -> its values (strings, or value objects as dicts).
    """
    graph = [{"@id": name, **properties} for name, properties in sorted(nodes.items())]
    document = {"@context": dict(context), "@graph": graph}
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _tidy_turtle(data: bytes, indent: bytes) -> bytes:
    """Sort pyoxigraph's ``@prefix`` lines by prefix; blank line before each subject.

    pyoxigraph writes one prefix per line, first, and escapes newlines inside literals, so
    every line starting with exactly ``indent`` (no indent for Turtle, one tab inside a TriG
    graph) starts a new subject, and adding whitespace there is safe.
    """
    lines = re.findall(rb"[^\n]*\n|[^\n]+", data)  # split at LF only, keeping it
    count = 0
    while count < len(lines) and lines[count].startswith(b"@prefix "):
        count += 1
    header, body = sorted(lines[:count]), lines[count:]
    spaced: list[bytes] = []
    for line in body:
        starts_subject = line.startswith(indent) and line[len(indent) : len(indent) + 1] not in (
            b"\t",
            b"}",
            b"\n",
            b"",
        )
        if starts_subject and spaced and not spaced[-1].rstrip().endswith(b"{"):
            spaced.append(b"\n")
        spaced.append(line)
    return b"".join(header + ([b"\n"] if header else []) + spaced)


def _ox_serialize(statements: Iterable[_Statement], fmt: str, prefixes: Mapping[str, str]) -> bytes:
    buffer = io.BytesIO()
    ox.serialize(statements, buffer, _OX_FORMATS[fmt], prefixes=dict(prefixes))  # type: ignore[arg-type]
    return buffer.getvalue()


def _serialize(graph: Graph, fmt: str, graph_name: URIRef) -> bytes:
    """Serialize ``graph`` as ``fmt``, and check that the output gives the graph back."""
    _check_format(fmt)
    triples = _triples(graph)
    cache: dict[Node, Any] = {}
    statements = [oxigraph_triple(triple, cache) for triple in triples]
    del triples
    data = _write(statements, _bound_prefixes(graph), fmt, str(graph_name))
    _verify(data, fmt, statements, ox.NamedNode(str(graph_name)))
    return data


def _write(
    statements: Sequence[_Statement],
    prefixes: Mapping[str, str],
    fmt: str,
    graph_name: str,
    terms: Sequence[Any] | None = None,
) -> bytes:
    """Write the sorted ``statements`` as ``fmt``.

    ``terms``: the distinct terms of ``statements`` when known (quicker than walking them).
    """
    if fmt == "xml":
        _check_xml(statements, terms)
    iris = _iris(_statement_terms(statements) if terms is None else terms)
    if fmt == "jsonld":
        return _jsonld(statements, prefixes, iris)
    used = _used_prefixes(iris, prefixes, [graph_name] if fmt == "trig" else [])
    if fmt == "trig":
        name = ox.NamedNode(graph_name)
        quads = (ox.Quad(t.subject, t.predicate, t.object, name) for t in statements)
        return _tidy_turtle(_ox_serialize(quads, "trig", used), b"\t")
    data = _ox_serialize(statements, fmt, used)
    if fmt == "xml":
        # XML parsers turn a raw CR (or CR LF) into LF; a character reference keeps it.
        # pyoxigraph ends lines with LF, so any CR comes from a literal.
        return data.replace(b"\r", b"&#13;")
    return _tidy_turtle(data, b"") if fmt == "turtle" else data


def _sorted_statements(
    statements: Sequence[_Statement],
) -> tuple[list[_Statement], list[Any]]:
    """The distinct ``statements`` as :func:`_triples` sorts them, and their distinct terms.

    Blank nodes are renamed as :func:`_triples` renames them (the same labels: they are
    computed on the rdflib terms of the few statements that hold a blank node). Each
    distinct term is ranked once, so a statement's sort key is one integer; the statements
    without blank nodes are returned as given (pyoxigraph makes a new triple slowly).
    """
    ids: dict[Any, int] = {}
    intern = ids.setdefault
    size = ids.__len__
    rows = [
        (intern(t.subject, size()), intern(t.predicate, size()), intern(t.object, size()))
        for t in statements
    ]
    terms: list[Any] = list(ids)
    del ids
    blank = {index for index, term in enumerate(terms) if type(term) is ox.BlankNode}
    if blank:
        with_blank = dict.fromkeys(r for r in rows if r[0] in blank or r[2] in blank)
        _rename_blank_nodes(terms, list(with_blank))
    term_keys = [_ox_term_key(term, pad=False) for term in terms]
    order = sorted(range(len(terms)), key=term_keys.__getitem__)
    del term_keys
    count = len(terms)
    rank = [0] * count
    for position, index in enumerate(order):
        rank[index] = position
    predicate_rank = [value + 1 for value in rank]  # 0: rdf:type, first of a subject's
    with contextlib.suppress(ValueError):
        predicate_rank[terms.index(_OX_RDF_TYPE)] = 0
    span = count + 1
    keys = [(rank[s] * span + predicate_rank[p]) * count + rank[o] for s, p, o in rows]
    del rank, predicate_rank
    result: list[_Statement] = []
    append = result.append
    previous = -1
    for index in sorted(range(len(keys)), key=keys.__getitem__):
        key = keys[index]
        if key == previous:  # the same triple again
            continue
        previous = key
        s, p, o = rows[index]
        if s in blank or o in blank:
            append(ox.Triple(terms[s], terms[p], terms[o]))
        else:
            append(statements[index])
    return result, terms


def _rename_blank_nodes(terms: list[Any], rows: list[tuple[int, int, int]]) -> None:
    """Replace the blank nodes of ``terms`` by those :func:`_triples` names.

    ``rows``: the distinct statements (as indexes into ``terms``) that hold a blank node; the labels
    are computed on their rdflib terms, exactly as :func:`_triples` computes them.
    """
    rdflib_terms = {index: to_rdflib_exact(terms[index]) for row in rows for index in row}
    labels = canonical_labels([tuple(rdflib_terms[index] for index in row) for row in rows], BNode)
    for index, term in rdflib_terms.items():
        if isinstance(term, BNode):
            terms[index] = ox.BlankNode(labels[term])


def serialize_statements(
    statements: Iterable[_Statement],
    prefixes: Mapping[str, str],
    fmt: Format | str,
    *,
    graph_name: URIRef | str = ASSERTED_GRAPH,
) -> bytes:
    """:func:`serialize` of the graph of ``statements``, without an rdflib graph.

    The same bytes as ``serialize(graph, fmt)`` where ``graph`` holds the rdflib terms of
    ``statements`` (lexical forms as written, :func:`~egov_kg.terms.to_rdflib_exact`)
    and binds ``prefixes``: what egov-kg exports a loaded graph with (a million triples
    in seconds where the rdflib graph takes minutes).

    Args:
        statements: the triples (quads: their graph is ignored); duplicates are merged.
        prefixes: the prefixes the graph binds.
        fmt: one of :data:`FORMATS`.
        graph_name: the named graph of a TriG output.

    Raises:
        ValueError: unknown format, or a graph that the format cannot express.
    """
    _check_format(fmt)
    given = statements if isinstance(statements, list) else list(statements)
    triples, terms = _sorted_statements(given)
    del given
    data = _write(triples, dict(sorted(prefixes.items())), fmt, str(graph_name), terms)
    del terms
    _verify(data, fmt, triples, ox.NamedNode(str(graph_name)))
    return data


def _shape(statements: Iterable[_Statement]) -> tuple[set[Any], int, int]:
    """(statements without blank nodes, number of statements, number of blank nodes)."""
    ground: set[Any] = set()
    blank: set[ox.BlankNode] = set()
    count = 0
    for statement in statements:
        count += 1
        found = [t for t in (statement.subject, statement.object) if isinstance(t, ox.BlankNode)]
        if found:
            blank.update(found)
        else:
            ground.add(statement)
    return ground, count, len(blank)


def _verify(
    data: bytes,
    fmt: str,
    written: Sequence[_Statement],
    graph_name: ox.NamedNode | None = None,
) -> None:
    """Parse ``data`` back with pyoxigraph; raise if any statement was lost, added or changed.

    Compared: the statements without blank nodes one by one, and the numbers of statements
    and of blank nodes. So an export never drops a triple silently (as rdflib's JSON-LD
    writer did with a cycle of blank nodes).

    First, cheaply: the N-Quads of what is read back against those of ``written`` (the
    same lines, usually in the same order: a million statements in seconds). Only when
    they differ (a reader that renames blank nodes, or a real loss) are the statements
    compared one by one, which names what was lost.

    Raises:
        ValueError: the output does not give the graph back; nothing is written.
    """
    if _same_statements(data, fmt, written, graph_name):
        return
    _verify_statements(data, fmt, written, graph_name)


def _same_statements(
    data: bytes,
    fmt: str,
    written: Sequence[_Statement],
    graph_name: ox.NamedNode | None,
) -> bool:
    """Whether ``data`` reads back as exactly the N-Quads lines of ``written``.

    ``graph_name``: the one graph of a TriG output (``written`` are triples then); other
    formats of one graph read back into the default graph. ``False`` on any doubt,
    including an output that cannot be read: :func:`_verify_statements` then says why.
    """
    try:
        back = ox.serialize(ox.parse(data, format=_OX_READ[fmt]), format=ox.RdfFormat.N_QUADS)
        expected = ox.serialize(written, format=ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]
    except (SyntaxError, MemoryError, ValueError, TypeError):
        return False
    if back is None or expected is None:  # pragma: no cover - bytes when no output is given
        return False
    if graph_name is not None and fmt == "trig":  # every line in the named graph
        # N-Quads escapes line breaks inside literals: " .\n" only ends a statement.
        expected = expected.replace(b" .\n", b" " + str(graph_name).encode() + b" .\n")
    if back == expected:
        return True
    back_lines, expected_lines = back.split(b"\n"), expected.split(b"\n")
    return len(back_lines) == len(expected_lines) and set(back_lines) == set(expected_lines)


def _verify_statements(
    data: bytes,
    fmt: str,
    written: Sequence[_Statement],
    graph_name: ox.NamedNode | None = None,
) -> None:
    """:func:`_verify`, statement by statement (blank nodes compared by their number)."""
    try:
        parsed = list(ox.parse(data, format=_OX_READ[fmt]))
    except SyntaxError as error:
        raise ValueError(f"the {fmt} output cannot be read back: {error}") from None
    except MemoryError as error:  # pyoxigraph reads tokens of up to 16 MiB (JSON: 8 MiB)
        if graph_name is None or fmt not in _RDFLIB_READ:
            raise ValueError(f"the {fmt} output cannot be read back: {error}") from None
        triples = (oxigraph_triple(t) for t in Graph().parse(data=data, format=_RDFLIB_READ[fmt]))
        parsed = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    back: list[ox.Triple] | list[ox.Quad] = parsed
    if graph_name is not None:  # one graph: triples (in TriG, all in that named graph)
        if fmt == "trig" and any(quad.graph_name != graph_name for quad in parsed):
            raise ValueError(f"the trig output has triples outside <{graph_name.value}>")
        back = [quad.triple for quad in parsed]
    expected, back_shape = _shape(written), _shape(back)
    if back_shape == expected:
        return
    lost = sorted(str(statement) for statement in expected[0] - back_shape[0])
    added = sorted(str(statement) for statement in back_shape[0] - expected[0])
    example = f"; e.g. lost {lost[0]}" if lost else f"; e.g. added {added[0]}" if added else ""
    raise ValueError(
        f"the {fmt} output does not give the graph back: {back_shape[1]} statements and "
        f"{back_shape[2]} blank nodes read back for {expected[1]} and {expected[2]} "
        f"written{example}"
    )


def serialize(graph: Graph, fmt: Format | str, *, graph_name: URIRef = ASSERTED_GRAPH) -> bytes:
    """Return ``graph`` serialized as ``fmt`` (turtle, nt, jsonld, trig or xml), deterministically.

    Args:
        graph: the graph to write.
        fmt: one of :data:`FORMATS`.
        graph_name: the named graph that holds the triples in TriG output (the asserted or
            the inferred graph); ignored by the other formats.

    Raises:
        ValueError: unknown format, or a graph that the format cannot express.
    """
    return _serialize(graph, fmt, graph_name)


def _atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` via a temporary file in its folder, fsync, then ``os.replace``.

    On any failure the previous content of ``path`` is untouched and the temporary file is
    removed.
    """
    directory = path.parent
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(stream.fileno(), 0o666 & ~umask)  # mkstemp makes 0600: use the usual mode
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_directory(directory)  # make the rename itself durable


def write_atomically(path: Path | str, data: bytes) -> None:
    """Write ``data`` to the file ``path`` atomically (temporary file, fsync, rename)."""
    _atomic_write(Path(path), lambda stream: stream.write(data))


def fsync_directory(directory: Path) -> None:
    """Flush a folder's entries to disk, where the platform allows it."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def export(
    graph: Graph,
    fmt: Format | str,
    out: Path | str | None = None,
    *,
    graph_name: URIRef = ASSERTED_GRAPH,
) -> None:
    """Write ``graph`` as ``fmt`` to the file ``out`` atomically, or to stdout when ``None``.

    See :func:`serialize` for the arguments and errors.
    """
    _check_format(fmt)
    write_output(out, lambda: _serialize(graph, fmt, graph_name))


def write_output(out: Path | str | None, serialized: Callable[[], bytes]) -> None:
    """Write the bytes ``serialized()`` gives to the file ``out`` atomically, or to stdout.

    Serialized inside the write: whatever fails, the temporary file is cleaned up and the
    previous file is left as it was.
    """
    if out is None:
        data = serialized()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    _atomic_write(Path(out), lambda stream: stream.write(serialized()))


# ---------------------------------------------------------------------------
# Datasets: several named graphs in one TriG or N-Quads file
# ---------------------------------------------------------------------------


_OX_DATASET_FORMATS: Final[Mapping[str, ox.RdfFormat]] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
_OX_RDF_TYPE: Final = ox.NamedNode(str(RDF.type))
_DIGITS: Final = re.compile(r"\d+")


def _ox_term_key(term: Any, *, pad: bool = True) -> tuple[int, str, str, str]:
    """:func:`_term_key` for pyoxigraph terms: IRIs, then blank nodes, then literals.

    ``pad``: blank nodes in the order of the numbers in their labels (``_:c14n2`` before
    ``_:c14n10``), as datasets sort them; else by label, as :func:`_triples` sorts them.
    Without ``pad``, the key is :func:`_term_key` of the term's rdflib twin.
    """
    kind = type(term)
    if kind is ox.NamedNode:
        return (0, term.value, "", "")
    if kind is ox.BlankNode:
        if not pad:
            return (1, term.value, "", "")
        return (1, _DIGITS.sub(lambda match: match.group().zfill(12), term.value), "", "")
    if kind is ox.Literal:
        language = term.language
        if not pad:  # as rdflib: no datatype for plain and language-tagged literals
            datatype = term.datatype.value
            if language or datatype == _XSD_STRING:
                return (2, term.value, "", language or "")
            return (2, term.value, datatype, "")
        return (2, term.value, term.datatype.value, language or "")
    return (3, str(term), type(term).__name__, "")


def _ox_quad_key(quad: ox.Quad) -> tuple[tuple[int, str, str, str], ...]:
    """Sort key within one graph: by subject, ``rdf:type`` first, then predicate, object."""
    first = (-1, "", "", "") if quad.predicate == _OX_RDF_TYPE else _ox_term_key(quad.predicate)
    return (_ox_term_key(quad.subject), first, _ox_term_key(quad.object))


def _dataset_prefixes(bindings: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """The prefixes of the graphs' ``bindings``; the first binding a prefix or namespace wins."""
    prefixes: dict[str, str] = {}
    namespaces: set[str] = set()
    for bound in bindings:
        for prefix, namespace in bound.items():
            if prefix not in prefixes and namespace not in namespaces:
                prefixes[prefix] = namespace
                namespaces.add(namespace)
    return dict(sorted(prefixes.items()))


def _tidy_trig(data: bytes) -> bytes:
    """:func:`_tidy_turtle` for TriG with several graphs: also a blank line between graphs."""
    lines = re.findall(rb"[^\n]*\n|[^\n]+", _tidy_turtle(data, b"\t"))
    spaced: list[bytes] = []
    for line in lines:
        if spaced and spaced[-1] == b"}\n":
            spaced.append(b"\n")
        spaced.append(line)
    return b"".join(spaced)


def _check_dataset_format(fmt: str) -> None:
    if fmt not in DATASET_FORMATS:
        raise ValueError(
            f"unknown dataset format {fmt!r}; expected one of {', '.join(DATASET_FORMATS)}"
        )


def serialize_dataset(graphs: Mapping[URIRef, Graph], fmt: DatasetFormat | str) -> bytes:
    """Return the named ``graphs`` as one TriG or N-Quads document, deterministically.

    Graphs are written in the order of ``graphs`` (an empty graph is left out: neither
    format can state one), the triples of each sorted as :func:`serialize` sorts them.
    Blank nodes are scoped to the whole dataset, as in TriG and N-Quads, and named after
    the structure of all graphs at once (:mod:`egov_kg.bnodes`, ``_:c14n0``...; not
    RDFC-1.0, which takes minutes or overflows the stack on long blank-node chains), so
    two graphs never share a label unless they share the node.

    Args:
        graphs: graph name -> graph.
        fmt: ``"trig"`` or ``"nquads"``.

    Raises:
        ValueError: unknown format, or a graph that holds a term RDF cannot express.
    """
    _check_dataset_format(fmt)
    return serialize_dataset_statements(
        {name: [oxigraph_triple(triple) for triple in graph] for name, graph in graphs.items()},
        [_bound_prefixes(graph) for graph in graphs.values()],
        fmt,
    )


def _sorted_dataset(graphs: Mapping[URIRef | str, Sequence[_Statement]]) -> list[ox.Quad]:
    """The distinct quads of ``graphs``: graph by graph, each sorted by :func:`_ox_quad_key`.

    Blank nodes are named after the quads that hold one (the only ones
    :func:`~egov_kg.bnodes.canonical_labels` reads). Each distinct term is ranked once, so
    a quad's sort key is one integer (a million quads in seconds, not minutes).
    """
    names = [ox.NamedNode(str(name)) for name in graphs]
    blank = ox.BlankNode
    holding = [
        (t.subject, t.predicate, t.object, names[index])
        for index, triples in enumerate(graphs.values())
        for t in triples
        if type(t.subject) is blank or type(t.object) is blank
    ]
    labels = canonical_labels(holding, blank, graph_of=3, prefix="c14n")
    del holding
    ids: dict[Any, int] = {}
    intern = ids.setdefault
    size = ids.__len__
    rows: list[tuple[int, int, int, int]] = []
    for index, triples in enumerate(graphs.values()):
        for t in triples:
            subject, obj = t.subject, t.object
            if labels:
                if type(subject) is blank:
                    subject = blank(labels[subject])
                if type(obj) is blank:
                    obj = blank(labels[obj])
            rows.append(
                (index, intern(subject, size()), intern(t.predicate, size()), intern(obj, size()))
            )
    terms: list[Any] = list(ids)
    del ids
    count = len(terms)
    rank = [0] * count
    for position, term in enumerate(sorted(range(count), key=lambda i: _ox_term_key(terms[i]))):
        rank[term] = position
    predicate_rank = [value + 1 for value in rank]  # 0: rdf:type, first of a subject's
    with contextlib.suppress(ValueError):
        predicate_rank[terms.index(_OX_RDF_TYPE)] = 0
    span = count + 1
    keys = [
        ((graph * span + rank[s]) * span + predicate_rank[p]) * span + rank[o]
        for graph, s, p, o in rows
    ]
    del rank, predicate_rank
    quads: list[ox.Quad] = []
    previous = -1
    for index in sorted(range(len(keys)), key=keys.__getitem__):
        if keys[index] == previous:  # the same quad again
            continue
        previous = keys[index]
        graph, s, p, o = rows[index]
        quads.append(ox.Quad(terms[s], terms[p], terms[o], names[graph]))
    return quads


def serialize_dataset_statements(
    graphs: Mapping[URIRef | str, Sequence[_Statement]],
    bindings: Sequence[Mapping[str, str]],
    fmt: DatasetFormat | str,
) -> bytes:
    """:func:`serialize_dataset` of graphs given as pyoxigraph triples, without rdflib.

    Args:
        graphs: graph name -> its triples (quads: their graph is ignored).
        bindings: the prefixes each graph binds, in the order of ``graphs``.
        fmt: ``"trig"`` or ``"nquads"``.
    """
    _check_dataset_format(fmt)
    statements = _sorted_dataset(graphs)
    buffer = io.BytesIO()
    if fmt == "nquads":
        ox.serialize(statements, buffer, _OX_DATASET_FORMATS[fmt])
        _verify(buffer.getvalue(), fmt, statements)
        return buffer.getvalue()
    used = _used_prefixes(
        _iris(_statement_terms(statements)),
        _dataset_prefixes(bindings),
        [str(name) for name in graphs],
    )
    ox.serialize(statements, buffer, _OX_DATASET_FORMATS[fmt], prefixes=used)
    data = _tidy_trig(buffer.getvalue())
    _verify(data, fmt, statements)
    return data


def export_dataset(
    graphs: Mapping[URIRef, Graph], fmt: DatasetFormat | str, out: Path | str | None = None
) -> None:
    """Write :func:`serialize_dataset` of ``graphs`` to the file ``out`` atomically, or stdout.

    See :func:`serialize_dataset` for the arguments and errors.
    """
    if out is None:
        data = serialize_dataset(graphs, fmt)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    _atomic_write(Path(out), lambda stream: stream.write(serialize_dataset(graphs, fmt)))
