"""Export: every format round-trips, output is deterministic, writes are atomic."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

import egov_kg
from conftest import Sample, run_cli, write_sample
from egov_kg.namespaces import ASSERTED_GRAPH, CLOSURE_GRAPH, INFERRED_GRAPH, RESOURCES, XSD
from egov_kg.serialization import FORMATS

# The module that writes exports (the function egov_kg.export is re-exported from it).
export_module = importlib.import_module("egov_kg.serialization")

RDFLIB_FORMAT = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig", "xml": "xml"}
SEEDS = ("1", "2", "12345")


def parse_back(data: bytes, fmt: str) -> Graph:
    """Parse an export with rdflib; for TriG, return the triples of its one named graph."""
    if fmt == "trig":
        dataset = Dataset()
        dataset.parse(data=data, format="trig")
        names = [g.identifier for g in dataset.graphs() if len(g)]
        assert names == [ASSERTED_GRAPH]
        graph = Graph()
        graph += dataset.graph(ASSERTED_GRAPH)
        return graph
    return Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_sample(sample: Sample, fmt: str) -> None:
    graph = sample.load()
    back = parse_back(egov_kg.serialize(graph, fmt), fmt)
    assert isomorphic(graph, back)
    # Lexical forms survive (rdflib's own Turtle writer turns "4"^^xsd:decimal into 4.0).
    assert Literal("4", datatype=XSD.decimal) in set(back.objects())


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_blank_nodes(fmt: str) -> None:
    graph = Graph().parse(
        data="@prefix ex: <http://example.org/> .\n"
        "ex:a ex:p [ ex:q 1 ; ex:r [ ex:s 'x' ] ], [ ex:q 2 ] ; ex:list (1 2) .\n",
        format="turtle",
    )
    back = parse_back(egov_kg.serialize(graph, fmt), fmt)
    assert isomorphic(graph, back)
    assert any(isinstance(s, BNode) for s in back.subjects())


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_shipped_graph(kg: Graph, fmt: str) -> None:
    assert isomorphic(kg, parse_back(egov_kg.serialize(kg, fmt), fmt))


def test_serialize_is_stable_in_process(sample: Sample) -> None:
    graph = sample.load()
    for fmt in FORMATS:
        assert egov_kg.serialize(graph, fmt) == egov_kg.serialize(sample.load(), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_is_byte_identical_across_hash_seeds(
    sample: Sample, tmp_path: Path, fmt: str
) -> None:
    """Python's str hash (and so rdflib's iteration order) differs per process."""
    outputs = set()
    for seed in SEEDS:
        out = tmp_path / f"{seed}.{fmt}"
        done = run_cli(
            ["export", "--format", fmt, *sample.args(), "-o", str(out)],
            env={"PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr.decode()
        outputs.add(out.read_bytes())
    assert len(outputs) == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
def test_shipped_export_is_byte_identical_across_hash_seeds(fmt: str, inferred: bool) -> None:
    flags = ["--inferred"] if inferred else []
    outputs = set()
    for seed in SEEDS[:2]:
        done = run_cli(["export", "--format", fmt, *flags], env={"PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr.decode()
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_turtle_has_no_invented_prefixes(kg: Graph, tmp_path: Path) -> None:
    extra = {"odd.ttl": "<http://unbound.example/a> <http://unbound.example/p> 'x' .\n"}
    sample = write_sample(tmp_path, extra)
    for graph in (kg, sample.load(), egov_kg.infer(sample.load())):
        text = egov_kg.serialize(graph, "turtle").decode()
        assert "ns1:" not in text
        assert "@prefix ns" not in text
    declared = {
        line.split()[1]
        for line in egov_kg.serialize(kg, "turtle").decode().splitlines()
        if line.startswith("@prefix")
    }
    assert {"egov:", "rdf:", "rdfs:", "owl:", "skos:"} <= declared


def test_jsonld_is_sorted_with_a_full_context(sample: Sample) -> None:
    document = json.loads(egov_kg.serialize(sample.load(), "jsonld"))
    assert document["@context"]["egov-org"] == str(RESOURCES["org"])
    assert document["@context"]["egov"] == "https://w3id.org/egov-kg/ontology#"
    ids = [node["@id"] for node in document["@graph"]]
    assert ids == sorted(ids)


def test_trig_named_graph(sample: Sample) -> None:
    graph = sample.load()
    assert f"<{ASSERTED_GRAPH}> {{".encode() in egov_kg.serialize(graph, "trig")
    inferred = egov_kg.serialize(graph, "trig", graph_name=INFERRED_GRAPH)
    assert f"<{INFERRED_GRAPH}> {{".encode() in inferred


def test_cli_inferred_trig_uses_the_closure_graph(sample: Sample) -> None:
    done = run_cli(["export", "--format", "trig", "--inferred", *sample.args()])
    assert done.returncode == 0, done.stderr.decode()
    assert f"<{CLOSURE_GRAPH}> {{".encode() in done.stdout
    assert f"<{INFERRED_GRAPH}>".encode() not in done.stdout


def test_unknown_format_is_refused(sample: Sample, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        egov_kg.serialize(sample.load(), "n3")
    with pytest.raises(ValueError):
        egov_kg.export(sample.load(), "n3", tmp_path / "out.n3")
    assert list(tmp_path.iterdir()) == [tmp_path / "sample"]


def test_xml_refuses_predicates_that_are_not_xml_names() -> None:
    graph = Graph()
    graph.add((URIRef("http://example.org/a"), URIRef("http://example.org/p/123"), Literal("x")))
    with pytest.raises(ValueError, match="RDF/XML"):
        egov_kg.serialize(graph, "xml")


def test_export_writes_the_file(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "kg.ttl"
    egov_kg.export(sample.load(), "turtle", out)
    assert out.read_bytes() == egov_kg.serialize(sample.load(), "turtle")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.ttl", "sample"]


def test_export_to_stdout(sample: Sample, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    egov_kg.export(sample.load(), "nt")
    assert capsysbinary.readouterr().out == egov_kg.serialize(sample.load(), "nt")


@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_export_leaves_old_file_and_no_temp_file(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "kg.out"
    out.write_bytes(b"previous release\n")
    calls = 0
    convert = export_module.to_oxigraph

    def failing(term):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls > 5:
            raise RuntimeError("disk on fire")
        return convert(term)

    def failing_json(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export_module, "to_oxigraph", failing)
    monkeypatch.setattr(export_module, "_jsonld", failing_json)
    with pytest.raises(RuntimeError, match="disk on fire"):
        egov_kg.export(sample.load(), fmt, out)
    assert out.read_bytes() == b"previous release\n"
    assert [p.name for p in out_dir.iterdir()] == ["kg.out"]


def test_failed_fsync_leaves_old_file_and_no_temp_file(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data is fully written to the temporary file before the failure."""
    out = tmp_path / "kg.ttl"
    out.write_bytes(b"previous release\n")
    written: list[Path] = []
    real_replace = export_module.os.replace

    def fail_fsync(fd: int) -> None:
        written.extend(p for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(export_module.os, "fsync", fail_fsync)
    with pytest.raises(OSError):
        egov_kg.export(sample.load(), "turtle", out)
    assert written and written[0].parent == tmp_path  # the temp file was in the same folder
    assert out.read_bytes() == b"previous release\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg.ttl", "sample"]
    assert export_module.os.replace is real_replace


def test_control_characters() -> None:
    graph = Graph()
    graph.add((URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal("bell\x07")))
    with pytest.raises(ValueError, match="control character"):
        egov_kg.serialize(graph, "xml")
    for fmt in ("turtle", "nt", "trig", "jsonld"):
        assert isomorphic(graph, parse_back(egov_kg.serialize(graph, fmt), fmt))
