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
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Final, TypeAlias

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from egov_kg.bnodes import canonical_labels
from egov_kg.formats import DATASET_FORMATS, FORMATS, DatasetFormat, Format
from egov_kg.namespaces import ASSERTED_GRAPH, RDF
from egov_kg.terms import to_oxigraph

__all__ = [
    "DATASET_FORMATS",
    "FORMATS",
    "DatasetFormat",
    "Format",
    "export",
    "export_dataset",
    "serialize",
    "serialize_dataset",
    "write_atomically",
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


def _ox_triple(triple: _Triple, cache: dict[Node, Any] | None = None) -> ox.Triple:
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


def _used_prefixes(
    triples: Iterable[_Triple], prefixes: Mapping[str, str], extra: Iterable[str] = ()
) -> dict[str, str]:
    """Return the ``prefixes`` whose namespace starts at least one IRI of ``triples``."""
    iris: set[str] = set(extra)
    for triple in triples:
        for term in triple:
            if isinstance(term, URIRef):
                iris.add(str(term))
            elif isinstance(term, RdfLiteral) and term.datatype is not None:
                iris.add(str(term.datatype))
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


def _check_xml(triples: Iterable[_Triple]) -> None:
    """Refuse what RDF/XML cannot express.

    Predicates are written as XML element names, so their IRI must end in one; XML 1.0 has
    no way at all to write most C0 control characters, even as character references.
    """
    for subject, predicate, obj in triples:
        if not _XML_LOCAL_NAME.search(str(predicate)):
            raise ValueError(
                f"RDF/XML cannot write the predicate <{predicate}>: its IRI does not end in "
                "an XML name"
            )
        if isinstance(obj, RdfLiteral) and _XML_FORBIDDEN.search(obj):
            raise ValueError(
                f"RDF/XML cannot write a control character of the literal {obj.n3()} "
                f"(subject <{subject}>)"
            )


def _jsonld_context(triples: list[_Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes a JSON-LD ``@context`` can declare without changing any IRI's meaning.

    A prefix is left out when it is not a plain name, when its namespace does not end in
    ``/`` or ``#`` (JSON-LD 1.1 only expands compact IRIs of such prefixes), or when it is
    the scheme of an IRI of the graph (``urn:``...), which it would turn into a compact IRI.
    """
    schemes = {
        str(term).split(":", 1)[0]
        for triple in triples
        for term in (*triple, getattr(triple[2], "datatype", None))
        if isinstance(term, URIRef)
    }
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


def _jsonld(triples: list[_Triple], prefixes: Mapping[str, str]) -> bytes:
    """Serialize as flattened JSON-LD: the prefixes as ``@context``, one node per subject.

    Written by egov-kg itself (rdflib's writer embeds a blank node referred to once, so it
    dropped a cycle of blank nodes): every triple is one value of its subject's node, every
    literal a value object with its lexical form, so nothing is embedded and nothing lost.
    """
    context = _jsonld_context(triples, prefixes)
    compact = _compactor(context)

    def node_id(term: Node) -> str:
        return f"_:{term}" if isinstance(term, BNode) else compact(str(term))

    def value(term: Node) -> dict[str, str]:
        if not isinstance(term, RdfLiteral):
            return {"@id": node_id(term)}
        if term.language:
            return {"@value": str(term), "@language": term.language}
        datatype = str(term.datatype) if term.datatype is not None else _XSD_STRING
        if datatype == _XSD_STRING:
            return {"@value": str(term)}
        return {"@value": str(term), "@type": compact(datatype)}

    nodes: dict[str, dict[str, list[Any]]] = {}
    for subject, predicate, obj in triples:
        node = nodes.setdefault(node_id(subject), {})
        if predicate == RDF.type and isinstance(obj, URIRef):
            node.setdefault("@type", []).append(compact(str(obj)))
        else:
            node.setdefault(compact(str(predicate)), []).append(value(obj))
    graph = [{"@id": name, **properties} for name, properties in sorted(nodes.items())]
    document = {"@context": context, "@graph": graph}
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


def _ox_serialize(
    statements: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: str, prefixes: Mapping[str, str]
) -> bytes:
    buffer = io.BytesIO()
    ox.serialize(statements, buffer, _OX_FORMATS[fmt], prefixes=dict(prefixes))
    return buffer.getvalue()


def _serialize(graph: Graph, fmt: str, graph_name: URIRef) -> bytes:
    """Serialize ``graph`` as ``fmt``, and check that the output gives the graph back."""
    _check_format(fmt)
    triples = _triples(graph)
    cache: dict[Node, Any] = {}
    statements = [_ox_triple(triple, cache) for triple in triples]
    data = _write(triples, statements, _bound_prefixes(graph), fmt, graph_name)
    _verify(data, fmt, statements, ox.NamedNode(str(graph_name)))
    return data


def _write(
    triples: list[_Triple],
    statements: list[ox.Triple],
    prefixes: Mapping[str, str],
    fmt: str,
    graph_name: URIRef,
) -> bytes:
    """Write the sorted ``triples`` (``statements`` in pyoxigraph's terms) as ``fmt``."""
    if fmt == "jsonld":
        return _jsonld(triples, prefixes)
    if fmt == "xml":
        _check_xml(triples)
    extra = [str(graph_name)] if fmt == "trig" else []
    used = _used_prefixes(triples, prefixes, extra)
    if fmt == "trig":
        name = ox.NamedNode(str(graph_name))
        quads = (ox.Quad(t.subject, t.predicate, t.object, name) for t in statements)
        return _tidy_turtle(_ox_serialize(quads, "trig", used), b"\t")
    data = _ox_serialize(statements, fmt, used)
    if fmt == "xml":
        # XML parsers turn a raw CR (or CR LF) into LF; a character reference keeps it.
        # pyoxigraph ends lines with LF, so any CR comes from a literal.
        return data.replace(b"\r", b"&#13;")
    return _tidy_turtle(data, b"") if fmt == "turtle" else data


def _shape(statements: Iterable[ox.Triple | ox.Quad]) -> tuple[set[Any], int, int]:
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
    written: Sequence[ox.Triple] | Sequence[ox.Quad],
    graph_name: ox.NamedNode | None = None,
) -> None:
    """Parse ``data`` back with pyoxigraph; raise if any statement was lost, added or changed.

    Compared: the statements without blank nodes one by one, and the numbers of statements
    and of blank nodes. So an export never drops a triple silently (as rdflib's JSON-LD
    writer did with a cycle of blank nodes).

    Raises:
        ValueError: the output does not give the graph back; nothing is written.
    """
    try:
        parsed = list(ox.parse(data, format=_OX_READ[fmt]))
    except SyntaxError as error:
        raise ValueError(f"the {fmt} output cannot be read back: {error}") from None
    except MemoryError as error:  # pyoxigraph reads tokens of up to 16 MiB (JSON: 8 MiB)
        if graph_name is None or fmt not in _RDFLIB_READ:
            raise ValueError(f"the {fmt} output cannot be read back: {error}") from None
        triples = (_ox_triple(t) for t in Graph().parse(data=data, format=_RDFLIB_READ[fmt]))
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
    if out is None:
        data = _serialize(graph, fmt, graph_name)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    # Serialize inside the write: whatever fails, the temporary file is cleaned up.
    _atomic_write(Path(out), lambda stream: stream.write(_serialize(graph, fmt, graph_name)))


# ---------------------------------------------------------------------------
# Datasets: several named graphs in one TriG or N-Quads file
# ---------------------------------------------------------------------------


_OX_DATASET_FORMATS: Final[Mapping[str, ox.RdfFormat]] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
_OX_RDF_TYPE: Final = ox.NamedNode(str(RDF.type))
_DIGITS: Final = re.compile(r"\d+")


def _ox_term_key(term: Any) -> tuple[int, str, str, str]:
    """:func:`_term_key` for pyoxigraph terms: IRIs, then blank nodes, then literals."""
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, ox.BlankNode):  # _:c14n2 before _:c14n10
        return (1, _DIGITS.sub(lambda match: match.group().zfill(12), term.value), "", "")
    if isinstance(term, ox.Literal):
        return (2, term.value, term.datatype.value, term.language or "")
    return (3, str(term), type(term).__name__, "")


def _ox_quad_key(quad: ox.Quad) -> tuple[tuple[int, str, str, str], ...]:
    """Sort key within one graph: by subject, ``rdf:type`` first, then predicate, object."""
    first = (-1, "", "", "") if quad.predicate == _OX_RDF_TYPE else _ox_term_key(quad.predicate)
    return (_ox_term_key(quad.subject), first, _ox_term_key(quad.object))


def _dataset_prefixes(graphs: Iterable[Graph]) -> dict[str, str]:
    """The prefixes bound in ``graphs``; the first graph binding a prefix or namespace wins."""
    prefixes: dict[str, str] = {}
    namespaces: set[str] = set()
    for graph in graphs:
        for prefix, namespace in _bound_prefixes(graph).items():
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
    if fmt not in DATASET_FORMATS:
        raise ValueError(
            f"unknown dataset format {fmt!r}; expected one of {', '.join(DATASET_FORMATS)}"
        )
    order = {str(name): index for index, name in enumerate(graphs)}
    quads: list[ox.Quad] = []
    for name, graph in graphs.items():
        graph_name = ox.NamedNode(str(name))
        for triple in graph:
            subject, predicate, obj = _ox_triple(triple)
            quads.append(ox.Quad(subject, predicate, obj, graph_name))
    labels = canonical_labels(
        ((q.subject, q.predicate, q.object, q.graph_name) for q in quads),
        ox.BlankNode,
        graph_of=3,
        prefix="c14n",
    )
    if labels:

        def rename(term: Any) -> Any:
            return ox.BlankNode(labels[term]) if isinstance(term, ox.BlankNode) else term

        quads = [
            ox.Quad(rename(q.subject), q.predicate, rename(q.object), q.graph_name) for q in quads
        ]
    dataset = ox.Dataset(quads)

    def key(quad: ox.Quad) -> tuple[int, tuple[tuple[int, str, str, str], ...]]:
        graph_name = quad.graph_name
        index = order[graph_name.value] if isinstance(graph_name, ox.NamedNode) else -1
        return (index, _ox_quad_key(quad))

    statements = sorted(dataset, key=key)
    buffer = io.BytesIO()
    if fmt == "nquads":
        ox.serialize(statements, buffer, _OX_DATASET_FORMATS[fmt])
        _verify(buffer.getvalue(), fmt, statements)
        return buffer.getvalue()
    used = _used_prefixes(
        (triple for graph in graphs.values() for triple in graph),
        _dataset_prefixes(graphs.values()),
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
