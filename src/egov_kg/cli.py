"""The ``egov-kg`` command: a thin shell over the Python API.

Exit status: 0 success (the graph conforms), 1 the graph does not conform, 2 the input could
not be read (syntax error, missing file...) or the command line is wrong. Errors are one
message on stderr, never a traceback.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import click
from rdflib import Graph

from egov_kg import __version__
from egov_kg.errors import DataError
from egov_kg.export import FORMATS, export
from egov_kg.knowledge_graph import KnowledgeGraph
from egov_kg.knowledge_graph import load as load_knowledge_graph
from egov_kg.namespaces import ASSERTED_GRAPH, CLOSURE_GRAPH
from egov_kg.queries import QueryError, load_queries
from egov_kg.results import QueryResult
from egov_kg.table import render_table

__all__ = ["main"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


class _Failure(click.ClickException):
    """An error reported as ``Error: <message>`` on stderr with exit status 2."""

    exit_code = 2


def _describe(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror and error.filename:
        return f"{error.filename}: {error.strerror}"
    if isinstance(error, DataError | OSError | ValueError):
        return str(error)
    return f"unexpected {type(error).__name__}: {error}"


def _reported(command: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn any exception of ``command`` into a one-line error message and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return command(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:
            raise _Failure(_describe(error)) from None

    return wrapper


class _NoTracebackFormatter(logging.Formatter):
    """Log records as one line: libraries' warnings must not print tracebacks."""

    def format(self, record: logging.LogRecord) -> str:
        return f"egov-kg: {record.levelname.lower()}: {record.name}: {record.getMessage()}"


def _configure_logging() -> None:
    """Send library warnings to stderr as single lines (unless logging is set up already)."""
    if logging.root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(_NoTracebackFormatter())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


_data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of Turtle data files (default: the shipped data).",
)
_ontology_option = click.option(
    "--ontology",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="OWL ontology file (default: the shipped ontology/egov.ttl).",
)
_inferred_option = click.option(
    "--inferred", is_flag=True, help="Use the OWL 2 RL closure of the graph."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="egov-kg")
def main() -> None:
    """Load, validate and export the egov-kg knowledge graph."""
    _configure_logging()


@main.command("validate")
@_data_option
@_ontology_option
@click.option(
    "--shapes",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SHACL shapes file (default: the shipped ontology/shapes.ttl).",
)
@_inferred_option
@_reported
def validate_command(
    data_dir: Path | None, ontology: Path | None, shapes: Path | None, inferred: bool
) -> None:
    """Validate the graph against the SHACL shapes (exit 1 on any violation)."""
    from egov_kg.shapes import validate  # pyshacl is slow to import; only this command needs it

    report = validate(data_dir=data_dir, inferred=inferred, shapes=shapes, ontology=ontology)
    if report.conforms:
        click.echo(report.summary)
        for result in report.results:
            click.echo(result.line())
        return
    for result in report.results:
        click.echo(result.line())
    click.echo(report.summary)
    raise click.exceptions.Exit(1)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param expects NAME=VALUE, got {pair!r}")
        params[name.strip()] = value
    return params


_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "tsv"]),
    default="table",
    show_default=True,
    help="A readable table, or SPARQL 1.1 JSON, CSV or TSV results.",
)
_lang_option = click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default="en",
    show_default=True,
    help="Language of the labels in the table.",
)


def _emit(result: QueryResult | Graph | bool, fmt: str, lang: str, kg: KnowledgeGraph) -> None:
    if isinstance(result, bool):
        click.echo("true" if result else "false")
    elif isinstance(result, Graph):
        click.echo(result.serialize(format="turtle"), nl=False)
    elif fmt == "table":
        click.echo(render_table(result, lang, kg.asserted), nl=False)
    else:
        click.echo(result.serialize(fmt), nl=False)


@main.command("queries")
@_reported
def queries_command() -> None:
    """List the canned queries with their summaries and parameters."""
    for name, canned in sorted(load_queries().items()):
        params = ", ".join(
            f"{p.name}{'' if p.required else '?'} ({p.kind})" for p in canned.parameters
        )
        click.echo(f"{name}: {canned.summary}")
        click.echo(f"    parameters: {params or 'none'}")


@main.command("query")
@click.argument("name")
@click.option("--param", "-p", "pairs", multiple=True, help="A parameter as NAME=VALUE.")
@_format_option
@_lang_option
@_data_option
@_reported
def query_command(
    name: str, pairs: tuple[str, ...], fmt: str, lang: str, data_dir: Path | None
) -> None:
    """Run the canned query NAME (see `egov-kg queries`)."""
    kg = load_knowledge_graph(data_dir)
    _emit(kg.query(name, **_parse_params(pairs)), fmt, lang, kg)


@main.command("sparql")
@click.argument("query")
@_format_option
@_lang_option
@_data_option
@_reported
def sparql_command(query: str, fmt: str, lang: str, data_dir: Path | None) -> None:
    """Run a SPARQL query given as text, or as @FILE.rq, on the OWL-RL closure."""
    text = Path(query[1:]).read_text(encoding="utf-8") if query.startswith("@") else query
    kg = load_knowledge_graph(data_dir)
    _emit(kg.sparql(text), fmt, lang, kg)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@_inferred_option
@_data_option
@_ontology_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file, written atomically (default: stdout).",
)
@_reported
def export_command(
    fmt: str, inferred: bool, data_dir: Path | None, ontology: Path | None, output: Path | None
) -> None:
    """Write the graph (or its OWL 2 RL closure) deterministically as FORMAT."""
    kg = load_knowledge_graph(data_dir, ontology=ontology)
    graph = kg.closure if inferred else kg.asserted
    export(graph, fmt, output, graph_name=CLOSURE_GRAPH if inferred else ASSERTED_GRAPH)


@main.command("build")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("release"),
    show_default=True,
    help="Release folder, replaced atomically.",
)
@_data_option
@_reported
def build_command(out_dir: Path, data_dir: Path | None) -> None:
    """Validate, infer and write the release files (exit 1 on any violation)."""
    from egov_kg.release import NonConformingGraphError, build  # imports pyshacl and owlrl

    try:
        report = build(out_dir, data_dir=data_dir)
    except NonConformingGraphError as error:
        for line in error.lines:
            click.echo(line, err=True)
        click.echo(f"{error.report.summary}; the release was not written", err=True)
        raise click.exceptions.Exit(1) from None
    click.echo(report.validation.summary)
    for line in report.validation.lines:
        click.echo(line)
    click.echo(report.text)
