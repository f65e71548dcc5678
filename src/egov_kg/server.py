"""``egov-kg serve``: a read-only SPARQL endpoint, the canned queries as a web API, and pages.

Routes (see the README for the details):

- ``/``: the home page: the dataset, its VoID figures, a form per canned query, a SPARQL
  form and the release downloads (``/release/FILE``, when started with a release folder);
- ``/sparql``: the SPARQL 1.1 Protocol (GET, POST form, POST direct), read-only; without a
  query, the SPARQL 1.1 service description;
- ``/api/NAME``: each canned query, its parameters in the query string; ``/openapi.json``
  describes them;
- ``/id/...``: every resource, ``/ontology`` and ``/shapes``: HTML for a browser, Turtle,
  JSON-LD, N-Triples or RDF/XML for a client, by content negotiation (answered directly,
  with ``Vary: Accept``; ``?format=`` overrides the header).

Every query runs in a worker process (:mod:`egov_kg.workers`) that is killed when it passes
the time limit. Requests and answers are bounded; errors are one readable message.
"""

from __future__ import annotations

import contextlib
import functools
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from egov_kg import __version__
from egov_kg.iris import CLOSURE_GRAPH_IRI, ID_BASE
from egov_kg.media import (
    CSV,
    GRAPH_TYPES,
    HTML,
    JSON_LD,
    N_TRIPLES,
    RDF_XML,
    RESULT_TYPES,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    TURTLE,
    negotiate,
    serialize_results,
)
from egov_kg.openapi import openapi_document
from egov_kg.pages import OntologyPage, Shape, href, ontology_page, row_value, shapes_page
from egov_kg.query_guard import RefusedQueryError, check_dataset_iri
from egov_kg.resources import ontology_file, shapes_file, templates_dir
from egov_kg.workers import (
    Answer,
    JobError,
    Limits,
    QueryPool,
    describe_resource,
    figures,
    resource_document,
    run_canned,
    run_sparql,
)

if TYPE_CHECKING:  # pragma: no cover
    from rdflib import Graph

__all__ = ["ServerSettings", "create_app", "serve"]

_RDF_FORMATS: Mapping[str, str] = {
    TURTLE: "turtle",
    JSON_LD: "jsonld",
    N_TRIPLES: "nt",
    RDF_XML: "xml",
}
_RESULT_FORMATS: Mapping[str, str] = {
    "json": SPARQL_JSON,
    "xml": SPARQL_XML,
    "csv": CSV,
    "tsv": TSV,
    "html": HTML,
}
"""The values of ``?format=`` on ``/api/NAME``."""
_GRAPH_FORMATS: Mapping[str, str] = {
    "html": HTML,
    "ttl": TURTLE,
    "turtle": TURTLE,
    "jsonld": JSON_LD,
    "json-ld": JSON_LD,
    "nt": N_TRIPLES,
    "ntriples": N_TRIPLES,
    "rdf": RDF_XML,
    "xml": RDF_XML,
}
"""The values of ``?format=`` on ``/id/...``, ``/ontology`` and ``/shapes``."""
_RELEASE_TYPES: Mapping[str, str] = {
    ".ttl": TURTLE,
    ".nt": N_TRIPLES,
    ".jsonld": JSON_LD,
    ".trig": "application/trig",
}


@dataclass(frozen=True)
class ServerSettings:
    """How ``egov-kg serve`` runs.

    Attributes:
        data_dir: the data folder (default: the shipped data).
        release_dir: a folder written by ``egov-kg build``, offered for download.
        workers: how many queries can run at once (one process each).
        limits: time, result-size and memory limits of each query.
        max_body: the largest request body accepted, in bytes.
    """

    data_dir: Path | None = None
    release_dir: Path | None = None
    workers: int = 2
    limits: Limits = field(default_factory=Limits)
    max_body: int = 64 * 1024


class _BodyLimit:
    """Refuse a request body larger than ``limit`` bytes with 413, before the app reads it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if len(body) > self.limit:
                await self._refuse(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = PlainTextResponse(
            f"Error: the request body is larger than this server's limit of {self.limit} bytes\n",
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


@dataclass
class _State:
    """What the running server holds."""

    settings: ServerSettings
    pool: QueryPool
    queries: Mapping[str, Any]
    templates: Jinja2Templates
    ontology: OntologyPage
    shapes: list[Shape]
    graphs: dict[str, Graph]
    documents: dict[tuple[str, str], bytes]
    figures: dict[str, int] | None = None

    @classmethod
    def start(cls, settings: ServerSettings) -> _State:
        import egov_kg
        from egov_kg.graph import load_ontology, parse_file

        kg = egov_kg.load(settings.data_dir)
        kg.sparql("ASK {}")  # compute (or read) the cached store once, before the workers
        ontology = load_ontology()
        shapes, _ = parse_file(shapes_file())
        pool = QueryPool(settings.workers, settings.data_dir, settings.limits)
        pool.start()
        templates = Jinja2Templates(directory=str(templates_dir()))
        templates.env.filters["href"] = href
        templates.env.globals["version"] = __version__
        return cls(
            settings=settings,
            pool=pool,
            queries=kg.queries,
            templates=templates,
            ontology=ontology_page(ontology),
            shapes=shapes_page(shapes, ontology),
            graphs={"ontology": ontology, "shapes": shapes},
            # Turtle is the shipped file itself; other formats are written on first use.
            documents={
                ("ontology", "turtle"): ontology_file().read_bytes(),
                ("shapes", "turtle"): shapes_file().read_bytes(),
            },
        )

    async def document(self, name: str, fmt: str) -> bytes:
        """The ontology or the shapes as ``fmt`` (written once, deterministically)."""
        if (name, fmt) not in self.documents:
            from egov_kg.serialization import serialize

            data = await anyio.to_thread.run_sync(serialize, self.graphs[name], fmt)
            self.documents[name, fmt] = data
        return self.documents[name, fmt]

    async def run(self, job: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(functools.partial(self.pool.run, job, *args))


def _state(request: Request) -> _State:
    state: _State = request.app.state.egov
    return state


def _error(request: Request, status: int, message: str) -> Response:
    """A readable error: an HTML page for a browser, else one line of text."""
    message = " ".join(message.split())
    if negotiate(request.headers.get("accept"), ("text/plain", HTML)) == HTML:
        state = _state(request)
        return state.templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )
    return PlainTextResponse(f"Error: {message}\n", status_code=status)


def _chosen(request: Request, offered: tuple[str, ...]) -> str | None:
    """The media type to answer in: ``?format=`` if given, else the Accept header's choice."""
    name = request.query_params.get("format")
    if name is not None:
        names = _RESULT_FORMATS if offered == RESULT_TYPES else _GRAPH_FORMATS
        return names.get(name.lower())
    return negotiate(request.headers.get("accept"), offered)


def _not_acceptable(request: Request, offered: tuple[str, ...]) -> Response:
    return _error(
        request, 406, f"no acceptable media type; this resource offers {', '.join(offered)}"
    )


# --- home page, release files, OpenAPI -------------------------------------------------------


def _release_files(settings: ServerSettings) -> list[dict[str, Any]]:
    from egov_kg.release import RELEASE_FILES

    folder = settings.release_dir
    if folder is None:
        return []
    return [
        {"name": name, "size": (folder / name).stat().st_size}
        for name in RELEASE_FILES
        if (folder / name).is_file()
    ]


async def home(request: Request) -> Response:
    state = _state(request)
    if state.figures is None:
        try:
            state.figures = await state.run(figures)
        except JobError as error:
            return _error(request, error.status, error.message)
    return state.templates.TemplateResponse(
        request,
        "home.html",
        {
            "figures": state.figures,
            "queries": [state.queries[name] for name in sorted(state.queries)],
            "release": _release_files(state.settings),
            "release_dir": state.settings.release_dir,
            "limits": state.settings.limits,
        },
    )


async def release_file(request: Request) -> Response:
    from egov_kg.release import RELEASE_FILES

    state = _state(request)
    name = request.path_params["name"]
    folder = state.settings.release_dir
    if folder is None or name not in RELEASE_FILES or not (folder / name).is_file():
        return _error(request, 404, f"no release file {name!r} on this server")
    media_type = _RELEASE_TYPES.get(Path(name).suffix, TURTLE)
    return FileResponse(folder / name, media_type=media_type)


async def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document(_state(request).queries))


# --- canned queries ------------------------------------------------------------------------


async def canned(request: Request) -> Response:
    state = _state(request)
    name = request.path_params["name"]
    query = state.queries.get(name)
    if query is None:
        return _error(request, 404, f"no canned query '{name}'; see /openapi.json")
    media_type = _chosen(request, RESULT_TYPES)
    if media_type is None:
        return _not_acceptable(request, RESULT_TYPES)
    params = {key: value for key, value in request.query_params.items() if key != "format"}
    try:
        result = await state.run(run_canned, name, params)
    except JobError as error:
        if media_type == HTML and error.status == 400:
            return _query_page(request, query, params, None, error.message)
        return _error(request, error.status, error.message)
    if media_type == HTML:
        return _query_page(request, query, params, result, None)
    return Response(serialize_results(result, media_type), media_type=media_type)


def _table(result: Any) -> dict[str, Any]:
    return {
        "variables": list(result.variables),
        "rows": [[row_value(row[name]) for name in result.variables] for row in result.rows],
    }


def _query_page(
    request: Request, query: Any, params: Mapping[str, str], result: Any, error: str | None
) -> Response:
    state = _state(request)
    links = {
        label: f"{request.url.path}?{urllib.parse.urlencode({**params, 'format': fmt})}"
        for label, fmt in (("JSON", "json"), ("XML", "xml"), ("CSV", "csv"), ("TSV", "tsv"))
    }
    return state.templates.TemplateResponse(
        request,
        "query.html",
        {
            "query": query,
            "params": params,
            "table": None if result is None else _table(result),
            "error": error,
            "links": links,
        },
        status_code=400 if error else 200,
    )


# --- the SPARQL endpoint ---------------------------------------------------------------------


async def _sparql_request(request: Request) -> tuple[str | None, list[str], list[str]]:
    """The query text and dataset IRIs of a SPARQL Protocol request.

    Raises:
        RefusedQueryError: an update, an unsupported body, or text that is not UTF-8.
    """
    fields = list(request.query_params.multi_items())
    query: str | None = None
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            body = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise RefusedQueryError("the request body is not UTF-8 text") from None
        if content_type == "application/x-www-form-urlencoded":
            fields += urllib.parse.parse_qsl(body, keep_blank_values=True)
        elif content_type == "application/sparql-query":
            query = body
        elif content_type == "application/sparql-update":
            raise RefusedQueryError("SPARQL Update is refused: this endpoint is read-only")
        else:
            raise RefusedQueryError(
                f"unsupported Content-Type {content_type or '(none)'!r}: send "
                "application/x-www-form-urlencoded or application/sparql-query"
            )
    if any(key in ("update", "using-graph-uri", "using-named-graph-uri") for key, _ in fields):
        raise RefusedQueryError("SPARQL Update is refused: this endpoint is read-only")
    texts = [value for key, value in fields if key == "query"]
    if len(texts) > 1 or (texts and query is not None):
        raise RefusedQueryError("give one query, not several")
    if texts:
        query = texts[0]
    defaults = [value for key, value in fields if key == "default-graph-uri"]
    named = [value for key, value in fields if key == "named-graph-uri"]
    return query, defaults, named


def _check_dataset(defaults: list[str], named: list[str]) -> None:
    for iri in defaults:
        check_dataset_iri(iri)
        if iri != CLOSURE_GRAPH_IRI:
            raise RefusedQueryError(
                f"<{iri}>: this endpoint serves one graph, <{CLOSURE_GRAPH_IRI}>"
            )
    for iri in named:
        check_dataset_iri(iri)
        raise RefusedQueryError(f"<{iri}>: this endpoint has no named graphs")


def _service_description(request: Request, media_type: str) -> bytes:
    """The service description, its relative IRIs resolved against the endpoint's URL."""
    from rdflib import Graph

    from egov_kg.serialization import serialize

    endpoint = str(request.url.replace(query="", fragment=""))
    try:
        ox.NamedNode(endpoint)
    except ValueError:
        endpoint = "http://localhost/sparql"  # a Host header that makes no IRI
    graph = Graph(bind_namespaces="none")
    graph.parse(templates_dir() / "service-description.ttl", format="turtle", publicID=endpoint)
    return serialize(graph, _RDF_FORMATS[media_type])


async def sparql(request: Request) -> Response:
    state = _state(request)
    try:
        query, defaults, named = await _sparql_request(request)
        _check_dataset(defaults, named)
    except RefusedQueryError as error:
        return _error(request, 400, str(error))
    if query is None or not query.strip():
        media_type = negotiate(request.headers.get("accept"), GRAPH_TYPES)
        if media_type is None:
            return _not_acceptable(request, GRAPH_TYPES)
        if media_type == HTML:
            description = _service_description(request, TURTLE).decode()
            return state.templates.TemplateResponse(
                request, "sparql.html", {"query": "", "description": description}
            )
        return Response(_service_description(request, media_type), media_type=media_type)
    accept = request.headers.get("accept") or ""
    try:
        answer: Answer = await state.run(run_sparql, query, accept)
    except JobError as error:
        if error.status == 400 and negotiate(accept, ("text/plain", HTML)) == HTML:
            return state.templates.TemplateResponse(
                request, "sparql.html", {"query": query, "error": error.message}, status_code=400
            )
        return _error(request, error.status, error.message)
    if answer.media_type != HTML:
        return Response(answer.body, media_type=answer.media_type)
    return state.templates.TemplateResponse(
        request,
        "sparql.html",
        {
            "query": query,
            "answer": answer,
            "table": None if answer.result is None else _table(answer.result),
            "turtle": answer.body.decode() if answer.form in ("CONSTRUCT", "DESCRIBE") else None,
        },
    )


# --- linked-data pages -----------------------------------------------------------------------


def _negotiated(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """``endpoint``, its answers marked as depending on the Accept header (``Vary: Accept``)."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        response = await endpoint(request)
        response.headers["Vary"] = "Accept"
        return response

    return wrapper


async def resource(request: Request) -> Response:
    state = _state(request)
    path = request.path_params["path"]
    iri = ID_BASE + path
    try:
        ox.NamedNode(iri)
    except ValueError:
        return _error(request, 404, f"not a resource IRI: {iri}")
    media_type = _chosen(request, GRAPH_TYPES)
    if media_type is None:
        return _not_acceptable(request, GRAPH_TYPES)
    try:
        if media_type == HTML:
            page = await state.run(describe_resource, iri)
            return state.templates.TemplateResponse(request, "resource.html", {"page": page})
        body = await state.run(resource_document, iri, _RDF_FORMATS[media_type])
    except JobError as error:
        return _error(request, error.status, error.message)
    return Response(body, media_type=media_type)


def _document_route(name: str, template: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        state = _state(request)
        media_type = _chosen(request, GRAPH_TYPES)
        if media_type is None:
            return _not_acceptable(request, GRAPH_TYPES)
        if media_type != HTML:
            body = await state.document(name, _RDF_FORMATS[media_type])
            return Response(body, media_type=media_type)
        context = {"ontology": state.ontology} if name == "ontology" else {"shapes": state.shapes}
        return state.templates.TemplateResponse(request, template, context)

    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(request, exc.status_code, exc.detail or "error")


async def _unexpected(request: Request, exc: Exception) -> Response:
    return PlainTextResponse(
        f"Error: unexpected {type(exc).__name__} in the server\n", status_code=500
    )


def create_app(settings: ServerSettings | None = None) -> Starlette:
    """The ASGI application of the server (start it with uvicorn, or :func:`serve`)."""
    chosen = settings or ServerSettings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = await anyio.to_thread.run_sync(_State.start, chosen)
        app.state.egov = state
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(state.pool.close)

    routes = [
        Route("/", home),
        Route("/sparql", _negotiated(sparql), methods=["GET", "POST"]),
        Route("/api/{name}", _negotiated(canned)),
        Route("/openapi.json", openapi),
        Route("/id/{path:path}", _negotiated(resource)),
        Route("/ontology", _negotiated(_document_route("ontology", "ontology.html"))),
        Route("/shapes", _negotiated(_document_route("shapes", "shapes.html"))),
        Route("/release/{name}", release_file),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Accept", "Content-Type"],
        ),
        Middleware(_BodyLimit, limit=chosen.max_body),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _unexpected},
    )


def serve(
    host: str = "127.0.0.1", port: int = 8000, settings: ServerSettings | None = None
) -> None:
    """Run the server until interrupted (Ctrl-C).

    Raises:
        DataError: the data cannot be read (checked before the server starts).
    """
    import uvicorn

    import egov_kg

    egov_kg.load((settings or ServerSettings()).data_dir)  # a bad file: one message, no server
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)
