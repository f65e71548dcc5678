"""Load the knowledge graph: the ontology plus the Turtle data files, parsed strictly.

Each file is first checked with pyoxigraph, a strict Turtle parser that reports the exact
position of a syntax error (and rejects relative IRIs), then parsed with rdflib, whose graph
the rest of the package (pyshacl, owlrl) works on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph
from rdflib import Graph, Literal, URIRef

from egov_kg.errors import DataError
from egov_kg.namespaces import PREFIXES
from egov_kg.resources import data_files, ontology_file

__all__ = ["bind_prefixes", "load", "load_files", "load_ontology", "new_graph", "parse_file"]

# "Parser error at line 5 between columns 11 and 18: The prefix foo: has not been declared"
# "Parser error between line 4 column 11 and line 6 column 1: Unexpected end of file"
_OX_LOCATION = re.compile(r"^Parser error (?:at|between) [^:]*:\s*")


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


def _check_syntax(path: Path) -> dict[str, str]:
    """Check the Turtle syntax of ``path`` with pyoxigraph; return the prefixes it declares.

    Raises:
        DataError: ``"{path}:{line}:{column}: {what is wrong}"``, 1-based (pyoxigraph counts
            columns in characters, not bytes).
    """
    parser = pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    try:
        for _ in parser:
            pass
    except SyntaxError as error:
        message = _OX_LOCATION.sub("", error.msg or str(error))
        line, column = error.lineno, error.offset
        if line is None:
            raise DataError(f"{path}: {message}") from None
        raise DataError(f"{path}:{line}:{column or 1}: {message}") from None
    return dict(parser.prefixes)


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


def _locate_literal(text: str, literal: Literal) -> tuple[int, int] | None:
    """Best-effort 1-based position of ``literal`` in the Turtle source ``text``."""
    lexical = str(literal)
    for needle in (f'"{lexical}"^^', f"'{lexical}'^^", f'"{lexical}"', lexical):
        index = text.find(needle)
        if index >= 0:
            return _position(text, index)
    return None


def _rdflib_error(path: Path, error: Exception) -> DataError:
    """Turn an rdflib parse error into a :class:`DataError` with the best known position."""
    source = getattr(error, "_str", None)
    index = getattr(error, "_i", None)
    why = getattr(error, "_why", None) or str(error)
    if isinstance(source, bytes) and isinstance(index, int):
        line, column = _position(source.decode("utf-8", "replace"), index)
        return DataError(f"{path}:{line}:{column}: {why}")
    return DataError(f"{path}: {why}")


def parse_file(path: Path | str) -> tuple[Graph, dict[str, str]]:
    """Parse one Turtle file strictly; return its graph and the prefixes it declares.

    Raises:
        DataError: on a syntax error, a relative IRI or an ill-typed literal
            (e.g. ``"2024-13-01"^^xsd:date``), located as ``path:line:column``.
        OSError: when the file cannot be read.
    """
    path = Path(path)
    prefixes = _check_syntax(path)
    graph = Graph(bind_namespaces="none")
    with _quiet_literal_warnings():
        try:
            graph.parse(path, format="turtle")
        except Exception as error:  # oxigraph accepted it; rdflib should too, but be safe
            raise _rdflib_error(path, error) from None
        literals = {o for o in graph.objects() if isinstance(o, Literal)}
        for literal in sorted(
            literals, key=lambda lit: (str(lit), str(lit.datatype), lit.language)
        ):
            if literal.ill_typed:
                text = path.read_text(encoding="utf-8")
                where = _locate_literal(text, literal)
                what = f"ill-typed literal {literal.n3(graph.namespace_manager)}"
                if where is None:
                    raise DataError(f"{path}: {what}")
                raise DataError(f"{path}:{where[0]}:{where[1]}: {what}")
    return graph, prefixes


def _declaration_position(path: Path, prefix: str) -> tuple[int, int]:
    """Return the position of the ``@prefix``/``PREFIX`` declaration of ``prefix``."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"(?im)^[ \t]*@?prefix[ \t]+{re.escape(prefix)}:")
    match = pattern.search(text)
    if match is None:
        return 1, 1
    return _position(text, match.start() + len(match.group(0)) - len(prefix) - 1)


def _merge(files: Iterable[Path]) -> Graph:
    """Parse ``files`` into one graph; prefixes must agree across files and PREFIXES."""
    merged = new_graph()
    known: dict[str, tuple[str, Path | None]] = {
        prefix: (str(namespace), None) for prefix, namespace in PREFIXES.items()
    }
    for path in files:
        graph, prefixes = parse_file(path)
        for prefix, namespace in sorted(prefixes.items()):
            previous, where = known.setdefault(prefix, (namespace, path))
            if previous != namespace:
                line, column = _declaration_position(path, prefix)
                origin = "egov-kg's prefix map" if where is None else str(where)
                raise DataError(
                    f"{path}:{line}:{column}: prefix '{prefix}:' is <{namespace}> here but "
                    f"<{previous}> in {origin}"
                )
        merged += graph
    extra = {prefix: ns for prefix, (ns, where) in known.items() if where is not None}
    return bind_prefixes(merged, extra)


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
