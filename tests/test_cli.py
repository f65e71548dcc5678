"""The egov-kg command line: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import egov_kg
from conftest import Sample, run_cli, write_sample
from egov_kg.cli import main

NO_LABEL = {
    "bad.ttl": """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix egov-org: <https://w3id.org/egov-kg/id/org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

egov-org:nameless a egov:Ministry ; egov:founded "2001-01-06"^^xsd:date .
"""
}

BROKEN = {
    "broken.ttl": """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix egov-org: <https://w3id.org/egov-kg/id/org/> .

egov-org:a a egov:Organization .
egov-org:b a egov:Organization
egov-org:c a egov:Organization .
"""
}


def test_validate_conforming_exits_0(sample: Sample) -> None:
    done = run_cli(["validate", *sample.args(shapes=True)])
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    assert out.splitlines()[0].startswith("egov-kg: the knowledge graph conforms")
    assert done.stderr == b""


WARNING_ONLY = {
    "w.ttl": """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix egov-org: <https://w3id.org/egov-kg/id/org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

egov-org:undated a egov:Ministry ; skos:prefLabel "Undated Ministry"@en .
"""
}


def test_validate_prints_warnings_but_exits_0(tmp_path: Path) -> None:
    sample = write_sample(tmp_path, WARNING_ONLY)
    done = run_cli(["validate", *sample.args(shapes=True)])
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode().splitlines()
    assert "0 violations, 1 warning, 0 infos" in lines[0]
    assert lines[1].startswith("Warning: Undated Ministry <egov-org:undated> egov:founded: ")
    assert len(lines) == 2


def test_validate_non_conforming_exits_1_with_one_line_per_result(tmp_path: Path) -> None:
    sample = write_sample(tmp_path, NO_LABEL)
    done = run_cli(["validate", *sample.args(shapes=True)])
    assert done.returncode == 1
    lines = done.stdout.decode().splitlines()
    assert lines[0] == (
        "Violation: egov-org:nameless <egov-org:nameless> skos:prefLabel: "
        "an organization needs a skos:prefLabel"
    )
    assert "does not conform" in lines[-1] and "1 violation," in lines[-1]
    assert b"Traceback" not in done.stdout + done.stderr


def test_syntax_error_exits_2_naming_file_line_and_column(tmp_path: Path) -> None:
    sample = write_sample(tmp_path, BROKEN)
    for command in (
        ["validate", *sample.args(shapes=True)],
        ["export", "--format", "nt", *sample.args()],
    ):
        done = run_cli(command)
        assert done.returncode == 2
        err = done.stderr.decode()
        # Line 6 is where the statement missing its dot runs on.
        assert f"{sample.data / 'broken.ttl'}:6:1: " in err, err
        assert "dot" in err
        assert "Traceback" not in err + done.stdout.decode()
        assert done.stdout == b""


def test_missing_files_exit_2_without_traceback(sample: Sample, tmp_path: Path) -> None:
    cases = [
        ["validate", "--data", str(tmp_path / "nowhere"), "--ontology", str(sample.ontology)],
        ["validate", *sample.args(), "--shapes", str(tmp_path / "no-shapes.ttl")],
        ["export", "--format", "turtle", "--data", str(sample.data), "--ontology", "nope.ttl"],
        ["export", "--format", "turtle", *sample.args(), "-o", str(tmp_path / "no" / "dir.ttl")],
    ]
    for args in cases:
        done = run_cli(args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.decode().startswith("Error: ")
        assert "Traceback" not in done.stderr.decode()


def test_export_writes_file_atomically(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "kg.ttl"
    done = run_cli(["export", "--format", "turtle", *sample.args(), "-o", str(out)])
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""
    assert out.read_bytes() == egov_kg.serialize(sample.load(), "turtle")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.ttl", "sample"]


def test_export_requires_a_known_format(sample: Sample) -> None:
    done = run_cli(["export", "--format", "n3", *sample.args()])
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"egov-kg, version {egov_kg.__version__}"
    assert egov_kg.__version__ == "0.1.0"


@pytest.mark.parametrize("command", [["validate"], ["export", "--format", "turtle"]])
def test_in_process_errors_are_reported(tmp_path: Path, command: list[str]) -> None:
    sample = write_sample(tmp_path, BROKEN)
    args = [*command, "--data", str(sample.data), "--ontology", str(sample.ontology)]
    if command == ["validate"]:
        args += ["--shapes", str(sample.shapes)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "broken.ttl:6:1:" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_shipped_graph_validates() -> None:
    done = run_cli(["validate"])
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
    assert "conforms" in done.stdout.decode().splitlines()[0]
