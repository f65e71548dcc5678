"""Loading hostile or broken data: clear errors with their place, nothing fetched, no crash."""

from __future__ import annotations

import socket
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

import egov_kg
from conftest import SAMPLE_DATA, Sample, run_cli, write_sample
from egov_kg import DataError
from egov_kg.graph import check_file, parse_file
from egov_kg.namespaces import EGOV, SKOS
from egov_kg.reasoning import closure, infer
from egov_kg.serialization import FORMATS, serialize
from egov_kg.shapes import validate
from egov_kg.terms import to_rdflib

HEADER = (
    "@prefix ex: <http://example.org/> .\n"
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
OWLRL_ERRORS = "http://www.daml.org/2002/03/agents/agent-ont#"

# (what is on line 4, the column of the fault, the token there, what the message says)
BAD_LINES: dict[str, tuple[bytes, int, str, str]] = {
    "impossible-date": (b'ex:a ex:p "2024-02-30"^^xsd:date .', 11, '"2024', "no day 2024-02-30"),
    "letters-as-integer": (b'ex:a ex:p "abc"^^xsd:integer .', 11, '"abc"', "xsd:integer"),
    "full-width-digits": (
        '"１２３"^^xsd:integer'.encode().join([b"ex:a ex:p ", b" ."]),
        11,
        '"１２３"',
        "not a valid xsd:integer",
    ),
    "python-digit-separator": (b'ex:a ex:p "1_000"^^xsd:integer .', 11, '"1_000"', "xsd:integer"),
    "padded-integer": (b'ex:a ex:p " 12"^^xsd:integer .', 11, '" 12"', "xsd:integer"),
    "out-of-range-byte": (b'ex:a ex:p "300"^^xsd:byte .', 11, '"300"', "out of the range"),
    "month-13": (b'ex:a ex:p "2005-13"^^xsd:gYearMonth .', 11, '"2005-13"', "xsd:gYearMonth"),
    "long-language-subtag": (
        b'ex:a ex:p "x"@en-abcdefghij .',
        15,
        "en-abcdefghij",
        "invalid language tag: A subtag may be eight characters in length at maximum",
    ),
    "language-tag-digit": (b'ex:a ex:p "x"@1en .', 15, "1en", "invalid language tag"),
    "infinity": (b'ex:a ex:p "INF"^^xsd:double .', 11, '"INF"', "owlrl"),
    "year-zero": (b'ex:a ex:p "0000-01-01"^^xsd:date .', 11, '"0000', "rdflib and owlrl"),
    "relative-iri": (b"<a> ex:p ex:b .", 1, "<a>", "relative IRI"),
    "nul-escaped": (b'ex:a ex:p "a\\u0000b" .', 13, "\\u0000", "NUL character (U+0000)"),
    "nul-raw": (b'ex:a ex:p "a\x00b" .', 13, "\x00", "NUL character (U+0000)"),
    "lone-surrogate-escaped": (b'ex:a ex:p "a\\uD800b" .', 13, "\\uD800", "D800"),
    "lone-surrogate-raw": (b'ex:a ex:p "a\xed\xa0\x80b" .', 13, "", "not valid UTF-8"),
    "invalid-utf8": (b'ex:a ex:p "a\xff\xfeb" .', 13, "", "not valid UTF-8"),
    "iri-not-nfc": (
        "<http://example.org/\u30ab\u3099> ex:p ex:b .".encode(),
        1,
        "<http://example.org/",
        "not in Unicode NFC",
    ),
    # RDF 1.2 syntax, which pyoxigraph reads and rdflib's model cannot hold.
    "rdf12-directional-literal": (b'ex:a ex:p "x"@en--ltr .', 14, "@en--ltr", "base direction"),
    "rdf12-reifier": (b'ex:a ex:p "x~"@en~ .', 18, "~", "RDF 1.2 triple term or reifier"),
    "rdf12-triple-term": (b"<< ex:a ex:p ex:b >> ex:p ex:c .", 1, "<<", "RDF 1.2"),
    "rdf12-annotation": (b"ex:a ex:p ex:b {| ex:q ex:c |} .", 16, "{|", "RDF 1.2"),
    "xml-literal-with-dtd": (
        b'ex:a ex:p "<!DOCTYPE x [<!ENTITY a \\"b\\">]><x>&a;</x>"^^rdf:XMLLiteral .',
        11,
        '"<!DOCTYPE',
        "DOCTYPE",
    ),
}


def error_of(path: Path) -> str:
    with pytest.raises(DataError) as caught:
        parse_file(path)
    return str(caught.value)


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_bad_input_is_a_clear_error_at_its_place(tmp_path: Path, case: str) -> None:
    line, column, token, what = BAD_LINES[case]
    path = tmp_path / "bad.ttl"
    path.write_bytes(HEADER.encode() + line + b"\n")
    message = error_of(path)
    assert message.startswith(f"{path}:4:{column}: "), message
    assert what in message, message
    assert "Traceback" not in message and "\n" not in message
    # The column counts characters and points at the token at fault.
    text = path.read_bytes().decode("utf-8", "replace").splitlines()[3]
    assert text[column - 1 :].startswith(token)


def test_a_byte_order_mark_is_refused_at_1_1(tmp_path: Path) -> None:
    path = tmp_path / "bom.ttl"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"ex:a ex:p ex:b .\n")
    assert error_of(path) == (
        f"{path}:1:1: the file starts with a UTF-8 byte order mark (U+FEFF); "
        "save it as UTF-8 without a BOM"
    )


def test_validate_command_reports_bad_data_without_a_traceback(tmp_path: Path) -> None:
    bad = {"bad.ttl": HEADER + '\nex:a ex:p "１２３"^^xsd:integer .\n'}
    sample = write_sample(tmp_path / "sample", {**SAMPLE_DATA, **bad})
    done = run_cli(["validate", *sample.args(shapes=True)])
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert stderr == (
        f'Error: {sample.data / "bad.ttl"}:5:11: ill-typed literal "１２３"^^xsd:integer: '
        "not a valid xsd:integer lexical form\n"
    )


def test_text_is_stored_nfc(tmp_path: Path) -> None:
    decomposed = "\u30ab\u3099\u30a4\u30c9"  # ガイド with a combining voiced mark
    assert not unicodedata.is_normalized("NFC", decomposed)
    path = tmp_path / "nfd.ttl"
    path.write_text(HEADER + f'ex:a ex:label "{decomposed}"@ja, "{decomposed}" .\n', "utf-8")
    graph, _ = parse_file(path)
    assert set(graph.objects()) == {Literal("ガイド", lang="ja"), Literal("ガイド")}


def test_search_keys_are_never_written_over_the_data(sample: Sample) -> None:
    """Search keys (NFKC, case-folded) live in the query store's index graph, not in data."""
    kg = egov_kg.load(sample.data, ontology=sample.ontology)
    found = kg.query("search", text="ＤＩＧＩＴＡＬ ａｇｅｎｃｙ")  # full-width: matched by its key
    assert [row["resource"] for row in found] == [
        URIRef("https://w3id.org/egov-kg/id/org/digital-agency")
    ]
    labels = set(kg.asserted.objects(None, SKOS.prefLabel))
    assert Literal("Digital Agency", lang="en") in labels  # not "digital agency"
    assert set(kg.closure.objects(None, SKOS.prefLabel)) == labels
    for graph in (kg.asserted, kg.closure):
        assert not list(graph.triples((None, EGOV.searchKey, None)))
        assert b"searchKey" not in serialize(graph, "nt")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:p>&f;</ex:p></rdf:Description>
</rdf:RDF>
"""


def test_rdf_xml_with_a_doctype_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "laughs.ttl"
    path.write_bytes(BILLION_LAUGHS)
    assert error_of(path) == (
        f"{path}:1:1: an XML document with a DOCTYPE or ENTITY declaration (RDF/XML?) is "
        "refused; egov-kg reads Turtle only"
    )


def test_only_turtle_files_of_the_data_folder_are_read(sample: Sample) -> None:
    (sample.data / "laughs.rdf").write_bytes(BILLION_LAUGHS)
    (sample.data / "context.jsonld").write_text('{"@context": "http://127.0.0.1:9/ctx"}')
    graph = sample.load()
    assert not list(graph.triples((URIRef("http://example.org/a"), None, None)))


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on a free loopback port that records every connection made to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    connections: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            with client:
                client.settimeout(1)
                try:
                    connections.append(client.recv(4096) or b"(connected)")
                except OSError:
                    connections.append(b"(connected)")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], connections
    finally:
        stop.set()
        thread.join()
        server.close()


def test_nothing_the_data_names_is_fetched(
    tmp_path: Path, listener: tuple[int, list[bytes]]
) -> None:
    port, connections = listener
    here = f"http://127.0.0.1:{port}"
    hostile = f"""\
@base <{here}/base/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix egov: <https://w3id.org/egov-kg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://w3id.org/egov-kg/ontology> owl:imports <{here}/ontology.ttl> .
<{here}/data> a owl:Ontology ; owl:imports <{here}/more.ttl>, <relative.ttl> .
<thing> a egov:Organization ; skos:prefLabel "fetched?"@en ;
    rdfs:seeAlso <{here}/see-also> ; rdfs:isDefinedBy <{here}/defined> .
"""
    sample = write_sample(tmp_path / "sample", {**SAMPLE_DATA, "hostile.ttl": hostile})
    (sample.data / "context.jsonld").write_text(
        f'{{"@context": "{here}/context.jsonld", "@id": "{here}/x", "name": "x"}}'
    )
    (sample.data / "remote.rdf").write_text(
        f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{here}/dtd"><r/>'
    )
    kg = egov_kg.load(sample.data, ontology=sample.ontology)
    assert (URIRef(f"{here}/base/thing"), SKOS.prefLabel, Literal("fetched?", lang="en")) in (
        kg.asserted
    )
    assert len(kg.closure) > len(kg.asserted)
    report = validate(data_dir=sample.data, shapes=sample.shapes, ontology=sample.ontology)
    assert "egov:founded" in report.results[0].line()  # a warning: no founding date
    for fmt in FORMATS:
        serialize(kg.closure, fmt)
    assert connections == []


H = "@prefix ex: <http://example.org/> .\n"
PATHOLOGICAL = {
    "150-deep-blank-nodes": H + "ex:root ex:p " + "[ ex:p " * 150 + "ex:leaf" + " ]" * 150 + " .\n",
    "10k-list": H + "ex:root ex:list (" + " ".join(f'"{i}"' for i in range(10_000)) + ") .\n",
    "10k-chain": H + "".join(f"ex:n{i} ex:next ex:n{i + 1} .\n" for i in range(10_000)),
    "10MB-literal": H + 'ex:root ex:text """' + "ｅ-gov 電子政府\n" * 500_000 + '""" .\n',
}


@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_pathological_but_valid_input_loads_validates_and_exports(
    tmp_path: Path, case: str
) -> None:
    sample = write_sample(tmp_path / "sample", {"case.ttl": PATHOLOGICAL[case]})
    graph = sample.load()
    assert len(graph) >= 13
    report = validate(data_dir=sample.data, shapes=sample.shapes, ontology=sample.ontology)
    assert report.conforms
    # Every format for the deep and the long; two for the 10k-item ones (time budget).
    for fmt in FORMATS if case in ("150-deep-blank-nodes", "10MB-literal") else ("nt", "jsonld"):
        data = serialize(graph, fmt)  # checks itself that the output gives the graph back
        assert len(data) > 0


@pytest.mark.parametrize("case", ["150-deep-blank-nodes", "10MB-literal"])
def test_pathological_input_infers(tmp_path: Path, case: str) -> None:
    sample = write_sample(tmp_path / "sample", {"case.ttl": PATHOLOGICAL[case]})
    graph = sample.load()
    inferred = closure(graph)
    assert len(inferred) > len(graph)


EDGE_LITERALS = H + (
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    'ex:a ex:v "+5"^^xsd:integer, "007"^^xsd:integer, "-0"^^xsd:integer, "4"^^xsd:decimal,\n'
    '    "1.50"^^xsd:decimal, "1E3"^^xsd:double, "true"^^xsd:boolean,\n'
    '    "1"^^xsd:boolean, "-1.5E-3"^^xsd:float, "2024-02-29"^^xsd:date,\n'
    '    "2024-02-29T23:59:59Z"^^xsd:dateTime,\n'
    '    "2005"^^xsd:gYear, "2005-07"^^xsd:gYearMonth, "P1Y2M"^^xsd:duration,\n'
    '    "127"^^xsd:byte, "ja"^^xsd:language, "0FB7"^^xsd:hexBinary .\n'
)


def test_inference_writes_no_error_triples(tmp_path: Path) -> None:
    """owlrl records a literal it cannot read as error triples: ill-typed ones never get there."""
    sample = write_sample(tmp_path / "sample", {**SAMPLE_DATA, "edge.ttl": EDGE_LITERALS})
    graph = sample.load()
    full = infer(graph)
    assert not [t for t in full if any(str(term).startswith(OWLRL_ERRORS) for term in t)]
    # The same literals, ill-typed, stop at loading, before any inference.
    bad = EDGE_LITERALS.replace('"2024-02-29"', '"2023-02-29"')
    (sample.data / "edge.ttl").write_text(bad, encoding="utf-8")
    with pytest.raises(DataError, match=r"edge\.ttl:5:\d+: ill-typed literal"):
        sample.load()


def test_a_literal_too_long_to_read_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "huge.ttl"
    path.write_text(H + 'ex:a ex:p "' + "x" * (17 << 20) + '" .\n', encoding="utf-8")
    assert error_of(path).startswith(f"{path}: a literal or IRI is too long to read (")


def test_loaded_graph_is_an_rdflib_graph(sample: Sample) -> None:
    assert isinstance(sample.load(), Graph)


def test_the_native_check_stores_text_nfc_as_parse_file_does(tmp_path: Path) -> None:
    """egov_kg.load checks files without rdflib: the same triples, the same errors."""
    decomposed = "\u30ab\u3099\u30a4\u30c9"
    path = tmp_path / "nfd.ttl"
    path.write_text(HEADER + f'ex:a ex:label "{decomposed}"@ja, "{decomposed}", 1.50 .\n', "utf-8")
    checked, prefixes = check_file(path)
    graph, parsed_prefixes = parse_file(path)
    assert prefixes == parsed_prefixes
    assert checked.quads is not None  # rewritten: the file cannot be bulk-loaded as it is
    assert {to_rdflib(quad.object) for quad in checked.quads} == set(graph.objects())
    clean = tmp_path / "clean.ttl"
    clean.write_text(HEADER + 'ex:a ex:label "ガイド" .\n', "utf-8")
    assert check_file(clean)[0].quads is None
    bad = tmp_path / "bad.ttl"
    bad.write_text(HEADER + 'ex:a ex:when "2024-02-30"^^xsd:date .\n', "utf-8")
    with pytest.raises(DataError) as native:
        check_file(bad)
    with pytest.raises(DataError) as reference:
        parse_file(bad)
    assert str(native.value) == str(reference.value)
    assert f"{bad}:4:" in str(native.value)
