"""Worker processes that answer the server's queries, each one stoppable at any time.

pyoxigraph cannot cancel a running query, and a thread cannot be stopped, so the server
sends every query to one of a few worker processes (:class:`QueryPool`), each holding the
knowledge graph loaded with :func:`egov_kg.load`. A query that runs past the time limit gets
its worker killed and replaced; a worker's memory is capped (``RLIMIT_AS``), and an answer
larger than the result-size limit is refused rather than cut short.

The jobs a worker runs (``run_canned``, ``run_sparql``, ``describe_resource``...) use only
the public API (:meth:`~egov_kg.knowledge_graph.KnowledgeGraph.query` and
:meth:`~egov_kg.knowledge_graph.KnowledgeGraph.sparql`) and answer plain, picklable values.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from egov_kg.binding import bind_values
from egov_kg.engine import ResultLimitError
from egov_kg.iris import PREFIX_IRIS
from egov_kg.media import GRAPH_TYPES, HTML, RESULT_TYPES, negotiate, serialize_results
from egov_kg.pages import PropertyValues, ResourcePage, row_value
from egov_kg.queries import ParameterError, QueryError, UnknownQueryError
from egov_kg.query_guard import RefusedQueryError, check_query
from egov_kg.resources import templates_dir
from egov_kg.results import QueryResult

if TYPE_CHECKING:  # pragma: no cover
    from egov_kg.knowledge_graph import KnowledgeGraph

__all__ = [
    "Answer",
    "JobError",
    "Limits",
    "QueryPool",
    "describe_resource",
    "figures",
    "resource_document",
    "run_canned",
    "run_sparql",
]


@dataclass(frozen=True)
class Limits:
    """What one query may use.

    Attributes:
        time_limit: seconds a query may run before its worker is killed.
        max_results: rows (SELECT) or triples (CONSTRUCT, DESCRIBE) an answer may have.
        memory_mib: address space of each worker process, in MiB (0: no limit).
        queue_time: seconds a request may wait for a free worker (while others run, or a
            stopped one is replaced) before the server answers that it is busy.
    """

    time_limit: float = 10.0
    max_results: int = 10_000
    memory_mib: int = 2048
    queue_time: float = 30.0


class JobError(Exception):
    """A job could not answer; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Context:
    """What a worker process holds: the graph, the limits, and caches."""

    kg: KnowledgeGraph
    limits: Limits
    labels: dict[str, dict[str, str]] | None = None


# --- jobs (run inside a worker) -----------------------------------------------------------


@cache
def _server_query(name: str) -> str:
    return (templates_dir() / name).read_text(encoding="utf-8")


def _too_large(limits: Limits, what: str) -> JobError:
    return JobError(
        400,
        f"the answer has more {what} than this server's limit of {limits.max_results}; "
        "narrow the query or add a LIMIT",
    )


def run_canned(context: _Context, name: str, params: Mapping[str, str]) -> QueryResult:
    """The rows of the canned query ``name`` with ``params``, as :meth:`KnowledgeGraph.query`.

    At most one row more than the limit is read; an answer over the limit is refused,
    never cut short.
    """
    result = context.kg.run_query(name, params, limit=context.limits.max_results)
    if result.truncated:
        raise _too_large(context.limits, "rows")
    return result


@dataclass(frozen=True)
class Answer:
    """The answer of a free SPARQL query, serialized for one media type.

    Attributes:
        form: SELECT, ASK, CONSTRUCT or DESCRIBE.
        media_type: the negotiated media type of ``body``.
        body: the serialized answer (for HTML: Turtle of a graph, else empty).
        result: the rows of a SELECT query (for HTML).
        boolean: the answer of an ASK query.
    """

    form: str
    media_type: str
    body: bytes
    result: QueryResult | None = None
    boolean: bool | None = None


_RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


def run_sparql(context: _Context, text: str, accept: str) -> Answer:
    """Check and run a free query on the closure, answering in the media type ``accept`` asks.

    The answer is read lazily and refused as soon as it passes the size limit, so a huge
    answer is never built first.

    Raises:
        JobError: refused (400), not acceptable (406), or too large (400).
    """
    form = check_query(text)
    graph_answer = form in ("CONSTRUCT", "DESCRIBE")
    offered: tuple[str, ...] = GRAPH_TYPES if graph_answer else RESULT_TYPES
    if form == "ASK":
        offered = tuple(t for t in offered if t not in ("text/csv", "text/tab-separated-values"))
    media_type = negotiate(accept, offered)
    if media_type is None:
        raise JobError(
            406, f"cannot answer a {form} query as {accept}; offered: {', '.join(offered)}"
        )
    try:
        answer = context.kg.sparql(text, limit=context.limits.max_results)
    except ResultLimitError:
        raise _too_large(context.limits, "triples") from None
    if isinstance(answer, bool):
        body = b"" if media_type == HTML else serialize_results(answer, media_type)
        return Answer(form, media_type, body, boolean=answer)
    if isinstance(answer, QueryResult):
        if answer.truncated:
            raise _too_large(context.limits, "rows")
        body = b"" if media_type == HTML else serialize_results(answer, media_type)
        return Answer(form, media_type, body, result=answer)
    from egov_kg.serialization import serialize

    fmt = "turtle" if media_type == HTML else _RDF_FORMATS[media_type]
    return Answer(form, media_type, serialize(answer, fmt))


def figures(context: _Context) -> dict[str, int]:
    """The VoID figures of the served graph (the closure): triples, entities, classes..."""
    answer = context.kg.sparql(_server_query("figures.rq"))
    assert isinstance(answer, QueryResult)
    row = answer.rows[0]
    return {name: int(row[name]) for name in answer.variables}


def _labels(context: _Context) -> dict[str, dict[str, str]]:
    """Every IRI's label per language: ``skos:prefLabel``, else ``rdfs:label``."""
    if context.labels is None:
        answer = context.kg.sparql(_server_query("labels.rq"))
        assert isinstance(answer, QueryResult)
        labels: dict[str, dict[str, str]] = {}
        for row in answer.rows:  # prefLabel rows come first
            labels.setdefault(str(row["term"]), {}).setdefault(row["label"].lang, str(row["label"]))
        context.labels = labels
    return context.labels


_PROVENANCE_PROPERTIES = frozenset(
    {
        PREFIX_IRIS["prov"] + "wasDerivedFrom",
        PREFIX_IRIS["dcterms"] + "source",
        PREFIX_IRIS["egov"] + "basis",
        PREFIX_IRIS["egov"] + "confidence",
    }
)
_RDF_TYPE = PREFIX_IRIS["rdf"] + "type"


def _grouped(
    rows: list[tuple[str, Any]], labels: Mapping[str, Mapping[str, str]]
) -> list[PropertyValues]:
    groups: dict[str, PropertyValues] = {}
    for prop, value in rows:
        group = groups.setdefault(prop, PropertyValues(row_value(_uri(prop), labels)))
        group.values.append(row_value(value, labels))
    return list(groups.values())


def _uri(iri: str) -> Any:
    from rdflib import URIRef  # rows hold rdflib IRIs; so does this

    return URIRef(iri)


def describe_resource(context: _Context, iri: str) -> ResourcePage:
    """The page of the resource ``iri``: labels, properties, incoming links, provenance.

    Raises:
        JobError: 404 when the graph does not mention ``iri``.
    """
    kg = context.kg
    try:
        described = kg.query("describe", resource=iri).rows
    except ParameterError as error:
        raise JobError(404, str(error)) from None
    if not described:
        raise JobError(404, f"no resource <{iri}> in the graph")
    labels = _labels(context)
    out = [(str(r["property"]), r["value"]) for r in described if r["direction"] == "out"]
    incoming = [(str(r["property"]), r["value"]) for r in described if r["direction"] == "in"]
    claims = [
        {
            column: row_value(row[column], labels)
            for column in ("property", "value", "adopted", "claim", "source", "basis", "confidence")
        }
        for row in kg.query("provenance", resource=iri).rows
        if row["claim"] is not None
    ]
    return ResourcePage(
        resource=row_value(_uri(iri), labels),
        types=[row_value(value, labels) for prop, value in out if prop == _RDF_TYPE],
        properties=_grouped(
            [(p, v) for p, v in out if p != _RDF_TYPE and p not in _PROVENANCE_PROPERTIES], labels
        ),
        incoming=_grouped(incoming, labels),
        sources=_grouped([(p, v) for p, v in out if p in _PROVENANCE_PROPERTIES], labels),
        claims=claims,
    )


def resource_document(context: _Context, iri: str, fmt: str) -> bytes:
    """The triples of the closure about ``iri`` (both directions) as ``fmt``.

    Raises:
        JobError: 404 when the graph does not mention ``iri``.
    """
    from egov_kg.serialization import serialize

    graph = context.kg.sparql(
        bind_values(_server_query("resource.rq"), {"resource": ox.NamedNode(iri)})
    )
    if isinstance(graph, bool | QueryResult) or len(graph) == 0:
        raise JobError(404, f"no resource <{iri}> in the graph")
    return serialize(graph, fmt)


# --- the worker process ------------------------------------------------------------------


def _limit_memory(mib: int) -> None:
    if mib <= 0:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    limit = mib * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _status(error: Exception) -> int:
    if isinstance(error, JobError):
        return error.status
    if isinstance(error, UnknownQueryError):
        return 404
    if isinstance(error, QueryError | RefusedQueryError | ValueError):
        return 400
    return 500


def _worker_main(connection: Connection, data_dir: str | None, limits: Limits) -> None:
    """Load the graph, then answer jobs from ``connection`` until it closes."""
    import egov_kg

    try:
        kg = egov_kg.load(data_dir)
        kg.sparql("ASK {}")  # read the query store now, not during the first query
        _limit_memory(limits.memory_mib)
    except Exception as error:  # noqa: BLE001 - reported to the server, which stops
        connection.send(("failed", f"{type(error).__name__}: {error}"))
        return
    context = _Context(kg, limits)
    connection.send(("ready", None))
    while True:
        try:
            job, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[Any, ...] = ("ok", job(context, *args))
        except MemoryError:
            reply = ("error", 503, "the query needs more memory than this server allows")
        except Exception as error:  # noqa: BLE001 - every error goes back as a message
            message = error.message if isinstance(error, JobError) else str(error)
            if _status(error) == 500:
                message = f"unexpected {type(error).__name__}: {error}"
            reply = ("error", _status(error), message)
        try:
            connection.send(reply)
        except (OSError, ValueError):
            return


class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, data_dir: Path | None, limits: Limits) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_worker_main,
            args=(child, None if data_dir is None else str(data_dir), limits),
            daemon=True,
            name="egov-kg-query-worker",
        )
        self.process.start()
        child.close()
        status, detail = self.connection.recv()
        if status != "ready":
            self.stop()
            raise RuntimeError(f"a query worker could not load the graph: {detail}")

    def call(self, job: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Any:
        """Run ``job`` in the worker; raise :class:`JobError` on an error or a timeout."""
        try:
            self.connection.send((job, args))
            if not self.connection.poll(timeout):
                raise _Stopped(
                    f"the query was stopped after {timeout:g} s, this server's time limit"
                )
            reply = self.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise _Stopped(
                "the query stopped its worker (it may have needed too much memory)"
            ) from None
        if reply[0] == "ok":
            return reply[1]
        raise JobError(reply[1], reply[2])

    def stop(self) -> None:
        """Kill the process (it may be running a query) and wait for it."""
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)


class _Stopped(JobError):
    """The worker was stopped (time limit, or it died); the server answers 503."""

    def __init__(self, message: str) -> None:
        super().__init__(503, message)


class QueryPool:
    """A fixed number of worker processes, each answering one job at a time.

    Args:
        size: how many queries can run at once.
        data_dir: the data folder the workers load (default: the shipped data).
        limits: the time, size and memory limits of each query.
    """

    def __init__(self, size: int, data_dir: Path | None, limits: Limits) -> None:
        if size < 1:
            raise ValueError("a query pool needs at least one worker")
        self.size = size
        self.data_dir = data_dir
        self.limits = limits
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._available = threading.Semaphore(0)
        self._closed = False

    def start(self) -> None:
        """Start every worker and wait until each has loaded the graph."""
        for _ in range(self.size):
            self._release(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self.data_dir, self.limits)
        with self._lock:
            self._all.add(worker)
        return worker

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)
        self._available.release()

    def run(self, job: Callable[..., Any], *args: Any) -> Any:
        """Run ``job(context, *args)`` in a free worker, blocking (call it from a thread).

        Raises:
            JobError: the job's error (4xx), or 503 when the query was stopped or every
                worker stayed busy for the whole queue time.
        """
        if self._closed or not self._available.acquire(timeout=self.limits.queue_time):
            raise JobError(503, "the server is busy: every query worker is taken; try again")
        with self._lock:
            worker = self._idle.pop()
        try:
            value = worker.call(job, args, self.limits.time_limit)
        except _Stopped:
            self._replace(worker)
            raise
        except BaseException:
            self._release(worker)
            raise
        self._release(worker)
        return value

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._all.discard(worker)
        if not self._closed:
            self._release(self._spawn())

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        for worker in workers:
            worker.stop()
