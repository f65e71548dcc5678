"""The release build: every file holds the graph it claims, VoID counts and checksums are
right, two builds are byte-identical, and a failed build leaves the previous release alone."""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

import egov_kg
from conftest import REPO, cli_command, run_cli
from egov_kg.namespaces import ASSERTED_GRAPH, DCTERMS, INFERRED_GRAPH, RDF, VOID
from egov_kg.reasoning import cached_closure
from egov_kg.release import RELEASE_FILES, SHAPES_GRAPH, BuildError, build
from egov_kg.resources import shapes_file

release_module = importlib.import_module("egov_kg.release")
export_module = importlib.import_module("egov_kg.serialization")

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
RELEASE_NS = Namespace("https://w3id.org/egov-kg/void#")
FILES = [
    "egov-kg-inferred.jsonld",
    "egov-kg-inferred.nt",
    "egov-kg-inferred.ttl",
    "egov-kg.jsonld",
    "egov-kg.nt",
    "egov-kg.trig",
    "egov-kg.ttl",
    "ontology.html",
    "org-chart-en.png",
    "org-chart-en.svg",
    "org-chart-ja.png",
    "org-chart-ja.svg",
    "rankings-en.png",
    "rankings-en.svg",
    "rankings-ja.png",
    "rankings-ja.svg",
    "shacl-report.ttl",
    "shapes.html",
    "timeline-en.png",
    "timeline-en.svg",
    "timeline-ja.png",
    "timeline-ja.svg",
    "void.ttl",
]
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
}
SEEDS = ("1", "4242")


@dataclass(frozen=True)
class Build:
    """A release built by ``egov-kg build`` in its own process."""

    out: Path
    cache: Path
    stdout: str


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, ...]:
    """Two CLI builds at once, each with its own hash seed and an empty closure cache."""
    root = tmp_path_factory.mktemp("builds")
    running = []
    for seed in SEEDS:
        folder = root / f"seed-{seed}"
        folder.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "EGOV_KG_CACHE_DIR": str(folder / "cache")}
        command = [*cli_command(), "build", "--out", str(folder / "release")]
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=folder
        )
        running.append((folder, process))
    done = []
    for folder, process in running:
        stdout, stderr = process.communicate(timeout=900)
        assert process.returncode == 0, stderr.decode()
        done.append(Build(folder / "release", folder / "cache", stdout.decode()))
    return tuple(done)


@pytest.fixture(scope="module")
def release(builds: tuple[Build, ...]) -> Path:
    return builds[0].out


@pytest.fixture(scope="module")
def closure(kg: Graph) -> Graph:
    return cached_closure(kg)


def parse(path: Path) -> Graph:
    return Graph().parse(path, format=RDFLIB_FORMATS[path.suffix[1:]])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def copy_release(release: Path, parent: Path) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copytree(release, parent / "release"))


def test_build_writes_every_file_and_lists_it(builds: tuple[Build, ...]) -> None:
    for done in builds:
        assert sorted(p.name for p in done.out.iterdir()) == FILES == list(RELEASE_FILES)
        # Nothing else next to the release: no temporary or old folder left.
        assert sorted(p.name for p in done.out.parent.iterdir()) == ["cache", "release"]
        for name in FILES:
            size = (done.out / name).stat().st_size
            assert size > 0
            assert f"{name}" in done.stdout and f"{size:,} bytes" in done.stdout
        assert "conforms to its SHACL shapes: 0 violations" in done.stdout


def test_builds_are_byte_identical_across_hash_seeds(builds: tuple[Build, ...]) -> None:
    first, second = (snapshot(done.out) for done in builds)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name


@pytest.mark.parametrize("suffix", ["ttl", "nt", "jsonld"])
def test_asserted_files_hold_the_asserted_graph(release: Path, kg: Graph, suffix: str) -> None:
    path = release / f"egov-kg.{suffix}"
    assert isomorphic(parse(path), kg)
    assert sum(1 for _ in ox.parse(path=str(path), format=OX_FORMATS[suffix])) == len(kg)


@pytest.mark.parametrize("suffix", ["ttl", "nt", "jsonld"])
def test_inferred_files_hold_the_closure(release: Path, closure: Graph, suffix: str) -> None:
    path = release / f"egov-kg-inferred.{suffix}"
    assert isomorphic(parse(path), closure)
    assert sum(1 for _ in ox.parse(path=str(path), format=OX_FORMATS[suffix])) == len(closure)


def test_trig_holds_asserted_inferred_and_shapes_graphs(
    release: Path, kg: Graph, closure: Graph
) -> None:
    path = release / "egov-kg.trig"
    dataset = Dataset()
    dataset.parse(path, format="trig")
    graphs = {g.identifier: g for g in dataset.graphs() if len(g)}
    assert set(graphs) == {ASSERTED_GRAPH, INFERRED_GRAPH, SHAPES_GRAPH}
    asserted, inferred, shapes = (
        graphs[name] for name in (ASSERTED_GRAPH, INFERRED_GRAPH, SHAPES_GRAPH)
    )
    assert isomorphic(asserted, kg)
    # The inferred graph is the closure minus the asserted triples: nothing twice.
    assert set(inferred) == set(closure) - set(kg)
    assert not set(inferred) & set(asserted)
    assert len(inferred) > 0
    assert isomorphic(shapes, Graph().parse(shapes_file(), format="turtle"))
    assert any(isinstance(term, BNode) for triple in shapes for term in triple)
    # pyoxigraph reads the same quads, in the same three graphs.
    counts: dict[str, int] = {}
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode)
        counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    assert counts == {
        str(ASSERTED_GRAPH): len(kg),
        str(INFERRED_GRAPH): len(closure) - len(kg),
        str(SHAPES_GRAPH): len(shapes),
    }


def test_shacl_report_is_the_validation_report(release: Path, kg: Graph) -> None:
    report = egov_kg.validate(kg)
    written = parse(release / "shacl-report.ttl")
    assert isomorphic(written, report.graph)
    SH = Namespace("http://www.w3.org/ns/shacl#")  # noqa: N806
    assert (None, SH.conforms, Literal(True)) in written
    assert len(set(written.subjects(RDF.type, SH.ValidationResult))) == len(report.results)


COUNTS = """
SELECT (COUNT(*) AS ?triples)
       (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
"""
ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER isIRI(?s) }"
CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER isIRI(?s) } GROUP BY ?class
"""
PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"


def void_counts(void: Graph, dataset: URIRef) -> dict[str, int]:
    return {
        name: int(void.value(dataset, VOID[name]))  # type: ignore[arg-type]
        for name in (
            "triples",
            "entities",
            "classes",
            "properties",
            "distinctSubjects",
            "distinctObjects",
        )
    }


def partitions(void: Graph, dataset: URIRef, link: str, key: str, count: str) -> dict[Node, int]:
    found: dict[Node, int] = {}
    for part in void.objects(dataset, VOID[link]):
        keys = list(void.objects(part, VOID[key]))
        values = list(void.objects(part, VOID[count]))
        assert len(keys) == len(values) == 1, part
        assert keys[0] not in found
        found[keys[0]] = int(values[0])  # type: ignore[call-overload]
    return found


def counted(graph: Graph) -> tuple[dict[str, int], dict[Node, int], dict[Node, int]]:
    """The VoID statistics of ``graph``, counted with SPARQL."""
    row = next(iter(graph.query(COUNTS)))
    entities = next(iter(graph.query(ENTITIES)))
    classes = {r[0]: int(r[1]) for r in graph.query(CLASSES)}  # type: ignore[index]
    properties = {r[0]: int(r[1]) for r in graph.query(PROPERTIES)}  # type: ignore[index]
    totals = {
        "triples": int(row[0]),  # type: ignore[index]
        "entities": int(entities[0]),  # type: ignore[index]
        "classes": len(set(graph.objects(None, RDF.type))),
        "properties": int(row[2]),  # type: ignore[index]
        "distinctSubjects": int(row[1]),  # type: ignore[index]
        "distinctObjects": int(row[3]),  # type: ignore[index]
    }
    return totals, classes, properties


def void_graph(release: Path) -> Graph:
    return Graph().parse(release / "void.ttl", format="turtle")


def datasets(void: Graph) -> tuple[URIRef, URIRef]:
    (main,) = [
        ds
        for ds in void.subjects(RDF.type, VOID.Dataset)
        if not set(void.subjects(VOID.subset, ds))
    ]
    (subset,) = list(void.objects(main, VOID.subset))
    assert isinstance(main, URIRef) and isinstance(subset, URIRef)
    assert (main, RDF.type, DCAT.Dataset) in void and (subset, RDF.type, DCAT.Dataset) in void
    return main, subset


@pytest.mark.parametrize("which", ["asserted", "inferred"])
def test_void_counts_match_the_graphs(release: Path, which: str) -> None:
    void = void_graph(release)
    main, subset = datasets(void)
    dataset, file = (main, "egov-kg.nt") if which == "asserted" else (subset, "egov-kg-inferred.nt")
    graph = parse(release / file)
    totals, classes, properties = counted(graph)
    assert void_counts(void, dataset) == totals
    assert partitions(void, dataset, "classPartition", "class", "entities") == classes
    assert partitions(void, dataset, "propertyPartition", "property", "triples") == properties
    # Every class and property comes from a listed vocabulary.
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    for term in [*classes, *properties]:
        assert any(str(term).startswith(v) for v in vocabularies), term


def test_pictures_and_documentation_are_those_of_the_graph(release: Path) -> None:
    from egov_kg.drawing import draw
    from egov_kg.ontology_docs import ontology_html, shapes_html

    shipped = egov_kg.load()
    for kind, lang, fmt in (("org-chart", "ja", "svg"), ("timeline", "en", "png")):
        assert (release / f"{kind}-{lang}.{fmt}").read_bytes() == draw(
            shipped, kind, lang=lang, fmt=fmt
        )
    assert (release / "ontology.html").read_bytes() == ontology_html()
    assert (release / "shapes.html").read_bytes() == shapes_html()
    void = void_graph(release)
    png = RELEASE_NS["file-rankings-en.png"]
    assert str(void.value(png, DCAT.mediaType)).endswith("/image/png")
    assert "as PNG" in str(void.value(png, DCTERMS.description))


def test_void_describes_the_dataset(release: Path) -> None:
    void = void_graph(release)
    main, _ = datasets(void)
    for prop in (DCTERMS.title, DCTERMS.description):
        languages = sorted(lit.language for lit in void.objects(main, prop))  # type: ignore[attr-defined]
        assert languages == ["en", "ja"], prop
    assert void.value(main, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert void.value(main, DCTERMS.source) == URIRef(
        "https://w3id.org/egov-kg/id/doc/building-e-government-2005"
    )
    assert void.value(main, DCTERMS.publisher) is not None
    assert (None, VOID.sparqlEndpoint, None) not in void
    assert str(void.value(main, DCAT.version)) == egov_kg.__version__


def test_void_checksums_and_sizes_match_the_files(release: Path) -> None:
    void = void_graph(release)
    described: dict[str, URIRef] = {}
    for distribution in void.subjects(RDF.type, DCAT.Distribution):
        name = str(void.value(distribution, DCTERMS.title))
        assert name not in described
        described[name] = distribution  # type: ignore[assignment]
        assert (None, DCAT.distribution, distribution) in void
    # Every file but void.ttl itself, which cannot hold its own checksum.
    assert sorted(described) == [name for name in FILES if name != "void.ttl"]
    for name, distribution in described.items():
        data = (release / name).read_bytes()
        assert int(void.value(distribution, DCAT.byteSize)) == len(data)  # type: ignore[arg-type]
        checksum = void.value(distribution, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = void.value(checksum, SPDX.checksumValue)
        assert str(value) == hashlib.sha256(data).hexdigest()
        assert str(void.value(distribution, DCAT.mediaType)).startswith(
            "https://www.iana.org/assignments/media-types/"
        )


@pytest.fixture
def cache(builds: tuple[Build, ...], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The closure cache the first build filled: in-process builds need not run owlrl."""
    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(builds[0].cache))
    yield


@pytest.mark.usefixtures("cache")
def test_failed_build_leaves_the_previous_release(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kg: Graph, closure: Graph
) -> None:
    out = copy_release(release, tmp_path / "site")
    (out / "egov-kg.ttl").write_bytes(b"# previous release\n")  # tell old from new
    before = snapshot(out)

    def boom(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("disk on fire")

    # Midway: six files are already written when the TriG serializer fails.
    with monkeypatch.context() as patch:
        patch.setattr(release_module, "serialize_dataset_statements", boom)
        with pytest.raises(RuntimeError, match="disk on fire"):
            build(out)
    assert snapshot(out) == before
    assert [p.name for p in out.parent.iterdir()] == ["release"]

    # A good build then replaces it, with what the CLI wrote.
    report = build(out)
    assert snapshot(out) == snapshot(release)
    assert [p.name for p in out.parent.iterdir()] == ["release"]
    assert report.out_dir == out
    assert dict(report.files) == {name: (out / name).stat().st_size for name in FILES}
    assert report.asserted_triples == len(kg)
    assert report.closure_triples == len(closure)
    assert report.inferred_triples == len(closure) - len(kg)
    assert report.validation.conforms and report.validation.violations == 0
    assert report.validation.report_triples == len(parse(out / "shacl-report.ttl"))


def test_failed_swap_puts_the_previous_release_back(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the very end, moving the new folder in fails: the old one is renamed back."""
    out = copy_release(release, tmp_path / "site")
    before = snapshot(out)
    staging = tmp_path / "site" / ".release.tmp-test"
    staging.mkdir()
    (staging / "void.ttl").write_bytes(b"# new release\n")
    real_rename = os.rename

    def rename(source: str | Path, target: str | Path) -> None:
        if Path(source) == staging:
            raise OSError("rename failed")
        real_rename(source, target)

    monkeypatch.setattr(release_module.os, "rename", rename)
    with pytest.raises(OSError, match="rename failed"):
        release_module._swap_in(staging, out)
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [".release.tmp-test", "release"]


def test_violation_exits_1_and_writes_nothing(
    release: Path, tmp_path: Path, builds: tuple[Build, ...]
) -> None:
    data = Path(shutil.copytree(REPO / "data", tmp_path / "data"))
    source = data / "source.ttl"
    text = source.read_text(encoding="utf-8")
    assert text.count("    schema:position 1 ;\n") == 1
    source.write_text(text.replace("    schema:position 1 ;\n", ""), encoding="utf-8")
    out = copy_release(release, tmp_path / "site")
    before = snapshot(out)
    done = run_cli(
        ["build", "--data", str(data), "--out", str(out)],
        env={"EGOV_KG_CACHE_DIR": str(builds[0].cache)},
    )
    assert done.returncode == 1, done.stderr.decode()
    lines = done.stderr.decode().splitlines()
    violations = [line for line in lines if line.startswith("Violation:")]
    assert len(violations) == 1
    assert "building-e-government-2005-01" in violations[0]
    assert "schema:position" in violations[0]
    assert "not written" in lines[-1]
    assert snapshot(out) == before
    assert [p.name for p in out.parent.iterdir()] == ["release"]


def test_refuses_to_replace_a_folder_that_is_not_a_release(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    with pytest.raises(BuildError, match="notes.txt"):
        build(out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["docs"]


def test_dataset_blank_nodes_are_scoped_to_the_dataset() -> None:
    """Two graphs with look-alike blank nodes keep them apart; labels are canonical."""
    text = "@prefix ex: <http://example.org/> . ex:a ex:p [ ex:q 1 ] ; ex:l (1 2) ."
    one, two = (Graph().parse(data=text, format="turtle") for _ in range(2))
    names = [URIRef("http://example.org/g1"), URIRef("http://example.org/g2")]
    graphs = dict(zip(names, (one, two), strict=True))
    for fmt in ("trig", "nquads"):
        data = export_module.serialize_dataset(graphs, fmt)
        again = export_module.serialize_dataset(
            dict(zip(names, (Graph().parse(data=text, format="turtle"), two), strict=True)), fmt
        )
        assert data == again
        assert b"_:c14n0" in data
        dataset = Dataset()
        dataset.parse(data=data, format=fmt)
        back = [dataset.graph(name) for name in names]
        assert isomorphic(back[0], one) and isomorphic(back[1], two)
        shared = {t for t in back[0].all_nodes() if isinstance(t, BNode)} & {
            t for t in back[1].all_nodes() if isinstance(t, BNode)
        }
        assert not shared


def test_benchmark_smoke(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench.py"), "--repeat", "1", "--out", str(out)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    table = out.read_text(encoding="utf-8")
    for name in egov_kg.load().queries:
        assert f"| query {name} |" in table, name
    for row in ("import egov_kg", "egov_kg.load(inferred=True), cold", "egov-kg build, cold"):
        assert row in table
    assert "error:" not in table
    assert "## Machine" in table


def _rdflib_path_files(data: Path) -> dict[str, bytes]:
    """The graph files a build wrote before it read files natively: rdflib graphs, serialized."""
    from egov_kg.graph import bind_prefixes, load, new_graph, parse_file
    from egov_kg.serialization import serialize, serialize_dataset

    asserted = load(data)
    closure = cached_closure(asserted)
    prefixes = {prefix: str(ns) for prefix, ns in asserted.namespaces()}
    inferred = bind_prefixes(new_graph(), prefixes)
    inferred += (triple for triple in closure if triple not in asserted)
    shapes, shapes_prefixes = parse_file(shapes_file())
    bind_prefixes(shapes, shapes_prefixes)
    files = {f"egov-kg.{s}": serialize(asserted, f) for s, f in SUFFIXES.items()}
    files |= {
        f"egov-kg-inferred.{s}": serialize(closure, f, graph_name=INFERRED_GRAPH)
        for s, f in SUFFIXES.items()
    }
    graphs = {ASSERTED_GRAPH: asserted, INFERRED_GRAPH: inferred, SHAPES_GRAPH: shapes}
    files["egov-kg.trig"] = serialize_dataset(graphs, "trig")
    return files


SUFFIXES = {"ttl": "turtle", "nt": "nt", "jsonld": "jsonld"}


@pytest.mark.usefixtures("cache")
@pytest.mark.parametrize("extra", ["", "owl-same-as"])
def test_a_build_of_other_data_writes_the_bytes_of_the_rdflib_path(
    tmp_path: Path, extra: str
) -> None:
    """A synthetic national graph, and one only owlrl closes (owl:sameAs): the same bytes."""
    from egov_kg.synth import write_synthetic

    data = tmp_path / "data"
    data.mkdir()
    write_synthetic(10_000, data, seed=1)
    if extra:  # owl:sameAs: the rules refuse it, owlrl closes the graph
        (data / "same.ttl").write_text(
            "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
            "<https://w3id.org/egov-kg/id/org/cio-council> owl:sameAs "
            "<https://w3id.org/egov-kg/id/org/cio-council> .\n",
            encoding="utf-8",
        )
    report = build(tmp_path / "out", data_dir=data)
    expected = _rdflib_path_files(data)
    for name, data_bytes in expected.items():
        assert (tmp_path / "out" / name).read_bytes() == data_bytes, name
    assert report.asserted_triples == len(parse(tmp_path / "out" / "egov-kg.nt"))
    assert report.closure_triples == len(parse(tmp_path / "out" / "egov-kg-inferred.nt"))
