"""The ``egov-kg`` command: a thin shell over the Python API.

Exit status: 0 success (the graph conforms), 1 the graph does not conform, 2 the input could
not be read (syntax error, missing file...) or the command line is wrong. Errors are one
message on stderr, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

import click

from egov_kg.errors import DataError
from egov_kg.formats import FORMATS
from egov_kg.knowledge_graph import load as load_knowledge_graph
from egov_kg.queries import QueryError, load_queries
from egov_kg.results import QueryResult
from egov_kg.table import render_table

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

# Commands import rdflib, owlrl and pyshacl themselves, only when they need them: `query`
# answers from the cached Oxigraph store and imports none of them.

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


def _configure_logging() -> None:
    """Send library warnings to stderr as single lines (unless logging is set up already)."""
    import logging  # here: `query` imports no library that logs, and skips its 30 ms

    class NoTracebackFormatter(logging.Formatter):
        """Log records as one line: libraries' warnings must not print tracebacks."""

        def format(self, record: logging.LogRecord) -> str:
            return f"egov-kg: {record.levelname.lower()}: {record.name}: {record.getMessage()}"

    if logging.root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(NoTracebackFormatter())
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


@contextlib.contextmanager
def _time_limit(seconds: float, what: str) -> Iterator[None]:
    """Exit with status 2 and a one-line error if the body runs past ``seconds``.

    A command answers one query and ends, so at its limit the whole process can end: no
    child process is forked for it (as :func:`egov_kg.limits.run_bounded` does for the API),
    which saves importing multiprocessing and a fork on every query. pyoxigraph releases the
    GIL while it evaluates a query, so the timer thread runs on time.
    """

    def stop() -> None:
        sys.stderr.write(f"Error: {what} was stopped after {seconds:g} s, its time limit\n")
        sys.stderr.flush()
        os._exit(2)

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


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


# Commands that import no library that logs (pyoxigraph does not use logging).
_QUIET_COMMANDS = frozenset({"query", "queries"})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "--version", package_name="egov-kg", prog_name="egov-kg")
def main() -> None:
    """Load, validate and export the egov-kg knowledge graph."""
    if click.get_current_context().invoked_subcommand not in _QUIET_COMMANDS:
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
@click.option(
    "--engine",
    type=click.Choice(["pyshacl", "turbo"]),
    default="pyshacl",
    show_default=True,
    help="pyshacl, the reference, or pyshacl-turbo (the 'fast' extra): same verdict, faster.",
)
@_reported
def validate_command(
    data_dir: Path | None,
    ontology: Path | None,
    shapes: Path | None,
    inferred: bool,
    engine: Literal["pyshacl", "turbo"],
) -> None:
    """Validate the graph against the SHACL shapes (exit 1 on any violation)."""
    from egov_kg.shapes import validate  # pyshacl is slow to import; only this command needs it

    report = validate(
        data_dir=data_dir, inferred=inferred, shapes=shapes, ontology=ontology, engine=engine
    )
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


def _emit(result: QueryResult | Graph | bool, fmt: str, lang: str) -> None:
    if isinstance(result, bool):
        click.echo("true" if result else "false")
    elif not isinstance(result, QueryResult):  # a CONSTRUCT or DESCRIBE graph
        click.echo(result.serialize(format="turtle"), nl=False)
    elif fmt == "table":
        click.echo(render_table(result, lang), nl=False)
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


_timeout_option = click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0.1, 86_400),
    help="Seconds the query may run before it is stopped (with --endpoint: to wait for it).",
)


@main.command("query")
@click.argument("name")
@click.option("--param", "-p", "pairs", multiple=True, help="A parameter as NAME=VALUE.")
@_format_option
@_lang_option
@_data_option
@_timeout_option
@click.option(
    "--endpoint",
    default=None,
    metavar="URL",
    help="Run on this remote SPARQL endpoint (see `egov-kg push`) instead of in memory.",
)
@click.option(
    "--graph",
    default=None,
    metavar="IRI",
    help="With --endpoint: the named graph pushed (default: the closure's graph).",
)
@_reported
def query_command(
    name: str,
    pairs: tuple[str, ...],
    fmt: str,
    lang: str,
    data_dir: Path | None,
    endpoint: str | None,
    graph: str | None,
    timeout: float,
) -> None:
    """Run the canned query NAME (see `egov-kg queries`)."""
    params = _parse_params(pairs)
    if endpoint is None:
        if graph is not None:
            raise click.UsageError("--graph needs --endpoint")
        kg = load_knowledge_graph(data_dir)
        kg.store  # noqa: B018 - read or built before the time limit starts
        with _time_limit(timeout, f"query '{name}'"):
            result = kg.run_query(name, params)
        _emit(result, fmt, lang)
        return
    if data_dir is not None:
        raise click.UsageError("--data and --endpoint exclude each other")
    remote = _extra("remote", "egov_kg.remote")
    from egov_kg.iris import CLOSURE_GRAPH_IRI

    with remote.RemoteGraph(endpoint, graph=graph or CLOSURE_GRAPH_IRI, timeout=timeout) as store:
        _emit(store.query(name, **params), fmt, lang)


def _extra(extra: str, module: str) -> Any:
    """Import ``module``, which needs the optional dependencies of ``extra``."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise _Failure(
            f"this command needs the '{extra}' extra ({error.name} is missing): "
            f"pip install 'egov-kg[{extra}]'"
        ) from None


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@_data_option
@click.option(
    "--release",
    "release_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="A folder written by `egov-kg build`, offered for download.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Queries that can run at once (one process each).",
)
@click.option(
    "--time-limit",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="Seconds a query may run before it is stopped.",
)
@click.option(
    "--max-results",
    default=10_000,
    show_default=True,
    type=click.IntRange(1),
    help="Rows or triples an answer may have.",
)
@click.option(
    "--max-body",
    default=65_536,
    show_default=True,
    type=click.IntRange(1),
    help="Largest request body accepted, in bytes.",
)
@click.option(
    "--memory-limit",
    default=2048,
    show_default=True,
    type=click.IntRange(0),
    help="Address space of each query worker in MiB (0: no limit).",
)
@_reported
def serve_command(
    host: str,
    port: int,
    data_dir: Path | None,
    release_dir: Path | None,
    workers: int,
    time_limit: float,
    max_results: int,
    max_body: int,
    memory_limit: int,
) -> None:
    """Serve the SPARQL endpoint, the canned-query API and the linked-data pages."""
    server = _extra("server", "egov_kg.server")
    from egov_kg.workers import Limits

    settings = server.ServerSettings(
        data_dir=data_dir,
        release_dir=release_dir,
        workers=workers,
        limits=Limits(time_limit=time_limit, max_results=max_results, memory_mib=memory_limit),
        max_body=max_body,
    )
    server.serve(host, port, settings)


@main.command("push")
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store's Graph Store Protocol URL (Oxigraph: http://HOST:7878/store).",
)
@click.option(
    "--graph",
    default=None,
    metavar="IRI",
    help="The named graph to replace (default: .../graph/closure with --inferred, "
    "else .../graph/asserted).",
)
@click.option(
    "--update-endpoint",
    default=None,
    metavar="URL",
    help="The store's SPARQL Update URL (default: beside --endpoint for Oxigraph, Fuseki "
    "and GraphDB); without one, a change that removes triples is a PUT of the whole graph.",
)
@_inferred_option
@_data_option
@_reported
def push_command(
    endpoint: str,
    graph: str | None,
    update_endpoint: str | None,
    inferred: bool,
    data_dir: Path | None,
) -> None:
    """Replace a named graph of a SPARQL store with the graph (and its search keys)."""
    remote = _extra("remote", "egov_kg.remote")
    report = remote.push(
        endpoint,
        graph=graph,
        inferred=inferred,
        data_dir=data_dir,
        update_endpoint=update_endpoint,
    )
    click.echo(report.text)


@main.command("sparql")
@click.argument("query")
@_format_option
@_lang_option
@_data_option
@_timeout_option
@click.option(
    "--limit",
    default=10_000,
    show_default=True,
    type=click.IntRange(0),
    help="Rows to print at most; a note on stderr says when more were left out.",
)
@_reported
def sparql_command(
    query: str, fmt: str, lang: str, data_dir: Path | None, timeout: float, limit: int
) -> None:
    """Run a SPARQL query given as text, or as @FILE.rq, on the OWL-RL closure.

    Updates, SERVICE and FROM naming anything but an egov-kg graph are refused.
    """
    text = Path(query[1:]).read_text(encoding="utf-8") if query.startswith("@") else query
    kg = load_knowledge_graph(data_dir)
    kg.store  # noqa: B018 - read or built before the time limit starts
    with _time_limit(timeout, "the query"):
        answer = kg.sparql(text, limit=limit)
    _emit(answer, fmt, lang)
    if isinstance(answer, QueryResult) and answer.truncated:
        click.echo(
            f"egov-kg: note: the answer was truncated to its first {limit} rows (--limit)",
            err=True,
        )


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
    kg.export(fmt, output, inferred=inferred)


@main.command("draw")
@click.argument("kind", metavar="org-chart|timeline|rankings")
@click.option(
    "--lang", default="ja", show_default=True, metavar="ja|en", help="Language of the labels."
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="A day (YYYY-MM-DD): the org chart on that day, the timeline up to it.",
)
@click.option(
    "--format",
    "fmt",
    default=None,
    metavar="svg|png|dot|mermaid",
    help="Output format (default: from the suffix of -o, else svg).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file, written atomically (default: stdout).",
)
@click.option(
    "--max-marks",
    "max_marks",
    type=int,
    default=100,
    show_default=True,
    metavar="N",
    help="The most bodies (org chart) or events (timeline) to show; 0: every one.",
)
@_data_option
@_reported
def draw_command(
    kind: str,
    lang: str,
    as_of: str | None,
    fmt: str | None,
    output: Path | None,
    max_marks: int,
    data_dir: Path | None,
) -> None:
    """Draw KIND from the canned queries: the org chart, the timeline or the rankings."""
    from egov_kg.drawing import check_arguments, draw, format_for, write

    chosen = format_for(output, fmt)
    bound = max_marks or None
    # before loading the graph
    check_arguments(kind, lang=lang, as_of=as_of, fmt=chosen, max_marks=bound)
    kg = load_knowledge_graph(data_dir)
    if output is not None:
        write(kg, kind, output, lang=lang, as_of=as_of, fmt=chosen, max_marks=bound)
        return
    picture = draw(kg, kind, lang=lang, as_of=as_of, fmt=chosen, max_marks=bound)
    if isinstance(picture, str):
        click.echo(picture, nl=False)
    else:
        import sys

        sys.stdout.buffer.write(picture)
        sys.stdout.buffer.flush()


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


@main.command("synth")
@click.option(
    "--triples",
    type=click.IntRange(min=1),
    required=True,
    help="Size of the graph to make: shipped data plus synthetic triples (within 10%).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the Turtle files into (usable as --data).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random dates.")
@_reported
def synth_command(triples: int, out_dir: Path, seed: int) -> None:
    """Write the shipped data grown into a synthetic national graph (for benchmarks)."""
    from egov_kg.synth import write_synthetic

    for path in write_synthetic(triples, out_dir, seed=seed):
        click.echo(path)
