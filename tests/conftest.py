"""Shared fixtures: the shipped knowledge graph and a small self-contained sample."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph

import egov_kg

REPO = Path(__file__).resolve().parents[1]

SAMPLE_ONTOLOGY = """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/egov-kg/ontology> a owl:Ontology .
egov:Organization a owl:Class ; rdfs:label "Organization"@en .
egov:Ministry a owl:Class ; rdfs:subClassOf egov:Organization ; rdfs:label "Ministry"@en .
egov:partOf a owl:ObjectProperty, owl:TransitiveProperty ; owl:inverseOf egov:hasPart .
egov:hasPart a owl:ObjectProperty .
egov:founded a owl:DatatypeProperty ; rdfs:range xsd:date .
"""

SAMPLE_SHAPES = """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix egovsh: <https://w3id.org/egov-kg/shapes#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

egovsh:OrganizationShape a sh:NodeShape ;
    sh:targetClass egov:Organization ;
    sh:property [
        sh:path skos:prefLabel ; sh:minCount 1 ;
        sh:message "an organization needs a skos:prefLabel"@en
    ] ;
    sh:property [
        sh:path egov:founded ; sh:datatype xsd:date ; sh:minCount 1 ; sh:severity sh:Warning
    ] .
"""

SAMPLE_DATA = {
    "orgs.ttl": """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix egov-org: <https://w3id.org/egov-kg/id/org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

egov-org:digital-agency a egov:Ministry ;
    skos:prefLabel "Digital Agency"@en, "デジタル庁"@ja ;
    egov:founded "2021-09-01"^^xsd:date .
""",
    "units.ttl": """\
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix egov-org: <https://w3id.org/egov-kg/id/org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

egov-org:strategy-unit a egov:Organization ;
    skos:prefLabel "戦略組織グループ"@ja, "Strategy Unit"@en ;
    egov:partOf egov-org:digital-agency ;
    egov:founded "2021-09-01"^^xsd:date ;
    egov:note "4"^^xsd:decimal, "1.50"^^xsd:decimal ;
    egov:note "line one\\nline \\"two\\""@en, "tab\\there\\r\\nCRLF" .
""",
}


@dataclass(frozen=True)
class Sample:
    """Paths of a small, self-contained knowledge graph written to a tmp folder."""

    root: Path
    ontology: Path
    shapes: Path
    data: Path

    def args(self, *, shapes: bool = False) -> list[str]:
        """Return the CLI options pointing at this sample."""
        extra = ["--shapes", str(self.shapes)] if shapes else []
        return ["--data", str(self.data), "--ontology", str(self.ontology), *extra]

    def load(self) -> Graph:
        return egov_kg.load(self.data, ontology=self.ontology).asserted


def write_sample(root: Path, data: Mapping[str, str] | None = None) -> Sample:
    """Write the sample ontology, shapes and data files (or ``data`` instead) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "egov.ttl").write_text(SAMPLE_ONTOLOGY, encoding="utf-8")
    (root / "shapes.ttl").write_text(SAMPLE_SHAPES, encoding="utf-8")
    for name, text in (SAMPLE_DATA if data is None else data).items():
        (root / "data" / name).write_text(text, encoding="utf-8")
    return Sample(root, root / "egov.ttl", root / "shapes.ttl", root / "data")


@pytest.fixture
def sample(tmp_path: Path) -> Sample:
    return write_sample(tmp_path / "sample")


@pytest.fixture(scope="session")
def kg() -> Graph:
    """The shipped knowledge graph: ontology + data/*.ttl."""
    return egov_kg.load().asserted


def cli_command() -> list[str]:
    """The installed ``egov-kg`` console script of this interpreter (else ``-m egov_kg``)."""
    script = Path(sys.executable).with_name("egov-kg")
    if script.is_file():
        return [str(script)]
    found = shutil.which("egov-kg")
    return [found] if found else [sys.executable, "-m", "egov_kg"]


def run_cli(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``egov-kg args`` in a subprocess and capture its output."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run(
        [*cli_command(), *args], cwd=cwd, env=environment, capture_output=True, check=False
    )
