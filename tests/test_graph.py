"""Loading: strict parsing, true error positions, prefixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

import egov_kg
from conftest import Sample, write_sample
from egov_kg import DataError
from egov_kg.graph import parse_file
from egov_kg.namespaces import EGOV, PREFIXES, RESOURCES, SKOS, XSD
from egov_kg.resources import data_files, ontology_file, shapes_file

HEADER = "@prefix ex: <http://example.org/> .\n"


def error_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "broken.ttl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        parse_file(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "line", "column", "token", "what"),
    [
        # Unterminated string: located at its opening quote.
        (
            HEADER + '\nex:a ex:p ex:b .\nex:c ex:p "open .\nex:d ex:p ex:e .\n',
            4,
            11,
            '"',
            "end of file",
        ),
        # Undeclared prefix on a continuation line.
        (HEADER + "ex:a ex:p ex:b ;\n     ex:q foo:bar .\n", 3, 11, "foo:bar", "foo"),
        # Missing dot: reported where the next statement starts.
        (HEADER + "ex:a ex:p ex:b\nex:c ex:p ex:d .\n", 3, 1, "ex:c", "dot"),
        # Columns count characters, not UTF-8 bytes.
        (HEADER + 'ex:a ex:p "日本語" ; ex:q ex:b ex:zz .\n', 2, 29, "ex:zz", "dot"),
        # Relative IRIs are refused (no base IRI).
        (HEADER + "<a> ex:p ex:b .\n", 2, 1, "<a>", "IRI"),
    ],
)
def test_syntax_error_position_is_true(
    tmp_path: Path, text: str, line: int, column: int, token: str, what: str
) -> None:
    message = error_of(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'broken.ttl'}:{line}:{column}: "), message
    assert what.lower() in message.lower()
    # Line and column (1-based) point at the offending token in the source text.
    assert text.splitlines()[line - 1][column - 1 :].startswith(token)


def test_ill_typed_literal_is_located(tmp_path: Path) -> None:
    text = (
        HEADER
        + "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
        + 'ex:a ex:date   "2021-02-30"^^xsd:date .\n'
    )
    message = error_of(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'broken.ttl'}:4:16: ill-typed literal"), message
    assert "2021-02-30" in message


def test_data_error_is_a_value_error() -> None:
    assert issubclass(DataError, ValueError)


def test_load_merges_ontology_and_data_not_shapes(sample: Sample) -> None:
    graph = sample.load()
    assert (EGOV.Ministry, None, None) in graph
    org = RESOURCES["org"]
    assert (org["digital-agency"], SKOS.prefLabel, Literal("デジタル庁", lang="ja")) in graph
    assert not any(str(p).startswith("http://www.w3.org/ns/shacl#") for p in graph.predicates())
    expected = Graph()
    for path in [sample.ontology, *sorted(sample.data.glob("*.ttl"))]:
        expected.parse(path, format="turtle")
    assert len(graph) == len(expected)


def test_load_binds_all_prefixes_and_invents_none(sample: Sample) -> None:
    bound = {prefix: str(ns) for prefix, ns in sample.load().namespaces()}
    for prefix, namespace in PREFIXES.items():
        assert bound[prefix] == str(namespace)
    assert bound["egov-org"] == "https://w3id.org/egov-kg/id/org/"
    assert not [prefix for prefix in bound if prefix.startswith("ns") and prefix[2:].isdigit()]


def test_prefix_map_has_the_project_namespaces() -> None:
    assert str(PREFIXES["egov"]) == "https://w3id.org/egov-kg/ontology#"
    for kind in ("doc", "org", "law", "claim", "survey"):
        assert str(PREFIXES[f"egov-{kind}"]) == f"https://w3id.org/egov-kg/id/{kind}/"
    assert str(PREFIXES["xsd"]) == str(XSD)


def test_file_prefixes_are_bound(tmp_path: Path) -> None:
    extra = {"extra.ttl": "@prefix wd: <http://www.wikidata.org/entity/> .\nwd:Q17 wd:P1 wd:Q1 .\n"}
    sample = write_sample(tmp_path, extra)
    bound = dict(sample.load().namespaces())
    assert bound["wd"] == URIRef("http://www.wikidata.org/entity/")


def test_conflicting_prefix_is_an_error(tmp_path: Path) -> None:
    text = "@prefix ex: <http://example.org/> .\n@prefix schema: <http://schema.org/> .\n"
    sample = write_sample(tmp_path, {"bad.ttl": text + "ex:a schema:name 'x' .\n"})
    with pytest.raises(DataError, match=r"bad\.ttl:2:9: prefix 'schema:'"):
        sample.load()


def test_missing_data_folder_is_an_os_error(sample: Sample, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        egov_kg.load(tmp_path / "nowhere", ontology=sample.ontology)


def test_syntax_error_in_a_data_file_names_it(tmp_path: Path) -> None:
    sample = write_sample(tmp_path, {"zz.ttl": HEADER + "ex:a ex:p\n"})
    with pytest.raises(DataError, match=r"zz\.ttl:3:1: "):
        sample.load()


def test_shipped_resources_exist() -> None:
    assert ontology_file().name == "egov.ttl"
    assert ontology_file().is_file()
    assert shapes_file().is_file()
    files = data_files()
    assert files, "no data/*.ttl shipped"
    assert files == sorted(files)


def test_shipped_graph_loads(kg: Graph) -> None:
    assert len(kg) > 0
    bound = {prefix: str(ns) for prefix, ns in kg.namespaces()}
    for prefix, namespace in PREFIXES.items():
        assert bound[prefix] == str(namespace)
