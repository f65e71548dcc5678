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

from egov_kg import __version__
from egov_kg.errors import DataError
from egov_kg.export import FORMATS, export
from egov_kg.graph import load
from egov_kg.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from egov_kg.reasoning import infer
from egov_kg.shapes import validate

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
    graph = load(data_dir, ontology=ontology)
    if inferred:
        graph = infer(graph)
    export(graph, fmt, output, graph_name=INFERRED_GRAPH if inferred else ASSERTED_GRAPH)
