"""Load the knowledge graph: the ontology plus the Turtle data files, parsed strictly.

Each file is parsed with pyoxigraph, a strict Turtle parser that reports the exact position
of a syntax error (and rejects relative IRIs); its triples are checked (XSD lexical forms,
NUL, NFC) and become the rdflib graph the rest of the package (pyshacl, owlrl) works on.
Nothing is fetched: no ``@base`` or ``owl:imports`` is followed, no XML is read.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from egov_kg.errors import DataError
from egov_kg.lexical import XSD, problem
from egov_kg.namespaces import PREFIXES
from egov_kg.resources import data_files, ontology_file

__all__ = [
    "CheckedFile",
    "bind_prefixes",
    "bound_prefixes",
    "check_file",
    "check_files",
    "checked_triples",
    "load",
    "load_checked",
    "load_files",
    "load_ontology",
    "new_graph",
    "parse_file",
]

# "Parser error at line 5 between columns 11 and 18: The prefix foo: has not been declared"
# "Parser error between line 4 column 11 and line 6 column 1: Unexpected end of file"
_OX_LOCATION = re.compile(r"^Parser error (?:at|between) [^:]*:\s*")
_BOM = b"\xef\xbb\xbf"
# The start of an XML document (RDF/XML, or anything with a DTD): refused unread.
_XML_START = re.compile(rb"\A\s*<(?:\?xml|!DOCTYPE|!ENTITY|rdf:RDF)\b", re.IGNORECASE)
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_FLOATS = frozenset({XSD + "float", XSD + "double"})
_MARKUP_DATATYPES = frozenset({_RDF + "XMLLiteral", _RDF + "HTML"})


def new_graph() -> Graph:
    """Return an empty rdflib graph that binds exactly the egov-kg prefixes.

    rdflib's default bindings (``brick:``, ``wgs:``...) are left out so that outputs only
    declare the project's vocabulary.
    """
    graph = Graph(bind_namespaces="none")
    bind_prefixes(graph)
    return graph


def bind_prefixes(graph: Graph, extra: Mapping[str, str] | None = None) -> Graph:
    """Bind ``extra`` then the egov-kg prefixes in ``graph``, replacing clashing bindings.

    ``override=True, replace=True`` makes the given prefix win over any earlier binding of the
    same prefix or namespace, so rdflib never falls back to generated ``ns1:`` names.
    """
    manager = graph.namespace_manager
    for prefix, namespace in sorted((extra or {}).items()):
        manager.bind(prefix, URIRef(namespace), override=True, replace=True)
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, URIRef(str(namespace)), override=True, replace=True)
    return graph


def _position(text: str, index: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of character ``index`` of ``text``."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def _check_bytes(path: Path, data: bytes, text_rules: bool) -> None:
    """Refuse, before any parsing, what egov-kg never reads: a BOM, XML, a NUL byte.

    A leading UTF-8 byte order mark is refused rather than stripped: Turtle is UTF-8 by
    definition, and a BOM is usually the sign of an editor that also changed other things.
    RDF/XML (and any document with a DTD) is refused unread, so no entity is ever expanded.
    """
    if data.startswith(_BOM):
        raise DataError(
            f"{path}:1:1: the file starts with a UTF-8 byte order mark (U+FEFF); "
            "save it as UTF-8 without a BOM"
        )
    if _XML_START.match(data):
        dtd = (
            " with a DOCTYPE or ENTITY declaration"
            if _DTD.search(data[:65536].decode("utf-8", "replace"))
            else ""
        )
        raise DataError(
            f"{path}:1:1: an XML document{dtd} (RDF/XML?) is refused; egov-kg reads Turtle only"
        )
    nul = data.find(b"\x00") if text_rules else -1
    if nul >= 0:
        text = data[:nul].decode("utf-8", "replace")
        line, column = _position(text, len(text))
        raise DataError(f"{path}:{line}:{column}: the NUL character (U+0000) is not allowed")


def _syntax_error(path: Path, error: SyntaxError) -> DataError:
    """The :class:`DataError` of a pyoxigraph syntax error, at its 1-based line and column."""
    message = _OX_LOCATION.sub("", error.msg or str(error))
    if message.startswith("No scheme found in an absolute IRI"):
        message = (
            "a relative IRI, and the file has no base IRI: write the IRI in full or use a "
            "declared prefix"
        )
    elif any(word in message.lower() for word in ("language", "subtag", "direction")):
        message = f"invalid language tag: {message}"
    elif message.startswith("Invalid UTF-8"):
        message = "not valid UTF-8 (" + message.split(":", 1)[-1].strip() + ")"
    line, column = error.lineno, error.offset
    if line is None:
        return DataError(f"{path}: {message}")
    return DataError(f"{path}:{line}:{column or 1}: {message}")


class _DropLiteralWarnings(logging.Filter):
    """Silence rdflib's 'Failed to convert Literal' warnings (tracebacks included).

    Ill-typed literals are reported as a :class:`DataError` by :func:`parse_file` instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal")


@contextmanager
def _quiet_literal_warnings() -> Iterator[None]:
    logger = logging.getLogger("rdflib.term")
    quiet = _DropLiteralWarnings()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


@contextmanager
def _reading(path: Path, converter: _Converter) -> Iterator[None]:
    """Turn what reading ``path`` raises into a located :class:`DataError`."""
    with _quiet_literal_warnings():
        try:
            yield
        except SyntaxError as error:
            raise _syntax_error(path, error) from None
        except MemoryError as error:  # pyoxigraph reads tokens of up to 16 MiB
            raise DataError(f"{path}: a literal or IRI is too long to read ({error})") from None
        except DataError:
            raise
        except ValueError as error:  # an rdflib term refused (e.g. a language tag)
            raise converter.error(str(error), []) from None


def _locate(text: str, needles: Iterable[str]) -> tuple[int, int] | None:
    """Best-effort 1-based position of the first of ``needles`` found in ``text``."""
    for needle in needles:
        index = text.find(needle) if needle else -1
        if index >= 0:
            return _position(text, index)
    return None


# Strings, IRIs and comments are matched whole, so that a '~' or '<<' inside them is skipped;
# group 1 is the first RDF 1.2 marker outside them.
_RDF12_MARKER = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n]*"
    r"|(<<|\{\||~)",
    re.DOTALL,
)


def _rdf12_marker(text: str) -> tuple[int, int] | None:
    """1-based position of the first RDF 1.2 syntax (``<<``, ``~``, ``{|``) in ``text``."""
    for match in _RDF12_MARKER.finditer(text):
        if match.group(1):
            return _position(text, match.start(1))
    return None


def _literal_needles(literal: pyoxigraph.Literal) -> list[str]:
    """How ``literal`` may be written in Turtle, most specific first."""
    value = literal.value
    escaped = str(pyoxigraph.Literal(value))[:-1]  # '"' + N-Triples escapes, no closing quote
    return [
        *(quote + value for quote in ('"""', "'''", '"', "'")),
        escaped,
        escaped.replace("\\n", "\n"),
        value,
    ]


def _shown(literal: pyoxigraph.Literal) -> str:
    """``literal`` for a message: N-Triples, ``xsd:`` datatypes shortened, at most 120 chars."""
    text = str(literal)
    datatype = literal.datatype.value
    if literal.language is None and datatype.startswith(XSD):
        text = f"{pyoxigraph.Literal(literal.value)}^^xsd:{datatype[len(XSD) :]}"
    return text if len(text) <= 120 else text[:117] + "..."


class _Converter:
    """pyoxigraph terms to rdflib terms, checking what pyoxigraph's parser lets through.

    pyoxigraph checks the syntax, IRIs and language tags; this adds the literal checks: the
    XSD lexical space (:mod:`egov_kg.lexical`), no NUL character, no DTD inside an
    XML literal, and text in Unicode NFC. String literals are normalised to NFC (a
    canonically equivalent spelling, so no meaning changes); an IRI that is not NFC is an
    error, since rewriting an IRI would change what it names.
    """

    def __init__(self, path: Path, data: bytes, text_rules: bool) -> None:
        self.path = path
        self.text_rules = text_rules
        self._data = data
        self._text: str | None = None
        self._iris: dict[str, URIRef] = {}

    def _decoded(self) -> str:
        if self._text is None:
            self._text = self._data.decode("utf-8", "replace")
        return self._text

    def error(self, what: str, needles: Iterable[str]) -> DataError:
        where = _locate(self._decoded(), needles)
        if where is None:
            return DataError(f"{self.path}: {what}")
        return DataError(f"{self.path}:{where[0]}:{where[1]}: {what}")

    def _check_iri(self, value: str) -> None:
        if self.text_rules and not unicodedata.is_normalized("NFC", value):
            raise self.error(
                f"the IRI <{value}> is not in Unicode NFC; write it as "
                f"<{unicodedata.normalize('NFC', value)}>",
                [f"<{value}>", value, value.rsplit("/", 1)[-1]],
            )

    def iri(self, node: pyoxigraph.NamedNode) -> URIRef:
        value = node.value
        found = self._iris.get(value)
        if found is None:
            self._check_iri(value)
            found = self._iris[value] = URIRef(value)
        return found

    def literal(self, literal: pyoxigraph.Literal) -> Literal:
        value, datatype, language = literal.value, literal.datatype.value, literal.language
        direction = getattr(literal, "direction", None)  # pyoxigraph >= 0.5 reads RDF 1.2
        if direction is not None:
            raise self.error(
                f"the literal {_shown(literal)} has a base direction (RDF 1.2 "
                f"'@{language}--{direction}'); egov-kg reads RDF 1.1 Turtle",
                [f"@{language}--{direction}", *_literal_needles(literal)],
            )
        if self.text_rules and "\x00" in value:
            raise self.error(
                f"the literal {_shown(literal)} holds the NUL character (U+0000)",
                ["\\u0000", "\\U00000000", *_literal_needles(literal)],
            )
        if language is not None or datatype == _XSD_STRING:
            if self.text_rules:
                value = unicodedata.normalize("NFC", value)
            if language is not None:
                return Literal(value, lang=language)
            return Literal(value)
        if datatype in _MARKUP_DATATYPES and _DTD.search(value):
            raise self.error(
                f"the XML literal {_shown(literal)} has a DOCTYPE or ENTITY declaration",
                _literal_needles(literal),
            )
        why = problem(value, datatype)
        if why is None and datatype in _FLOATS and value.lstrip("+-") in ("INF", "NaN"):
            why = "INF and NaN are valid XSD, but the OWL-RL reasoner (owlrl) cannot read them"
        converted = None
        if why is None:
            converted = Literal(value, datatype=self.iri(literal.datatype), normalize=False)
            if converted.ill_typed:  # valid XSD that rdflib cannot read: year 0, 24:00:00...
                why = "valid XSD, but not a value rdflib and owlrl can read"
        if why is not None:
            raise self.error(
                f"ill-typed literal {_shown(literal)}: {why}", _literal_needles(literal)
            )
        assert converted is not None
        return converted

    def term(self, term: object) -> Node:
        if isinstance(term, pyoxigraph.NamedNode):
            return self.iri(term)
        if isinstance(term, pyoxigraph.BlankNode):
            return BNode(term.value)
        if isinstance(term, pyoxigraph.Literal):
            return self.literal(term)
        raise self.rdf12()

    def rdf12(self) -> DataError:
        where = _rdf12_marker(self._decoded())
        what = "an RDF 1.2 triple term or reifier ('<<', '~' or '{|'); egov-kg reads RDF 1.1 Turtle"
        if where is None:
            return DataError(f"{self.path}: {what}")
        return DataError(f"{self.path}:{where[0]}:{where[1]}: {what}")


class _Checker(_Converter):
    """The checks of :class:`_Converter` on pyoxigraph terms, keeping them pyoxigraph terms.

    What the native load (:func:`check_files`) runs: no rdflib graph is built. A typed
    literal is still read once by rdflib (cached by its text), since what rdflib and owlrl
    cannot read is refused.
    """

    def __init__(self, path: Path, data: bytes, text_rules: bool) -> None:
        super().__init__(path, data, text_rules)
        self._seen: set[str] = set()
        self._typed: set[tuple[str, str]] = set()
        self.changed = False  # a string literal was not in NFC (it is rewritten)

    def check_iri(self, node: pyoxigraph.NamedNode) -> None:
        value = node.value
        if value not in self._seen:
            self._check_iri(value)
            self._seen.add(value)

    def check_literal(self, literal: pyoxigraph.Literal) -> pyoxigraph.Literal:
        """``literal``, checked; in NFC when egov-kg's text rules apply."""
        datatype = literal.datatype.value
        if literal.language is None and datatype != _XSD_STRING:
            key = (literal.value, datatype)
            if key not in self._typed:
                self.literal(literal)  # raises DataError on what rdflib cannot read
                self._typed.add(key)
            return literal
        if getattr(literal, "direction", None) is not None or "\x00" in literal.value:
            self.literal(literal)  # raises the located DataError
        value = literal.value
        if not self.text_rules or value.isascii() or unicodedata.is_normalized("NFC", value):
            return literal
        self.changed = True
        value = unicodedata.normalize("NFC", value)
        if literal.language is not None:
            return pyoxigraph.Literal(value, language=literal.language)
        return pyoxigraph.Literal(value)

    def check(self, quad: pyoxigraph.Quad) -> pyoxigraph.Quad:
        """``quad``, checked (string literals in NFC), or a located :class:`DataError`."""
        subject, predicate, obj = quad.subject, quad.predicate, quad.object
        if type(subject) is pyoxigraph.NamedNode:
            self.check_iri(subject)
        elif type(subject) is not pyoxigraph.BlankNode:
            raise self.rdf12()
        self.check_iri(predicate)
        kind = type(obj)
        if kind is pyoxigraph.NamedNode:
            self.check_iri(obj)  # type: ignore[arg-type]
        elif kind is pyoxigraph.Literal:
            checked = self.check_literal(obj)  # type: ignore[arg-type]
            if checked is not obj:
                return pyoxigraph.Quad(subject, predicate, checked)
        elif kind is not pyoxigraph.BlankNode:
            raise self.rdf12()
        return quad


def parse_file(
    path: Path | str, *, base_iri: str | None = None, text_rules: bool = True
) -> tuple[Graph, dict[str, str]]:
    """Parse one Turtle file strictly; return its graph and the prefixes it declares.

    pyoxigraph parses (it passes the whole W3C Turtle test suite and locates errors
    exactly); its triples are checked and turned into an rdflib graph, keeping every
    lexical form as written (no ``"01"`` becoming ``"1"``), string literals in NFC.

    Args:
        path: the Turtle file.
        base_iri: the IRI relative IRIs resolve against; default: none, so that a relative
            IRI is an error.
        text_rules: apply egov-kg's rules on text beyond the Turtle grammar (no NUL
            character, IRIs in NFC, string literals normalised to NFC); ``False`` reads any
            conforming Turtle exactly as written (the W3C suite has NUL characters).

    Raises:
        DataError: on a BOM, XML input, invalid UTF-8, a syntax error, a relative IRI, an
            invalid language tag, an ill-typed literal (``"2024-02-30"^^xsd:date``,
            ``"１２３"^^xsd:integer``), a NUL character or an IRI not in NFC, located as
            ``path:line:column``.
        OSError: when the file cannot be read.
    """
    path = Path(path)
    data = path.read_bytes()
    _check_bytes(path, data, text_rules)
    parser = pyoxigraph.parse(
        data, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base_iri, rename_blank_nodes=True
    )
    converter = _Converter(path, data, text_rules)
    triples: list[tuple[Node, Node, Node]] = []
    term = converter.term
    with _reading(path, converter):
        for quad in parser:
            triples.append((term(quad.subject), term(quad.predicate), term(quad.object)))
    graph = Graph(bind_namespaces="none")
    graph.addN((s, p, o, graph) for s, p, o in triples)
    prefixes = dict(parser.prefixes)
    for prefix, namespace in prefixes.items():  # as rdflib's own parser binds them
        graph.bind(prefix, URIRef(namespace), override=True, replace=True)
    return graph, prefixes


def _declaration_position(path: Path, prefix: str) -> tuple[int, int]:
    """Return the position of the ``@prefix``/``PREFIX`` declaration of ``prefix``."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"(?im)^[ \t]*@?prefix[ \t]+{re.escape(prefix)}:")
    match = pattern.search(text)
    if match is None:
        return 1, 1
    return _position(text, match.start() + len(match.group(0)) - len(prefix) - 1)


class _Prefixes:
    """The prefixes declared so far; one prefix must name one namespace everywhere."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, Path | None]] = {
            prefix: (str(namespace), None) for prefix, namespace in PREFIXES.items()
        }

    def add(self, path: Path, prefixes: Mapping[str, str]) -> None:
        for prefix, namespace in sorted(prefixes.items()):
            previous, where = self.known.setdefault(prefix, (namespace, path))
            if previous != namespace:
                line, column = _declaration_position(path, prefix)
                origin = "egov-kg's prefix map" if where is None else str(where)
                raise DataError(
                    f"{path}:{line}:{column}: prefix '{prefix}:' is <{namespace}> here but "
                    f"<{previous}> in {origin}"
                )

    def extra(self) -> dict[str, str]:
        return {prefix: ns for prefix, (ns, where) in self.known.items() if where is not None}


def _merge(files: Iterable[Path]) -> Graph:
    """Parse ``files`` into one graph; prefixes must agree across files and PREFIXES."""
    merged = new_graph()
    known = _Prefixes()
    for path in files:
        graph, prefixes = parse_file(path)
        known.add(path, prefixes)
        merged += graph
    return bind_prefixes(merged, known.extra())


@dataclass(frozen=True)
class CheckedFile:
    """A Turtle file that passed every check of :func:`parse_file`.

    Attributes:
        path: the file.
        data: its bytes, as checked.
        quads: its triples with string literals rewritten in NFC, when one was not;
            ``None`` when the file reads as it is (so a store can bulk-load it directly).
    """

    path: Path
    data: bytes
    quads: list[pyoxigraph.Quad] | None

    def load_into(self, store: pyoxigraph.Store, graph: pyoxigraph.NamedNode | None = None) -> None:
        """Add the file's triples to ``store`` (in ``graph``, else the default graph)."""
        if self.quads is None:
            store.bulk_load(self.data, format=pyoxigraph.RdfFormat.TURTLE, to_graph=graph or None)
        elif graph is None:
            store.bulk_extend(self.quads)
        else:
            store.bulk_extend(
                pyoxigraph.Quad(q.subject, q.predicate, q.object, graph) for q in self.quads
            )


def check_file(path: Path | str, *, text_rules: bool = True) -> tuple[CheckedFile, dict[str, str]]:
    """Parse ``path`` with every check of :func:`parse_file`, without building an rdflib graph.

    Raises:
        DataError: as :func:`parse_file`, with the same messages and positions.
        OSError: when the file cannot be read.
    """
    path = Path(path)
    data = path.read_bytes()
    _check_bytes(path, data, text_rules)
    checker = _Checker(path, data, text_rules)
    check = checker.check
    parser = pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE, rename_blank_nodes=True)
    with _reading(path, checker):
        for quad in parser:
            check(quad)
    prefixes = dict(parser.prefixes)
    if not checker.changed:
        return CheckedFile(path, data, None), prefixes
    # A literal was rewritten: keep every triple of the file, read again, rewritten.
    reread = pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE, rename_blank_nodes=True)
    return CheckedFile(path, data, [check(quad) for quad in reread]), prefixes


def load_checked(
    files: Iterable[CheckedFile],
    store: pyoxigraph.Store,
    graph: pyoxigraph.NamedNode | None = None,
) -> None:
    """Add the triples of every checked file to ``store`` (in ``graph``, else the default)."""
    for one in files:
        one.load_into(store, graph)


def check_files(files: Iterable[Path]) -> list[CheckedFile]:
    """:func:`check_file` on each of ``files``; prefixes must agree as in :func:`load_files`.

    What :func:`egov_kg.load` reads a new input with: every error :func:`load_files` would
    raise, without the cost of an rdflib graph.
    """
    known = _Prefixes()
    checked = []
    for path in files:
        one, prefixes = check_file(path)
        known.add(path, prefixes)
        checked.append(one)
    return checked


def checked_triples(files: Iterable[Path]) -> tuple[list[pyoxigraph.Quad], dict[str, str]]:
    """Every triple :func:`load_files` reads from ``files``, on pyoxigraph's terms.

    The same checks and errors as :func:`check_files`, in one pass that keeps the triples:
    lexical forms as written, string literals in NFC, blank nodes distinct per file (and
    duplicates kept: the caller merges them). What a native export starts from.

    Returns:
        the triples (quads in the default graph), and the prefixes the files declare
        beyond egov-kg's own (give them to :func:`bound_prefixes`).

    Raises:
        DataError: as :func:`check_files`.
        OSError: when a file cannot be read.
    """
    known = _Prefixes()
    quads: list[pyoxigraph.Quad] = []
    for path in files:
        data = path.read_bytes()
        _check_bytes(path, data, True)
        checker = _Checker(path, data, True)
        parser = pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE, rename_blank_nodes=True)
        with _reading(path, checker):
            quads.extend(map(checker.check, parser))
        known.add(path, dict(parser.prefixes))
    return quads, known.extra()


def bound_prefixes(extra: Mapping[str, str]) -> dict[str, str]:
    """The prefixes the graph of :func:`load_files` binds, sorted by prefix.

    ``extra``: the prefixes its files declare (:func:`checked_triples`). The same bindings
    as ``load_files(files).namespaces()``, without parsing into an rdflib graph.
    """
    graph = bind_prefixes(new_graph(), extra)
    return dict(sorted((prefix, str(namespace)) for prefix, namespace in graph.namespaces()))


def load_files(files: Iterable[Path]) -> Graph:
    """Parse Turtle ``files`` strictly into one graph (see :func:`load`)."""
    return _merge(files)


def load_ontology(ontology: Path | str | None = None) -> Graph:
    """Load the OWL ontology alone (default: the shipped ``ontology/egov.ttl``)."""
    return _merge([Path(ontology) if ontology is not None else ontology_file()])


def load(data_dir: Path | str | None = None, *, ontology: Path | str | None = None) -> Graph:
    """Load the ontology and every ``*.ttl`` data file (not the shapes) into one graph.

    Args:
        data_dir: folder of Turtle data files; default: the shipped ``data/``.
        ontology: the OWL ontology file; default: the shipped ``ontology/egov.ttl``.

    Returns:
        A new rdflib graph binding the egov-kg prefixes and those declared in the files.

    Raises:
        DataError: a file is malformed (located as ``path:line:column``) or two files bind
            one prefix to different namespaces.
        OSError: a file or the data folder cannot be read.
    """
    ontology_path = Path(ontology) if ontology is not None else ontology_file()
    return _merge([ontology_path, *data_files(data_dir)])
