"""The query commands: `egov-kg queries`, `query` and `sparql`, as a shell user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import egov_kg
from conftest import run_cli


@pytest.fixture(scope="module")
def kg() -> egov_kg.KnowledgeGraph:
    return egov_kg.load()


def test_queries_lists_every_canned_query_with_parameters(kg: egov_kg.KnowledgeGraph) -> None:
    done = run_cli(["queries"])
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    for name, canned in kg.queries.items():
        assert f"{name}: {canned.summary}" in out
    assert "parameters: body? (iri), post? (iri)" in out


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("timeline", {}),
        ("chairs", {"body": "情報セキュリティ政策会議"}),
        ("members", {"body": "egov-org:cio-council"}),
        ("structure-as-of", {"date": "2002-01-01"}),
        ("rankings", {"country": "JP"}),
        ("search", {"text": "ＣＩＯ"}),
    ],
)
def test_the_cli_gives_the_api_answer(
    kg: egov_kg.KnowledgeGraph, name: str, params: dict[str, str]
) -> None:
    args = ["query", name, "--format", "json"]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    done = run_cli(args)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(kg.query(name, **params).to_json())
    for fmt, serialize in (("csv", "to_csv"), ("tsv", "to_tsv")):
        other = run_cli([*args[:3], fmt, *args[4:]])
        assert other.stdout.decode() == getattr(kg.query(name, **params), serialize)()


def test_the_table_shows_labels_in_the_chosen_language() -> None:
    ja = run_cli(["query", "chairs", "-p", "body=情報セキュリティ政策会議", "--lang", "ja"])
    en = run_cli(["query", "chairs", "-p", "body=Information Security Policy Council"])
    assert ja.returncode == en.returncode == 0
    assert "内閣官房長官" in ja.stdout.decode() and "IT担当大臣" in ja.stdout.decode()
    assert "Chief Cabinet Secretary" in en.stdout.decode()
    assert "内閣官房長官" not in en.stdout.decode()
    assert en.stdout.decode().rstrip().endswith("(2 rows)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "chairs", "-p", "body=幹事会"], "is ambiguous; it names"),
        (["query", "chairs", "-p", "body=CIO連絡会義"], "did you mean 'CIO連絡会議'"),
        (["query", "structure-as-of", "-p", "date=2002-02-30"], "expected a date as YYYY-MM-DD"),
        (["query", "structure-as-of"], "needs 'date'"),
        (["query", "nope"], "no canned query 'nope'"),
        (["query", "chairs", "-p", "body"], "--param expects NAME=VALUE"),
        (["query", "chairs", "-p", "colour=red"], "has no parameter 'colour'"),
        (["sparql", "SELECT ?x WHERE { ?x"], "SPARQL"),
    ],
)
def test_errors_are_one_line_without_traceback(args: list[str], message: str) -> None:
    done = run_cli(args)
    err = done.stderr.decode()
    assert done.returncode == 2
    assert message in err
    assert "Traceback" not in err and done.stdout == b""


def test_sparql_text_and_file(tmp_path: Path) -> None:
    query = tmp_path / "count.rq"
    query.write_text(
        "PREFIX egov: <https://w3id.org/egov-kg/ontology#>\n"
        "SELECT (COUNT(?b) AS ?n) WHERE { ?b a egov:PromotionBody }",
        encoding="utf-8",
    )
    from_file = run_cli(["sparql", f"@{query}", "--format", "csv"])
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout.decode().splitlines() == ["n", "9"]
    ask = run_cli(["sparql", "ASK { ?x a <http://www.w3.org/ns/org#Post> }"])
    assert ask.stdout.decode().strip() == "true"
    construct = run_cli(
        [
            "sparql",
            "CONSTRUCT { ?a <http://www.w3.org/ns/org#hasSubOrganization> ?b } "
            "WHERE { ?b <http://www.w3.org/ns/org#subOrganizationOf> ?a }",
        ]
    )
    assert construct.returncode == 0
    assert b"org:hasSubOrganization" in construct.stdout


def test_a_canned_query_imports_neither_rdflib_nor_owlrl_nor_pyshacl(tmp_path: Path) -> None:
    """`egov-kg query` answers from the cached Oxigraph store: start-up stays fast.

    Nor importlib.metadata (40 ms): the cache key finds library versions without it; nor
    logging nor multiprocessing (30 ms each): the time limit is a timer thread, not a child.
    """
    import os
    import subprocess
    import sys

    env = {**os.environ, "EGOV_KG_CACHE_DIR": str(tmp_path)}
    script = (
        "import sys\n"
        "from egov_kg.cli import main\n"
        "try:\n"
        "    main(['query', 'members', '-p', 'body=CIO連絡会議', '--format', 'json'])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "slow = {'rdflib', 'owlrl', 'pyshacl', 'importlib.metadata', 'logging',\n"
        "        'multiprocessing'}\n"
        "heavy = sorted(slow & {*sys.modules, *(m.split('.')[0] for m in sys.modules)})\n"
        "print(heavy, file=sys.stderr)\n"
    )
    for _ in range(2):  # the first run builds the store in the new cache, the second reads it
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
    document = json.loads(done.stdout)
    members = {b["member"]["value"] for b in document["results"]["bindings"]}
    assert members == {"https://w3id.org/egov-kg/id/group/ministry-cios"}
    assert done.stderr.strip() == "[]"
    assert list(tmp_path.glob("store-*.nq"))
