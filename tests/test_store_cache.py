"""The query store cached on disk: built once, reopened read-only, shared, rebuilt if damaged.

``DISK_STORE_BYTES`` is set to 0 here, so that the shipped graph takes the path a graph of
a million triples takes (an Oxigraph folder in the cache), in a fraction of a second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import egov_kg
from egov_kg import knowledge_graph
from egov_kg.engine import OxigraphEngine
from egov_kg.knowledge_graph import KnowledgeGraph
from egov_kg.synth import write_synthetic
from egov_kg.terms import to_oxigraph

BODY = "情報セキュリティ政策会議"
HOLDERS = ["Chief Cabinet Secretary", "Minister in charge of IT policy"]
# What a reader process runs: load with the disk store, answer a canned query as JSON.
READER = (
    "import json, sys\n"
    "from egov_kg import knowledge_graph\n"
    "knowledge_graph.DISK_STORE_BYTES = 0\n"
    "import egov_kg\n"
    "kg = egov_kg.load()\n"
    f"rows = kg.query('chairs', body={BODY!r})\n"
    "print(json.dumps(sorted(row['holder_en'] for row in rows)))\n"
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(folder))
    monkeypatch.setattr(knowledge_graph, "DISK_STORE_BYTES", 0)
    return folder


def _holders(kg: KnowledgeGraph) -> list[str]:
    return sorted(str(row["holder_en"]) for row in kg.query("chairs", body=BODY))


def _ground(store: ox.Store) -> set[ox.Quad]:
    return set(store)


def _stores(cache: Path) -> list[Path]:
    return sorted(cache.glob("store-*.oxigraph"))


def _no_rebuild(self: KnowledgeGraph) -> ox.Store:
    raise AssertionError("the store was built again")


def test_a_big_input_is_cached_as_an_on_disk_store_and_reopened_read_only(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = egov_kg.load()
    assert _holders(first) == HOLDERS
    assert len(_stores(cache)) == 1
    assert not list(cache.glob("store-*.nq"))
    assert [path.name for path in cache.iterdir() if path.name.startswith(".")] == []

    monkeypatch.setattr(KnowledgeGraph, "_build_store", _no_rebuild)
    second = egov_kg.load()
    assert _holders(second) == HOLDERS
    assert _ground(second.store) == _ground(first.store)
    quad = ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.NamedNode("urn:z"))
    with pytest.raises(RuntimeError, match="read-write"):
        second.store.add(quad)


def test_the_disk_store_holds_what_the_in_memory_store_holds(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_disk = egov_kg.load().store
    monkeypatch.setattr(knowledge_graph, "DISK_STORE_BYTES", 1 << 60)
    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(cache.parent / "memory-cache"))
    in_memory = egov_kg.load().store
    assert len(in_memory) > 5000
    assert _ground(on_disk) == _ground(in_memory)


@pytest.mark.parametrize("damage", ["garbage CURRENT", "emptied", "truncated files"])
def test_a_damaged_disk_store_is_rebuilt(cache: Path, damage: str) -> None:
    egov_kg.load()
    [folder] = _stores(cache)
    for path in folder.iterdir():
        if damage == "emptied":
            path.unlink()
        elif damage == "garbage CURRENT" and path.name == "CURRENT":
            path.write_text("garbage\n")
        elif damage == "truncated files" and path.name.startswith(("MANIFEST", "CURRENT")):
            path.write_bytes(b"x")
    kg = egov_kg.load()
    assert _holders(kg) == HOLDERS
    assert _stores(cache) == [folder]
    assert len(ox.Store.read_only(str(folder))) == len(kg.store) > 5000  # whole again


def test_many_processes_read_one_store_at_once(cache: Path) -> None:
    held = egov_kg.load()  # built, and kept open read-only here while the readers run
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER], stdout=subprocess.PIPE, env=dict(os.environ)
        )
        for _ in range(3)
    ]
    answers = [json.loads(reader.communicate(timeout=120)[0]) for reader in readers]
    assert [reader.returncode for reader in readers] == [0, 0, 0]
    assert answers == [HOLDERS] * 3
    assert _holders(held) == HOLDERS
    assert len(_stores(cache)) == 1


def test_processes_building_the_same_store_at_once_share_one(cache: Path) -> None:
    builders = [
        subprocess.Popen(
            [sys.executable, "-c", READER], stdout=subprocess.PIPE, env=dict(os.environ)
        )
        for _ in range(2)
    ]
    answers = [json.loads(builder.communicate(timeout=120)[0]) for builder in builders]
    assert [builder.returncode for builder in builders] == [0, 0]
    assert answers == [HOLDERS] * 2
    assert len(_stores(cache)) == 1
    assert [path.name for path in cache.iterdir() if path.name.startswith(".")] == []


def test_the_native_store_is_the_store_of_the_rdflib_closure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What egov_kg.load builds without rdflib equals the store built from kg.closure."""
    monkeypatch.setenv("EGOV_KG_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    write_synthetic(10_000, data)
    kg = egov_kg.load(data)
    reference = OxigraphEngine.from_quads(
        ox.Quad(*(to_oxigraph(term) for term in triple))  # type: ignore[arg-type]
        for triple in kg.closure
    )
    reference.add_search_keys(reference.labels())

    def split(store: ox.Store) -> tuple[set[ox.Quad], int]:
        ground = {q for q in store if not isinstance(q.subject, ox.BlankNode)}
        ground = {q for q in ground if not isinstance(q.object, ox.BlankNode)}
        return ground, len(store) - len(ground)

    assert split(kg.store) == split(reference.store)
    assert len(kg.store) > 15_000


def test_egov_kg_store_chooses_where_the_store_is_cached(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_KG_STORE", "memory")  # though DISK_STORE_BYTES is 0 here
    assert _holders(egov_kg.load()) == HOLDERS
    assert _stores(cache) == []
    assert len(list(cache.glob("store-*.nq"))) == 1

    monkeypatch.setattr(knowledge_graph, "DISK_STORE_BYTES", 1 << 60)
    monkeypatch.setenv("EGOV_KG_STORE", "disk")  # though the input is small
    assert _holders(egov_kg.load()) == HOLDERS
    assert len(_stores(cache)) == 1

    monkeypatch.setenv("EGOV_KG_STORE", "cloud")
    with pytest.raises(ValueError, match="EGOV_KG_STORE"):
        egov_kg.load()
