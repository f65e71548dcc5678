"""Build the release: validated, inferred, described and written atomically into one folder.

:func:`build` loads the asserted graph (ontology + data), validates it against the SHACL
shapes (any ``sh:Violation`` stops the build before anything is written), computes its OWL 2
RL closure, and writes into the release folder:

======================================  ====================================================
``egov-kg.ttl`` / ``.nt`` / ``.jsonld``  the asserted graph: ontology + data
``egov-kg-inferred.*``                   its OWL 2 RL closure (asserted + entailed triples)
``egov-kg.trig``                         one dataset: named graphs ``.../graph/asserted``,
                                         ``.../graph/inferred`` (the closure minus the
                                         asserted triples) and ``.../graph/shapes``
``shacl-report.ttl``                     the SHACL validation report of the asserted graph
``void.ttl``                             VoID + DCAT description: counts, partitions,
                                         vocabularies, and size and SHA-256 of every other file
``org-chart-ja.svg`` ... ``.png``        the pictures of :mod:`egov_kg.drawing`: org chart,
                                         timeline and rankings, in ja and en, SVG and PNG
``ontology.html``, ``shapes.html``       documentation of the ontology (pyLODE) and shapes
======================================  ====================================================

Every file is deterministic (no timestamps, sorted triples, canonical blank nodes): two builds
of the same input are byte-identical. The folder is replaced atomically: the files are
written into a temporary sibling folder which is then renamed into place, so a failed build
leaves the previous release as it was and no temporary folder behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from egov_kg import __version__
from egov_kg.drawing import PICTURE_FILES, describe_picture
from egov_kg.graph import (
    bind_prefixes,
    bound_prefixes,
    checked_triples,
    load_files,
    new_graph,
    parse_file,
)
from egov_kg.namespaces import (
    ASSERTED_GRAPH,
    DCTERMS,
    FOAF,
    GRAPH_BASE,
    ID_BASE,
    INFERRED_GRAPH,
    PREFIXES,
    PROV,
    RDF,
    RESOURCES,
    VOID,
    XSD,
)
from egov_kg.ontology_docs import DOCUMENTATION_FILES, describe_documentation
from egov_kg.reasoning import cached_closure
from egov_kg.resources import data_files, ontology_file, shapes_file
from egov_kg.rule_engine import UnsupportedAxiomError, exact_inferred
from egov_kg.serialization import (
    fsync_directory,
    oxigraph_triple,
    serialize,
    serialize_dataset_statements,
    serialize_statements,
)
from egov_kg.terms import to_rdflib_exact

if TYPE_CHECKING:  # pragma: no cover
    from egov_kg.shapes import Engine, ValidationReport

if sys.platform != "win32":
    import fcntl

__all__ = [
    "DEFAULT_OUT_DIR",
    "RELEASE_FILES",
    "SHAPES_GRAPH",
    "BuildError",
    "BuildReport",
    "NonConformingGraphError",
    "ValidationSummary",
    "build",
]

DEFAULT_OUT_DIR: Final = Path("release")
SHAPES_GRAPH: Final = URIRef(f"{GRAPH_BASE}shapes")

DCAT: Final = Namespace("http://www.w3.org/ns/dcat#")
_OX_RDF_TYPE: Final = ox.NamedNode(str(RDF.type))
SPDX: Final = Namespace("http://spdx.org/rdf/terms#")
RELEASE: Final = Namespace("https://w3id.org/egov-kg/void#")
"""Namespace of the resources that only the VoID description has (datasets, files)."""
_IANA: Final = "https://www.iana.org/assignments/media-types/"
_W3C_FORMATS: Final = Namespace("http://www.w3.org/ns/formats/")
_CC_BY_4: Final = URIRef("https://creativecommons.org/licenses/by/4.0/")
_ONTOLOGY: Final = URIRef("https://w3id.org/egov-kg/ontology")
_SOURCE_DECK: Final = RESOURCES["doc"]["building-e-government-2005"]

_DATASET: Final = RELEASE["egov-kg"]
_INFERRED_DATASET: Final = RELEASE["egov-kg-inferred"]
_PUBLISHER: Final = RELEASE["egov-kg-project"]

VOID_FILE: Final = "void.ttl"
SHACL_REPORT_FILE: Final = "shacl-report.ttl"


@dataclass(frozen=True)
class _FileSpec:
    """One file of the release other than ``void.ttl``: what it holds and how it is written."""

    name: str
    content: str  # "asserted", "closure", "dataset", "report"; "extra": a picture or a page
    fmt: str
    media_type: str
    format_iri: URIRef
    en: str
    ja: str


_FILES: Final[tuple[_FileSpec, ...]] = (
    _FileSpec(
        "egov-kg.ttl",
        "asserted",
        "turtle",
        "text/turtle",
        _W3C_FORMATS.Turtle,
        "The asserted graph (ontology and data) as Turtle.",
        "明示されたグラフ (オントロジーとデータ)、Turtle 形式。",
    ),
    _FileSpec(
        "egov-kg.nt",
        "asserted",
        "nt",
        "application/n-triples",
        _W3C_FORMATS["N-Triples"],
        "The asserted graph (ontology and data) as N-Triples.",
        "明示されたグラフ (オントロジーとデータ)、N-Triples 形式。",
    ),
    _FileSpec(
        "egov-kg.jsonld",
        "asserted",
        "jsonld",
        "application/ld+json",
        _W3C_FORMATS["JSON-LD"],
        "The asserted graph (ontology and data) as JSON-LD.",
        "明示されたグラフ (オントロジーとデータ)、JSON-LD 形式。",
    ),
    _FileSpec(
        "egov-kg-inferred.ttl",
        "closure",
        "turtle",
        "text/turtle",
        _W3C_FORMATS.Turtle,
        "The OWL 2 RL closure of the asserted graph (asserted and entailed triples) as Turtle.",
        "明示されたグラフの OWL 2 RL 閉包 (明示トリプルと推論トリプル)、Turtle 形式。",
    ),
    _FileSpec(
        "egov-kg-inferred.nt",
        "closure",
        "nt",
        "application/n-triples",
        _W3C_FORMATS["N-Triples"],
        "The OWL 2 RL closure of the asserted graph (asserted and entailed triples) as N-Triples.",
        "明示されたグラフの OWL 2 RL 閉包 (明示トリプルと推論トリプル)、N-Triples 形式。",
    ),
    _FileSpec(
        "egov-kg-inferred.jsonld",
        "closure",
        "jsonld",
        "application/ld+json",
        _W3C_FORMATS["JSON-LD"],
        "The OWL 2 RL closure of the asserted graph (asserted and entailed triples) as JSON-LD.",
        "明示されたグラフの OWL 2 RL 閉包 (明示トリプルと推論トリプル)、JSON-LD 形式。",
    ),
    _FileSpec(
        "egov-kg.trig",
        "dataset",
        "trig",
        "application/trig",
        _W3C_FORMATS.TriG,
        f"One TriG dataset of three named graphs: <{ASSERTED_GRAPH}> (ontology and data), "
        f"<{INFERRED_GRAPH}> (the OWL 2 RL entailments only: the closure minus the asserted "
        f"triples) and <{SHAPES_GRAPH}> (the SHACL shapes).",
        f"三つの名前付きグラフからなる TriG データセット: <{ASSERTED_GRAPH}> (オントロジーと"
        f"データ)、<{INFERRED_GRAPH}> (OWL 2 RL で推論されたトリプルのみ。閉包から明示トリプルを"
        f"除いたもの)、<{SHAPES_GRAPH}> (SHACL シェイプ)。",
    ),
    _FileSpec(
        SHACL_REPORT_FILE,
        "report",
        "turtle",
        "text/turtle",
        _W3C_FORMATS.Turtle,
        "The SHACL validation report of the asserted graph against the shapes.",
        "明示されたグラフをシェイプで検証した SHACL 検証レポート。",
    ),
)

# The pictures (egov_kg.drawing) and the documentation of the ontology and the shapes.
_EXTRA_FORMATS: Final[Mapping[str, tuple[str, URIRef]]] = {
    "svg": ("image/svg+xml", URIRef("http://www.w3.org/TR/SVG11/")),
    "png": ("image/png", URIRef("http://www.w3.org/TR/png/")),
    "html": ("text/html", URIRef("https://html.spec.whatwg.org/")),
}
_EXTRA_FILES: Final[tuple[_FileSpec, ...]] = tuple(
    _FileSpec(name, "extra", "", *_EXTRA_FORMATS[name.rpartition(".")[2]], *describe(name))
    for names, describe in (
        (PICTURE_FILES, describe_picture),
        (DOCUMENTATION_FILES, describe_documentation),
    )
    for name in names
)

RELEASE_FILES: Final[tuple[str, ...]] = tuple(
    sorted([*(spec.name for spec in (*_FILES, *_EXTRA_FILES)), VOID_FILE])
)
"""The names of the files a release folder holds."""


class BuildError(ValueError):
    """The release cannot be built (or put in place); the previous release is untouched."""


class NonConformingGraphError(BuildError):
    """The asserted graph has SHACL violations: nothing was written.

    Attributes:
        report: the full validation report.
        lines: one line per ``sh:Violation``.
    """

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        self.lines: tuple[str, ...] = tuple(
            result.line() for result in report.results if result.severity == "Violation"
        )
        super().__init__(f"{report.summary}; the release was not written\n" + "\n".join(self.lines))


@dataclass(frozen=True)
class ValidationSummary:
    """What SHACL validation of the asserted graph found.

    Attributes:
        conforms: no ``sh:Violation`` (always true in a written release).
        violations: number of ``sh:Violation`` results.
        warnings: number of ``sh:Warning`` results.
        infos: number of ``sh:Info`` results.
        summary: one line with those counts.
        lines: one line per result, violations first.
        report_triples: triples in ``shacl-report.ttl``.
    """

    conforms: bool
    violations: int
    warnings: int
    infos: int
    summary: str
    lines: tuple[str, ...]
    report_triples: int


@dataclass(frozen=True)
class BuildReport:
    """The outcome of :func:`build`.

    Attributes:
        out_dir: the release folder (absolute).
        files: file name -> size in bytes, sorted by name.
        asserted_triples: triples of the asserted graph (ontology + data).
        closure_triples: triples of its OWL 2 RL closure (``egov-kg-inferred.*``).
        inferred_triples: entailed triples only, the closure minus the asserted graph (the
            named graph ``.../graph/inferred`` of ``egov-kg.trig``).
        shapes_triples: triples of the SHACL shapes (``.../graph/shapes``).
        validation: the SHACL validation summary.
    """

    out_dir: Path
    files: Mapping[str, int] = field(repr=False)
    asserted_triples: int
    closure_triples: int
    inferred_triples: int
    shapes_triples: int
    validation: ValidationSummary

    @property
    def text(self) -> str:
        """A readable summary: triple counts and the files with their sizes."""
        width = max(len(name) for name in self.files)
        lines = [
            f"egov-kg: wrote the release into {self.out_dir}: "
            f"{self.asserted_triples} asserted triples, {self.closure_triples} in the OWL 2 RL "
            f"closure ({self.inferred_triples} inferred), {self.shapes_triples} in the shapes",
            *(f"  {name:<{width}}  {size:>10,} bytes" for name, size in self.files.items()),
        ]
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# VoID + DCAT description
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Statistics:
    """The VoID statistics of one graph, counted in Python (tests count them in SPARQL)."""

    triples: int
    entities: int
    classes: Mapping[Node, int]  # class -> distinct IRI instances
    properties: Mapping[Node, int]  # property -> triples
    distinct_subjects: int
    distinct_objects: int

    @classmethod
    def of(cls, triples: Iterable[ox.Triple]) -> _Statistics:
        """Count ``triples`` (pyoxigraph terms); classes and properties as rdflib terms."""
        subjects: set[object] = set()
        objects: set[object] = set()
        instances: dict[object, set[object]] = {}
        properties: Counter[object] = Counter()
        count = 0
        rdf_type, named = _OX_RDF_TYPE, ox.NamedNode
        for subject, predicate, obj in triples:
            count += 1
            subjects.add(subject)
            objects.add(obj)
            properties[predicate] += 1
            if predicate == rdf_type:
                members = instances.setdefault(obj, set())
                if type(subject) is named:
                    members.add(subject)
        return cls(
            triples=count,
            entities=sum(1 for subject in subjects if type(subject) is named),
            classes={to_rdflib_exact(c): len(members) for c, members in instances.items()},  # type: ignore[arg-type]
            properties={to_rdflib_exact(p): n for p, n in properties.items()},  # type: ignore[arg-type]
            distinct_subjects=len(subjects),
            distinct_objects=len(objects),
        )


def _vocabularies(bound: Mapping[str, str], stats: _Statistics) -> set[URIRef]:
    """The namespaces of the classes and properties used: known prefixes first, else cut.

    ``bound``: the prefixes the graph binds.
    """
    known = {str(ns) for ns in PREFIXES.values()} | set(bound.values())
    known -= {str(ns) for ns in RESOURCES.values()} | {ID_BASE}
    found: set[URIRef] = set()
    for term in [*stats.classes, *stats.properties]:
        iri = str(term)
        if not isinstance(term, URIRef):
            continue
        matches = [ns for ns in known if iri.startswith(ns) and len(iri) > len(ns)]
        if matches:
            found.add(URIRef(max(matches, key=len)))
            continue
        cut = max(iri.rfind("#"), iri.rfind("/"))
        if cut > 0:
            found.add(URIRef(iri[: cut + 1]))
    return found


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def _slug(term: Node, prefixes: Mapping[str, str]) -> str:
    """A readable, unique fragment for a class or property: ``org-Organization``."""
    iri = str(term)
    matches = [(ns, p) for p, ns in prefixes.items() if p and iri.startswith(ns) and iri != ns]
    if matches:
        namespace, prefix = max(matches, key=lambda match: (len(match[0]), match[1]))
        local = iri[len(namespace) :]
        if re.fullmatch(r"[A-Za-z0-9_.~-]+", local):
            return f"{prefix}-{local}"
    return hashlib.sha256(iri.encode()).hexdigest()[:16]


def _slugs(terms: Iterable[Node], prefixes: Mapping[str, str]) -> dict[Node, str]:
    """:func:`_slug` of each term; a slug that two terms would share becomes a hash."""
    slugs = {term: _slug(term, prefixes) for term in terms}
    shared = {slug for slug, count in Counter(slugs.values()).items() if count > 1}
    return {
        term: hashlib.sha256(str(term).encode()).hexdigest()[:16] if slug in shared else slug
        for term, slug in slugs.items()
    }


def _describe_statistics(
    void: Graph, dataset: URIRef, stats: _Statistics, prefixes: Mapping[str, str]
) -> None:
    """Add the VoID counts and class and property partitions of ``stats`` to ``dataset``.

    Partitions get IRIs (``egov-void:egov-kg-class-org-Organization``), not blank nodes, so
    that ``void.ttl`` stays readable and diffable.
    """
    void.add((dataset, VOID.triples, _integer(stats.triples)))
    void.add((dataset, VOID.entities, _integer(stats.entities)))
    void.add((dataset, VOID.classes, _integer(len(stats.classes))))
    void.add((dataset, VOID.properties, _integer(len(stats.properties))))
    void.add((dataset, VOID.distinctSubjects, _integer(stats.distinct_subjects)))
    void.add((dataset, VOID.distinctObjects, _integer(stats.distinct_objects)))
    classes = _slugs(stats.classes, prefixes)
    properties = _slugs(stats.properties, prefixes)
    for cls, count in stats.classes.items():
        partition = URIRef(f"{dataset}-class-{classes[cls]}")
        void.add((dataset, VOID.classPartition, partition))
        void.add((partition, VOID["class"], cls))
        void.add((partition, VOID.entities, _integer(count)))
    for prop, count in stats.properties.items():
        partition = URIRef(f"{dataset}-property-{properties[prop]}")
        void.add((dataset, VOID.propertyPartition, partition))
        void.add((partition, VOID.property, prop))
        void.add((partition, VOID.triples, _integer(count)))


def _license(asserted: Iterable[ox.Triple]) -> Node:
    """The licence the ontology declares (CC BY 4.0); the first in IRI order if several."""
    ontology, license_ = ox.NamedNode(str(_ONTOLOGY)), ox.NamedNode(str(DCTERMS.license))
    found = [t.object for t in asserted if t.subject == ontology and t.predicate == license_]
    if not found:
        return _CC_BY_4
    return to_rdflib_exact(min(found, key=str))  # type: ignore[arg-type]


def _describe_file(void: Graph, dataset: URIRef, spec: _FileSpec, data: bytes) -> None:
    distribution = RELEASE[f"file-{spec.name}"]
    checksum = RELEASE[f"file-{spec.name}-sha256"]
    void.add((dataset, DCAT.distribution, distribution))
    void.add((distribution, RDF.type, DCAT.Distribution))
    void.add((distribution, DCTERMS.title, Literal(spec.name)))
    void.add((distribution, DCTERMS.description, Literal(spec.en, lang="en")))
    void.add((distribution, DCTERMS.description, Literal(spec.ja, lang="ja")))
    void.add((distribution, DCAT.mediaType, URIRef(f"{_IANA}{spec.media_type}")))
    void.add((distribution, DCTERMS.conformsTo, spec.format_iri))
    void.add(
        (distribution, DCAT.byteSize, Literal(str(len(data)), datatype=XSD.nonNegativeInteger))
    )
    void.add((distribution, SPDX.checksum, checksum))
    void.add((checksum, RDF.type, SPDX.Checksum))
    void.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    digest = hashlib.sha256(data).hexdigest()
    void.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))


def _void(graphs: _Graphs, files: Mapping[str, bytes]) -> Graph:
    """The VoID + DCAT description of the release whose other files are ``files``."""
    prefixes = graphs.prefixes
    void = bind_prefixes(
        new_graph(),
        {**prefixes, "dcat": str(DCAT), "spdx": str(SPDX), "egov-void": str(RELEASE)},
    )
    asserted_stats = _Statistics.of(graphs.asserted)
    closure_stats = _Statistics.of(graphs.closure)
    licence = _license(graphs.asserted)
    ds, inferred = _DATASET, _INFERRED_DATASET
    for node in (ds, inferred):
        void.add((node, RDF.type, VOID.Dataset))
        void.add((node, RDF.type, DCAT.Dataset))
        void.add((node, DCTERMS.publisher, _PUBLISHER))
        void.add((node, DCTERMS.license, licence))
        void.add((node, DCTERMS.source, _SOURCE_DECK))
        void.add((node, DCAT.version, Literal(__version__)))
        void.add((node, VOID.uriSpace, Literal(ID_BASE)))
    void.add((ds, DCTERMS.title, Literal("egov-kg: 電子政府構築の知識グラフ", lang="ja")))
    void.add(
        (
            ds,
            DCTERMS.title,
            Literal("egov-kg: a knowledge graph of Japan's e-government build-out", lang="en"),
        )
    )
    void.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "総務省資料「電子政府構築に向けた取組」(2005年) がスライドごとに述べる事実と、"
                "公開資料から補った事実 (出典付き) を、OWL オントロジーと SHACL シェイプに沿って"
                "RDF で表した知識グラフ。件数は明示されたグラフ (オントロジーとデータ) のもの。",
                lang="ja",
            ),
        )
    )
    void.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "What the 2005 MIC deck 'Initiatives towards building e-government' states, "
                "slide by slide, plus facts from public sources (each with its source), as RDF "
                "following an OWL ontology and SHACL shapes. Counts are those of the asserted "
                "graph (ontology and data).",
                lang="en",
            ),
        )
    )
    void.add((ds, VOID.subset, inferred))
    void.add((inferred, PROV.wasDerivedFrom, ds))
    void.add((inferred, DCTERMS.title, Literal("egov-kg: OWL 2 RL 閉包", lang="ja")))
    void.add((inferred, DCTERMS.title, Literal("egov-kg: OWL 2 RL closure", lang="en")))
    void.add(
        (
            inferred,
            DCTERMS.description,
            Literal(
                "明示されたグラフと、その OWL 2 RL 閉包 (owlrl、公理的な自明トリプルを除く) で"
                "推論されたトリプル。件数はこの閉包のもの。",
                lang="ja",
            ),
        )
    )
    void.add(
        (
            inferred,
            DCTERMS.description,
            Literal(
                "The asserted graph plus the triples its OWL 2 RL closure entails (owlrl, "
                "without axiomatic noise). Counts are those of the closure.",
                lang="en",
            ),
        )
    )
    void.add((_PUBLISHER, RDF.type, FOAF.Agent))
    void.add((_PUBLISHER, FOAF.name, Literal("egov-kg プロジェクト", lang="ja")))
    void.add((_PUBLISHER, FOAF.name, Literal("The egov-kg project", lang="en")))
    names = {**prefixes, **{p: str(ns) for p, ns in PREFIXES.items()}}
    _describe_statistics(void, ds, asserted_stats, names)
    _describe_statistics(void, inferred, closure_stats, names)
    for vocabulary in _vocabularies(prefixes, asserted_stats):
        void.add((ds, VOID.vocabulary, vocabulary))
    for vocabulary in _vocabularies(graphs.closure_prefixes, closure_stats):
        void.add((inferred, VOID.vocabulary, vocabulary))
    for spec in (*_FILES, *_EXTRA_FILES):
        owner = inferred if spec.content == "closure" else ds
        _describe_file(void, owner, spec, files[spec.name])
    return void


# ---------------------------------------------------------------------------
# Writing the folder atomically
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (so two builds never swap at the same time)."""
    if sys.platform == "win32":  # pragma: no cover
        yield
        return
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - not lockable: go on without
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock


def _check_replaceable(out_dir: Path) -> None:
    """Refuse to replace anything but a folder of release files (or an empty folder)."""
    if out_dir.is_symlink() or not out_dir.is_dir():
        raise BuildError(f"{out_dir}: exists and is not a folder; not replacing it")
    foreign = sorted(entry.name for entry in out_dir.iterdir() if entry.name not in RELEASE_FILES)
    if foreign:
        raise BuildError(
            f"{out_dir}: holds files that are not part of an egov-kg release "
            f"({', '.join(foreign[:5])}{'...' if len(foreign) > 5 else ''}); not replacing it"
        )


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` in place of ``out_dir``: old one aside, new one in, old one deleted."""
    parent = out_dir.parent
    with _locked(parent):
        if not out_dir.exists() and not out_dir.is_symlink():
            os.rename(staging, out_dir)
            fsync_directory(parent)
            return
        _check_replaceable(out_dir)
        aside = parent / f".{out_dir.name}.old-{secrets.token_hex(6)}"
        os.rename(out_dir, aside)
        try:
            os.rename(staging, out_dir)
        except BaseException:
            os.rename(aside, out_dir)
            raise
        fsync_directory(parent)
    shutil.rmtree(aside, ignore_errors=True)


def _write(folder: Path, name: str, data: bytes) -> None:
    with open(folder / name, "xb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _absolute(path: Path | str) -> Path:
    """``path`` made absolute and normalised (``.`` and ``..`` resolved, symlinks kept)."""
    return Path(os.path.abspath(path))


def _prefixes(*bindings: Mapping[str, str]) -> dict[str, str]:
    """The prefixes of ``bindings``, the first binding of a prefix winning."""
    prefixes: dict[str, str] = {}
    for bound in bindings:
        for prefix, namespace in bound.items():
            prefixes.setdefault(prefix, namespace)
    return prefixes


@dataclass(frozen=True)
class _Graphs:
    """The release's graphs as sets of pyoxigraph triples, literals as written.

    Attributes:
        asserted: the ontology and the data.
        closure: the asserted triples and what OWL 2 RL entails from them.
        inferred: the closure minus the asserted triples.
        prefixes: the prefixes the asserted graph binds.
        closure_prefixes: the prefixes the closure and the inferred graph bind.
    """

    asserted: frozenset[ox.Triple]
    closure: frozenset[ox.Triple]
    inferred: frozenset[ox.Triple]
    prefixes: Mapping[str, str]
    closure_prefixes: Mapping[str, str]

    @classmethod
    def read(cls, files: Sequence[Path]) -> _Graphs:
        """Read ``files`` as strictly as :func:`egov_kg.graph.load`, and close them.

        Without rdflib graphs (minutes at a million triples): the files are checked into
        pyoxigraph triples and closed by the rules of ``ontology/rules/``
        (:func:`~egov_kg.rule_engine.exact_inferred`, the same triples as
        :func:`~egov_kg.reasoning.cached_closure`); a graph only owlrl can close gets its
        closure from there.
        """
        statements, extra = checked_triples(files)
        asserted = frozenset(statement.triple for statement in statements)
        del statements
        prefixes = bound_prefixes(extra)
        try:
            added: Iterable[ox.Triple] = exact_inferred(asserted)
        except UnsupportedAxiomError:
            added = (oxigraph_triple(t) for t in cached_closure(load_files(files)))
        closure = asserted.union(added)
        return cls(asserted, closure, closure - asserted, prefixes, bound_prefixes(prefixes))


def _summary(report: ValidationReport, report_graph: Graph) -> ValidationSummary:
    return ValidationSummary(
        conforms=report.conforms,
        violations=report.count("Violation"),
        warnings=report.count("Warning"),
        infos=report.count("Info"),
        summary=report.summary,
        lines=tuple(result.line() for result in report.results),
        report_triples=len(report_graph),
    )


def _validation_engine() -> Engine:
    """pyshacl-turbo when installed (the same results, ten times faster), else pyshacl."""
    return "turbo" if importlib.util.find_spec("pyshacl_turbo") is not None else "pyshacl"


def _pictures_and_documentation(data_dir: Path | str | None) -> dict[str, bytes]:
    """The pictures of the graph and the ontology's and shapes' documentation pages."""
    from egov_kg.drawing import picture_files
    from egov_kg.knowledge_graph import load as load_knowledge_graph
    from egov_kg.ontology_docs import documentation_files

    return {**picture_files(load_knowledge_graph(data_dir)), **documentation_files()}


def build(out_dir: Path | str, *, data_dir: Path | str | None = None) -> BuildReport:
    """Validate, infer and write the release into ``out_dir``, replacing it atomically.

    Args:
        out_dir: the release folder. It is created, or replaced when it holds a previous
            release (only release files, see :data:`RELEASE_FILES`); its parent must exist
            or be creatable.
        data_dir: folder of Turtle data files; default: the shipped ``data/``.

    Returns:
        What was written: files and sizes, triple counts, the validation summary.

    Raises:
        NonConformingGraphError: the asserted graph has SHACL violations; nothing is written.
        BuildError: ``out_dir`` holds something else than a release.
        DataError: a Turtle file is malformed.
        OSError: a file cannot be read or written.
    """
    from egov_kg.shapes import validate  # pyshacl is slow to import

    target = _absolute(out_dir)
    if target.exists() or target.is_symlink():
        _check_replaceable(target)  # fail early, before the slow steps

    files = [ontology_file(), *data_files(data_dir)]
    report = validate(data_dir=data_dir, engine=_validation_engine())
    if not report.conforms:
        raise NonConformingGraphError(report)
    # Drawn before the graphs are read: the query store they need is freed before then.
    extras = _pictures_and_documentation(data_dir)
    graphs = _Graphs.read(files)
    shapes, shapes_prefixes = parse_file(shapes_file())
    bind_prefixes(shapes, shapes_prefixes)
    shapes_bound = {prefix: str(ns) for prefix, ns in shapes.namespaces()}
    report_graph = bind_prefixes(new_graph(), _prefixes(graphs.prefixes, shapes_bound))
    report_graph += report.graph

    asserted, closure = list(graphs.asserted), list(graphs.closure)
    contents: dict[str, Callable[[str], bytes]] = {
        "asserted": lambda fmt: serialize_statements(asserted, graphs.prefixes, fmt),
        "closure": lambda fmt: serialize_statements(
            closure, graphs.closure_prefixes, fmt, graph_name=INFERRED_GRAPH
        ),
        "dataset": lambda fmt: serialize_dataset_statements(
            {
                ASSERTED_GRAPH: asserted,
                INFERRED_GRAPH: list(graphs.inferred),
                SHAPES_GRAPH: [oxigraph_triple(triple) for triple in shapes],
            },
            [graphs.prefixes, graphs.closure_prefixes, shapes_bound],
            fmt,
        ),
        "report": lambda fmt: serialize(report_graph, fmt),
    }

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes 0700: use the usual mode
        written: dict[str, bytes] = {}
        for spec in _FILES:
            data = contents[spec.content](spec.fmt)
            _write(staging, spec.name, data)
            written[spec.name] = data
        for name, data in extras.items():
            _write(staging, name, data)
            written[name] = data
        void = _void(graphs, written)
        _write(staging, VOID_FILE, serialize(void, "turtle"))
        fsync_directory(staging)
        sizes = {name: (staging / name).stat().st_size for name in RELEASE_FILES}
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildReport(
        out_dir=target,
        files=MappingProxyType(dict(sorted(sizes.items()))),
        asserted_triples=len(graphs.asserted),
        closure_triples=len(graphs.closure),
        inferred_triples=len(graphs.inferred),
        shapes_triples=len(shapes),
        validation=_summary(report, report_graph),
    )
