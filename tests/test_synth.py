"""The synthetic national graph: its size, determinism, contents and conformance."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

import egov_kg
from egov_kg.cli import main
from egov_kg.iris import PREFIX_IRIS
from egov_kg.resources import data_files
from egov_kg.synth import synthesize, write_synthetic

SIZE = 10_000


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10k-triple synthetic data folder, written once."""
    folder = tmp_path_factory.mktemp("synthetic")
    write_synthetic(SIZE, folder)
    return folder


@pytest.fixture(scope="session")
def synthetic_graph() -> Graph:
    """The 10k-triple synthetic graph, as ``synthesize`` returns it (data, no ontology)."""
    return synthesize(SIZE)


@pytest.fixture(scope="session")
def store(synthetic_dir: Path) -> ox.Store:
    """The written folder in Oxigraph, for counting (rdflib's joins are slow at 10k)."""
    store = ox.Store()
    for path in sorted(synthetic_dir.glob("*.ttl")):
        store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
    return store


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in sorted(PREFIX_IRIS.items()))


def _count(store: ox.Store, where: str) -> int:
    query = f"{PROLOGUE}SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(iter(solutions))["n"].value)  # type: ignore[union-attr]


def test_size_is_within_ten_percent(synthetic_graph: Graph, store: ox.Store) -> None:
    assert 0.9 * SIZE <= len(synthetic_graph) <= 1.1 * SIZE
    assert len(store) == len(synthetic_graph)  # the files hold the same triples


def test_the_folder_loads_as_data_and_conforms(synthetic_dir: Path) -> None:
    names = sorted(p.name for p in synthetic_dir.iterdir())
    assert {p.name for p in data_files()} < set(names)  # the shipped data is kept
    assert [n for n in names if n.startswith("synthetic-")] == [
        "synthetic-laws.ttl",
        "synthetic-networks.ttl",
        "synthetic-organisations.ttl",
        "synthetic-periods.ttl",
        "synthetic-statistics.ttl",
    ]
    report = egov_kg.validate(data_dir=synthetic_dir)
    assert report.conforms, report.text
    assert report.count("Violation") == 0
    assert report.count("Warning") == 0


def test_two_runs_write_identical_bytes(synthetic_dir: Path, tmp_path: Path) -> None:
    write_synthetic(SIZE, tmp_path)
    assert _digests(tmp_path) == _digests(synthetic_dir)


def test_another_seed_gives_other_dates(synthetic_dir: Path, tmp_path: Path) -> None:
    write_synthetic(SIZE, tmp_path, seed=1)
    laws = "synthetic-laws.ttl"
    assert (tmp_path / laws).read_bytes() != (synthetic_dir / laws).read_bytes()


def test_command_line_writes_the_same_files(synthetic_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["synth", "--triples", str(SIZE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert _digests(tmp_path) == _digests(synthetic_dir)
    bad = CliRunner().invoke(main, ["synth", "--triples", "0", "--out", str(tmp_path)])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output


def test_it_has_47_prefectures_and_their_municipalities(store: ox.Store) -> None:
    prefectures = "?x org:classification egov-concept:synthetic-body-type-prefecture"
    assert _count(store, prefectures) == 47
    municipalities = (
        "?x org:classification egov-concept:synthetic-body-type-municipality ; "
        "org:subOrganizationOf ?p . ?p org:classification "
        "egov-concept:synthetic-body-type-prefecture"
    )
    assert _count(store, municipalities) > 10
    lgwan = (
        "?x a egov:ParticipationStatus ; egov:network egov-network:lgwan ; egov:participantCount ?n"
    )
    assert _count(store, lgwan) > 1


def test_it_has_ministries_with_bureaus_cios_and_councils(store: ox.Store) -> None:
    ministries = "?x org:classification egov-concept:body-type-ministry ; dcterms:source ?s"
    assert _count(store, ministries) == 13
    bureaus = "?x org:classification egov-concept:body-type-bureau ; org:subOrganizationOf ?m"
    assert _count(store, bureaus) >= 13
    chairs = (
        "?x org:classification egov-concept:body-type-council ; dcterms:source ?s . "
        "?c org:postIn ?x ; org:role egov-concept:role-council-chair ; egov:heldExOfficioBy ?h . "
        "?v org:postIn ?x ; org:role egov-concept:role-council-vice-chair . "
        "?e a egov:Establishment ; egov:eventOf ?x ; time:hasTime/egov:earliestDay ?day"
    )
    assert _count(store, chairs) >= 5
    cios = "?x a org:Post ; org:postIn ?m . FILTER STRENDS(STR(?x), '-cio')"
    assert _count(store, cios) == 13


def test_it_has_laws_with_every_kind_of_event(store: ox.Store) -> None:
    complete = (
        "?x a eli:LegalResource ."
        " ?a a egov:Passage ; egov:eventOf ?x ; time:hasTime/egov:earliestDay ?d1 ."
        " ?b a egov:Promulgation ; egov:eventOf ?x ; time:hasTime/egov:earliestDay ?d2 ."
        " ?c a egov:EntryIntoForce ; egov:eventOf ?x ; time:hasTime/egov:earliestDay ?d3 ."
        " ?amending eli:amends ?x ."
        " ?r a egov:Repeal ; egov:eventOf ?x ."
        " FILTER (?d1 <= ?d2 && ?d2 <= ?d3)"
    )
    assert _count(store, complete) >= 1
    laws = "?x a eli:LegalResource ; dcterms:source egov-source:synthetic-national-graph"
    assert _count(store, laws) >= 25


def test_statistics_run_over_time(store: ox.Store) -> None:
    periods = (
        "?o qb:dataSet ?d ; sdmx-dimension:refPeriod ?x ; egov:coverageRatio ?r . "
        "FILTER STRSTARTS(STR(?d), 'https://w3id.org/egov-kg/id/dataset/synthetic-')"
    )
    assert _count(store, periods) >= 24  # two years of a monthly series at least


def test_every_synthetic_resource_is_marked_and_labelled(store: ox.Store) -> None:
    unmarked = (
        "?x ?p ?o . FILTER CONTAINS(STR(?x), '/synthetic-') "
        "FILTER (?x != egov-source:synthetic-national-graph) "
        "FILTER NOT EXISTS { ?x dcterms:source egov-source:synthetic-national-graph }"
    )
    assert _count(store, unmarked) == 0
    unlabelled = (
        "?x dcterms:source egov-source:synthetic-national-graph . "
        "FILTER NOT EXISTS { ?x skos:prefLabel ?ja , ?en . "
        "FILTER (LANG(?ja) = 'ja' && LANG(?en) = 'en') }"
    )
    assert _count(store, unlabelled) == 0
