"""The native export of a loaded graph writes the rdflib path's bytes, without rdflib graphs.

``KnowledgeGraph.serialize`` reads the checked files (and closes them with the rules,
literals standing in as blank nodes); the reference is ``serialize`` of the rdflib graph
parsed from the same files (and of its closure by the fast engine, or owlrl). Both are
compared byte for byte on the shipped data, a synthetic national graph, and fixtures of
blank nodes, datatypes, language tags and prefixes.
"""

from __future__ import annotations

import importlib
import json
import unicodedata
from pathlib import Path

import pyoxigraph as ox
import pytest

import egov_kg
from conftest import run_cli
from egov_kg import native_export
from egov_kg.graph import checked_triples, load_files
from egov_kg.namespaces import ASSERTED_GRAPH, CLOSURE_GRAPH
from egov_kg.reasoning import closure
from egov_kg.rule_engine import exact_inferred, inferred_triples
from egov_kg.serialization import FORMATS, serialize
from egov_kg.synth import write_synthetic
from egov_kg.terms import to_rdflib_exact

export_module = importlib.import_module("egov_kg.serialization")

H = (
    "@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
)
ODD = {
    "blank-nodes.ttl": H
    + "_:a ex:p _:b . _:b ex:p _:a .\n_:self ex:p _:self .\n"
    + "_:x ex:q _:y . _:y ex:q _:z . _:z ex:q _:x . ex:s ex:r _:x .\n"
    + "ex:root ex:p "
    + "[ ex:p " * 40
    + "ex:leaf"
    + " ]" * 40
    + " .\n"
    + "ex:s ex:list (1 (2 (3)) [ ex:p ( ) ] ), ( ) .\n"
    + "ex:s ex:dup _:d . _:d ex:v 1 . _:d ex:v 1 .\n",
    "literals.ttl": H
    + 'ex:s ex:lines """one\ntwo\r\nthree\n""" ;\n'
    + '  ex:quotes """\'single\' \\"double\\" \\\\ back""" ;\n'
    + '  ex:lang "hello"@en-GB, "こんにちは"@ja, "x"@zh-Hant-TW, "y"@EN ;\n'
    + '  ex:custom "12 apples"^^ex:fruitCount, ""^^ex:empty ;\n'
    + '  ex:number "007"^^xsd:integer, "1.50"^^xsd:decimal, "1e3"^^xsd:double, "1"^^xsd:integer ;\n'
    + '  ex:flag "true"^^xsd:boolean, "1"^^xsd:boolean ; ex:day "2005-07-01"^^xsd:date ;\n'
    + '  ex:string "s"^^xsd:string, "s", "", "   " ;\n'
    + '  ex:nfc "'
    + unicodedata.normalize("NFD", "がぎ")
    + '" ;\n'
    + '  ex:bidi "\\u202Eevil\\u202C" .\n'
    + "ex:t a ex:C ; ex:p ex:o ; rdf:type ex:B .\n",
    # Inference over literals: a sub-property and a transitive property carry them on, an
    # inverse makes one a subject (owlrl's noise, which the rdflib path also drops).
    "schema.ttl": H
    + "@prefix dc: <http://purl.org/dc/elements/1.1/> .\n@prefix my: <urn:my:> .\n"
    + 'ex:inv owl:inverseOf ex:vni . ex:s ex:inv "lit" , ex:o2 .\n'
    + 'ex:sub rdfs:subPropertyOf ex:super . ex:s ex:sub "1.50"^^xsd:decimal, "007"^^xsd:integer .\n'
    + 'ex:tp a owl:TransitiveProperty . ex:a1 ex:tp ex:a2 . ex:a2 ex:tp "01"^^xsd:integer .\n'
    + 'ex:C rdfs:subClassOf ex:D . ex:t a ex:C . ex:t dc:title "t" . my:x ex:p my:y .\n'
    + "ex:s ex:dup _:d . _:d ex:v 1 .\n"  # the label of blank-nodes.ttl: another node
    + 'ex:s ex:lines """one\ntwo\r\nthree\n""" .\n',
}


def reference(files: list[Path], fmt: str, *, inferred: bool) -> bytes:
    """What the rdflib path writes: the rdflib graph of ``files`` (or its closure)."""
    asserted = load_files(files)
    if not inferred:
        return serialize(asserted, fmt, graph_name=ASSERTED_GRAPH)
    try:
        closed = closure(asserted, engine="fast")
    except ValueError:  # UnsupportedAxiomError: owlrl's closure
        closed = closure(asserted, engine="owlrl")
    return serialize(closed, fmt, graph_name=CLOSURE_GRAPH)


def write_data(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def shipped() -> egov_kg.KnowledgeGraph:
    return egov_kg.load()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> egov_kg.KnowledgeGraph:
    """A synthetic national graph of about 6,000 triples."""
    folder = tmp_path_factory.mktemp("synthetic")
    write_synthetic(6_000, folder)
    return egov_kg.load(folder)


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> egov_kg.KnowledgeGraph:
    return egov_kg.load(write_data(tmp_path_factory.mktemp("odd"), ODD))


@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "closure"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("graph", ["shipped", "synthetic", "odd"])
def test_native_export_writes_the_rdflib_paths_bytes(
    request: pytest.FixtureRequest, graph: str, fmt: str, inferred: bool
) -> None:
    kg: egov_kg.KnowledgeGraph = request.getfixturevalue(graph)
    native = native_export.serialize(
        kg.files,
        fmt,
        inferred=inferred,
        graph_name=str(CLOSURE_GRAPH if inferred else ASSERTED_GRAPH),
    )
    assert native is not None
    assert native == reference(list(kg.files), fmt, inferred=inferred)
    assert kg.serialize(fmt, inferred=inferred) == native


def test_lexical_forms_survive_inference(odd: egov_kg.KnowledgeGraph) -> None:
    data = odd.serialize("nt", inferred=True)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    for line in (
        f'<http://example.org/s> <http://example.org/super> "1.50"^^<{xsd}decimal> .',
        f'<http://example.org/s> <http://example.org/super> "007"^^<{xsd}integer> .',
        f'<http://example.org/a1> <http://example.org/tp> "01"^^<{xsd}integer> .',
    ):
        assert line.encode() + b"\n" in data


def test_exact_inferred_is_inferred_triples_term_for_term(odd: egov_kg.KnowledgeGraph) -> None:
    triples, _ = checked_triples(list(odd.files))
    exact = {tuple(to_rdflib_exact(term) for term in triple) for triple in exact_inferred(triples)}
    expected = inferred_triples(load_files(odd.files))
    assert exact == expected
    assert any(str(o) == "1.50" for _, _, o in exact)


def test_a_graph_only_owlrl_closes_takes_the_rdflib_path(tmp_path: Path) -> None:
    folder = write_data(
        tmp_path / "same-as",
        {"a.ttl": H + 'ex:a owl:sameAs ex:b . ex:a ex:p "1.50"^^xsd:decimal .\n'},
    )
    kg = egov_kg.load(folder)
    graph_name = str(CLOSURE_GRAPH)
    assert native_export.serialize(kg.files, "nt", inferred=True, graph_name=graph_name) is None
    data = kg.serialize("nt", inferred=True)
    assert data == reference(list(kg.files), "nt", inferred=True)
    assert b"<http://example.org/b> <http://example.org/p>" in data  # owlrl's sameAs


def test_xml_refuses_a_control_character_as_the_rdflib_path_does(tmp_path: Path) -> None:
    folder = write_data(tmp_path / "controls", {"a.ttl": H + 'ex:s ex:p "bell\\u0007" .\n'})
    kg = egov_kg.load(folder)
    with pytest.raises(ValueError) as native:
        kg.serialize("xml")
    with pytest.raises(ValueError) as rdflib_path:
        reference(list(kg.files), "xml", inferred=False)
    assert str(native.value) == str(rdflib_path.value)
    assert "control character" in str(native.value)


def test_a_lost_triple_is_an_error(
    odd: egov_kg.KnowledgeGraph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write = export_module._ox_serialize

    def dropping(statements, fmt, prefixes):  # type: ignore[no-untyped-def]
        return write(list(statements)[1:], fmt, prefixes)

    monkeypatch.setattr(export_module, "_ox_serialize", dropping)
    out = tmp_path / "kg.ttl"
    out.write_bytes(b"previous\n")
    with pytest.raises(ValueError, match="the turtle output does not give the graph back"):
        odd.export("turtle", out)
    assert out.read_bytes() == b"previous\n"


def test_a_file_that_became_malformed_is_located(tmp_path: Path) -> None:
    folder = write_data(tmp_path / "changing", {"a.ttl": H + "ex:s ex:p 1 .\n"})
    kg = egov_kg.load(folder)
    (folder / "a.ttl").write_text(H + 'ex:s ex:p "x"^^xsd:integer .\n', encoding="utf-8")
    with pytest.raises(egov_kg.DataError, match=r"a\.ttl:6:\d+: ill-typed literal"):
        kg.serialize("nt")


def test_cli_export_writes_the_rdflib_paths_bytes(
    synthetic: egov_kg.KnowledgeGraph, tmp_path: Path
) -> None:
    data = synthetic.files[1].parent
    out = tmp_path / "closure.trig"
    done = run_cli(
        ["export", "--format", "trig", "--inferred", "--data", str(data), "-o", str(out)]
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == reference(list(synthetic.files), "trig", inferred=True)


@pytest.mark.parametrize(
    "nodes",
    [
        {},
        {"_:b0": {}},
        {"ex:a": {"@type": ['"ex:C"'], "ex:p": ['{\n          "@id": "ex:b"\n        }']}},
    ],
)
def test_jsonld_layout_is_json_dumps(nodes: dict[str, dict[str, list[str]]]) -> None:
    context = {"ex": "http://example.org/"} if nodes else {}
    as_objects = {
        name: {key: [json.loads(value) for value in values] for key, values in props.items()}
        for name, props in nodes.items()
    }
    text = export_module._jsonld_text(context, nodes)
    assert text == export_module._jsonld_document(context, as_objects)


@pytest.mark.parametrize("graph", ["synthetic", "odd"])
def test_jsonld_layout_is_json_dumps_on_real_data(
    request: pytest.FixtureRequest, graph: str
) -> None:
    kg: egov_kg.KnowledgeGraph = request.getfixturevalue(graph)
    written = kg.serialize("jsonld")
    document = json.loads(written)
    again = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert written == again.encode()
    triples = kg.serialize("nt").count(b"\n")
    assert triples > 100
    assert len(list(ox.parse(written, format=ox.RdfFormat.JSON_LD))) == triples
