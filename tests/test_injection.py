"""Parameters are bound, never pasted: injection payloads through every path a value takes.

Each payload (quotes, ``} UNION {``, ``||``, newlines, TAB, ``>`` and spaces in IRIs, ``\\u``
escapes, Unicode direction marks, NUL, very long strings...) is given as a search text, a
resource and a date, through the Python API (both engines), the command line, the HTTP API
and a remote Oxigraph server. Every path must give the same outcome, and that outcome is
either exactly the rows the value means (a search text finds the resources with a label
that contains it, nothing more) or a clear error; a resource or a date that is not one is
always an error.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

import egov_kg
from conftest import run_cli
from egov_kg.cli import main
from egov_kg.queries import LABEL_PROPERTIES, QueryError, search_key
from egov_kg.remote import RemoteGraph, push
from egov_kg.results import QueryResult
from hostile import egov_server
from serving import free_port, responds, running

PAYLOADS: list[str] = [
    "CIO",  # benign: the baseline
    '"',
    "'",
    "'''",
    '"""',
    '") } UNION { ?resource ?p ?o } #',
    "') } UNION { ?resource ?p ?o } #",
    '""") } UNION { ?s ?p ?o } #',
    'CIO" || true || "',
    "a' || '1'='1",
    "CIO\n} UNION { ?resource ?p ?o }",
    "CIO\r\n#",
    "CIO\t} UNION {",
    "\t",
    " ",
    "",
    "https://w3id.org/egov-kg/id/org/cio-council> } UNION { ?s ?p ?o",
    "<https://w3id.org/egov-kg/id/org/cio-council> ?p ?o",
    "https://w3id.org/egov-kg/id/org/cio council",
    "egov-org:cio-council>",
    "egov-org:cio-council } UNION {",
    "\\u0022) } UNION { ?resource ?p ?o } #",
    "\\U00000022",
    "CIO\\",
    "\u202eCIO",
    "\u2066CIO\u2069",
    "\u200bCIO",
    "CIO\x00",
    "\x00",
    "\x7f",
    "\ud800",
    "ＣＩＯ",
    "情報セキュリティ政策会議",
    "a" * 1000,
    "a" * 1001,
    "CIO" * 40_000,
    "2005-06-10",
    '2005-06-10"^^<http://www.w3.org/2001/XMLSchema#date> } UNION {',
    "2005-02-30",
    "+2005-06-10",
]
# (query, parameter, kind): one parameter of each kind a user types.
TARGETS = [
    ("search", "text", "text"),
    ("members", "body", "iri"),
    ("structure-as-of", "date", "date"),
]

Outcome = tuple[str, str]
"""("rows", SPARQL JSON of the rows) or ("error", the one-line message)."""


def payload_id(payload: str) -> str:
    return ascii(payload[:24]) + (f"...({len(payload)})" if len(payload) > 24 else "")


def one_line(message: str) -> str:
    return " ".join(message.split())


@pytest.fixture(scope="module")
def kg() -> egov_kg.KnowledgeGraph:
    return egov_kg.load()


@pytest.fixture(scope="module")
def reference() -> egov_kg.KnowledgeGraph:
    return egov_kg.load(engine="rdflib")


@pytest.fixture(scope="module")
def search_keys(kg: egov_kg.KnowledgeGraph) -> set[tuple[str, str]]:
    """(resource IRI, search key) of every label: what a search text is compared with."""
    values = " ".join(f"<{iri}>" for iri in LABEL_PROPERTIES)
    answer = kg.sparql(
        f"SELECT ?r ?l WHERE {{ VALUES ?p {{ {values} }} ?r ?p ?l "
        "FILTER (isIRI(?r) && isLiteral(?l)) }"
    )
    assert isinstance(answer, QueryResult)
    return {(str(row["r"]), search_key(str(row["l"]))) for row in answer.rows}


def outcome(kg: egov_kg.KnowledgeGraph, name: str, params: dict[str, str]) -> Outcome:
    try:
        return "rows", kg.query(name, **params).to_json()
    except QueryError as error:
        return "error", one_line(str(error))


@pytest.fixture(scope="module")
def expected(kg: egov_kg.KnowledgeGraph) -> dict[tuple[str, str], Outcome]:
    """The outcome of the Python API (Oxigraph) for every target and payload."""
    return {
        (name, payload): outcome(kg, name, {parameter: payload})
        for name, parameter, _ in TARGETS
        for payload in PAYLOADS
    }


def test_the_api_binds_each_payload_as_one_value(
    kg: egov_kg.KnowledgeGraph,
    search_keys: set[tuple[str, str]],
    expected: dict[tuple[str, str], Outcome],
) -> None:
    benign = expected["search", "CIO"]
    assert benign[0] == "rows" and len(json.loads(benign[1])["results"]["bindings"]) > 1
    for payload in PAYLOADS:
        kind, value = expected["search", payload]
        key = search_key(payload)
        if kind == "error":  # blank, too long, or not text: a clear message, no rows
            assert value.startswith(("text: ", "query 'search' needs 'text'")), value
            assert key == "" or len(payload) > 1000 or "holds a" in value, value
            continue
        found = {b["resource"]["value"] for b in json.loads(value)["results"]["bindings"]}
        assert found == {resource for resource, label in search_keys if key in label}, payload
    for name, _, kind in TARGETS[1:]:
        for payload in PAYLOADS:
            result = expected[name, payload]
            meant = (
                payload in ("情報セキュリティ政策会議",)
                if kind == "iri"
                else payload == "2005-06-10"
            )
            assert (result[0] == "rows") == meant, (name, payload, result)


def test_both_engines_give_the_same_outcome(
    reference: egov_kg.KnowledgeGraph, expected: dict[tuple[str, str], Outcome]
) -> None:
    for (name, payload), result in expected.items():
        parameter = next(p for n, p, _ in TARGETS if n == name)
        assert outcome(reference, name, {parameter: payload}) == result, (name, payload)


def test_the_command_line_gives_the_same_outcome(
    expected: dict[tuple[str, str], Outcome],
) -> None:
    runner = CliRunner()
    for (name, payload), (kind, value) in expected.items():
        if name == "structure-as-of":  # -p NAME=VALUE carries a date as it carries any text
            continue
        parameter = next(p for n, p, _ in TARGETS if n == name)
        done = runner.invoke(
            main, ["query", name, "-p", f"{parameter}={payload}", "--format", "json"]
        )
        if kind == "rows":
            assert done.exit_code == 0 and done.stdout == value, (name, payload, done.stderr)
        else:
            assert done.exit_code == 2 and "Traceback" not in done.output
            assert one_line(done.stderr) == f"Error: {value}", (name, payload)


def test_a_payload_through_a_real_shell_is_bound_too(
    expected: dict[tuple[str, str], Outcome],
) -> None:
    payload = '") } UNION { ?resource ?p ?o } #'
    done = run_cli(["query", "search", "-p", f"text={payload}", "--format", "json"])
    assert done.returncode == 0 and done.stdout.decode() == expected["search", payload][1]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with egov_server(tmp_path_factory.mktemp("injection") / "serve.log") as url:
        yield url


def test_the_http_api_gives_the_same_outcome(
    base: str, expected: dict[tuple[str, str], Outcome]
) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        for (name, payload), (kind, value) in expected.items():
            parameter = next(p for n, p, _ in TARGETS if n == name)
            if "\ud800" in payload or len(payload) > 20_000:  # cannot be put in a URL
                continue
            response = client.get(f"/api/{name}", params={parameter: payload})
            if kind == "rows":
                assert response.status_code == 200 and response.text == value, (name, payload)
            elif payload == "":
                assert response.status_code == 400 and "needs" in response.text
            else:
                assert response.status_code == 400, (name, payload, response.text)
                assert response.text == f"Error: {value}\n", (name, payload)
        # U+D800 as (invalid) UTF-8: read as U+FFFD replacement characters, which no label has.
        surrogate = client.get("/api/search?text=%ED%A0%80")
        assert surrogate.status_code == 200
        assert surrogate.json()["results"]["bindings"] == []


def oxigraph_command() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    assert found, "the oxigraph server is missing: pip install -e '.[test]' installs it"
    return found


@pytest.fixture(scope="module")
def remote(
    tmp_path_factory: pytest.TempPathFactory, kg: egov_kg.KnowledgeGraph
) -> Iterator[RemoteGraph]:
    root = tmp_path_factory.mktemp("oxigraph")
    url = f"http://127.0.0.1:{free_port()}"
    args = [oxigraph_command(), "serve", "--location", str(root / "db"), "--bind", url[7:]]
    with running(args, responds(url + "/"), root / "server.log"):
        push(f"{url}/store", inferred=True, kg=kg)
        with RemoteGraph(f"{url}/query") as graph:
            yield graph


def test_a_remote_store_gives_the_same_outcome(
    remote: RemoteGraph, expected: dict[tuple[str, str], Outcome]
) -> None:
    for (name, payload), (kind, value) in expected.items():
        parameter = next(p for n, p, _ in TARGETS if n == name)
        try:
            got: Outcome = "rows", remote.query(name, **{parameter: payload}).to_json()
        except QueryError as error:
            got = "error", one_line(str(error))
        if kind == "rows":
            assert json.loads(got[1])["results"] == json.loads(value)["results"], (name, payload)
        else:
            assert got == (kind, value), (name, payload)
