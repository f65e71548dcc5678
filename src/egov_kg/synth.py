"""Grow the shipped data into a synthetic national graph of a chosen size, for benchmarks.

The graph keeps the shipped data and adds, in the ontology's own patterns, Japan's 47
prefectures and their municipalities (1,741, then more synthetic local bodies) as LGWAN
participants, the ministries with their bureaus, ministers, CIOs and councils (chair and
vice-chair posts, establishment events), laws with their passage, promulgation, entry into
force, amending acts and repeals, and LGWAN coverage statistics month by month. Every
synthetic resource has a slug starting ``synthetic-``, labels ending in ``(合成)`` /
``(synthetic)``, and names the outside source ``egov-source:synthetic-national-graph``.

The prefectures and ministries come from the tables in ``egov_kg/synthetic/``; the rest is
drawn from a seeded random generator, so one seed always gives byte-identical files.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pyoxigraph as ox

from egov_kg.iris import PREFIX_IRIS
from egov_kg.resources import data_files, synthetic_dir

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

__all__ = ["synthesize", "synthetic_triples", "write_synthetic"]

_FILES: Final = ("organisations", "laws", "networks", "statistics", "periods")
"""The concerns, one Turtle file each: ``synthetic-<concern>.ttl``."""

_HEADER: Final = (
    b"# Synthetic data made by `egov-kg synth` for benchmarks: made-up facts, not the deck's.\n"
)
_FIRST_DAY: Final = dt.date(1950, 1, 1)
_LAST_DAY: Final = dt.date(2025, 12, 31)
_FIRST_MONTH: Final = (1995, 1)
_MONTHS: Final = 12 * (2025 - 1995 + 1)
_SCOPES: Final = ("prefectures", "municipalities")
_SCOPE_LABELS: Final = {
    "prefectures": ("都道府県", "prefecture"),
    "municipalities": ("市区町村", "municipalities"),
}


def _ns(prefix: str) -> str:
    return PREFIX_IRIS[prefix]


def _iri(prefix: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(_ns(prefix) + local)


_RDF_TYPE: Final = _iri("rdf", "type")
_PREF_LABEL: Final = _iri("skos", "prefLabel")
_SOURCE: Final = _iri("dcterms", "source")
_BASIS: Final = _iri("egov", "basis")
_CONFIDENCE: Final = _iri("egov", "confidence")
_OUTSIDE: Final = _iri("egov-concept", "basis-outside-source")
_MEDIUM: Final = _iri("egov-concept", "confidence-medium")
_SYNTHETIC_SOURCE: Final = _iri("egov-source", "synthetic-national-graph")
_XSD_DATE: Final = _iri("xsd", "date")
_XSD_GYEARMONTH: Final = _iri("xsd", "gYearMonth")
_XSD_INTEGER: Final = _iri("xsd", "integer")
_XSD_DECIMAL: Final = _iri("xsd", "decimal")
_XSD_STRING: Final = _iri("xsd", "string")
_MONTH_NAMES: Final = tuple(calendar.month_name)


def _p(curie: str) -> ox.NamedNode:
    prefix, local = curie.split(":", 1)
    return _iri(prefix, local)


@dataclass(frozen=True)
class _Prefecture:
    slug: str
    ja: str
    en: str
    municipalities: int


@dataclass(frozen=True)
class _Ministry:
    slug: str
    ja: str
    en: str


def _read_table(name: str) -> list[dict[str, str]]:
    with (synthetic_dir() / name).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _prefectures() -> list[_Prefecture]:
    return [
        _Prefecture(row["slug"], row["ja"], row["en"], int(row["municipalities"]))
        for row in _read_table("prefectures.csv")
    ]


def _ministries() -> list[_Ministry]:
    return [_Ministry(row["slug"], row["ja"], row["en"]) for row in _read_table("ministries.csv")]


@dataclass
class _Builder:
    """Collect triples per file, with helpers for the patterns every resource repeats."""

    known_periods: set[str]
    rng: random.Random
    files: dict[str, list[ox.Triple]] = field(default_factory=lambda: {n: [] for n in _FILES})
    count: int = 0

    def add(
        self, file: str, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal
    ) -> None:
        self.files[file].append(ox.Triple(s, p, o))
        self.count += 1

    def resource(self, file: str, s: ox.NamedNode, kind: str, ja: str, en: str) -> None:
        """Type, two labels, and the synthetic provenance (source, basis, confidence)."""
        self.add(file, s, _RDF_TYPE, _p(kind))
        self.add(file, s, _PREF_LABEL, ox.Literal(f"{ja} (合成)", language="ja"))
        self.add(file, s, _PREF_LABEL, ox.Literal(f"{en} (synthetic)", language="en"))
        self.add(file, s, _SOURCE, _SYNTHETIC_SOURCE)
        self.add(file, s, _BASIS, _OUTSIDE)
        self.add(file, s, _CONFIDENCE, _MEDIUM)

    def day(self, day: dt.date) -> ox.NamedNode:
        """Return the period of ``day``, describing it on first use."""
        text = day.isoformat()
        node = _iri("egov-period", text)
        if text not in self.known_periods:
            self.known_periods.add(text)
            literal = ox.Literal(text, datatype=_XSD_DATE)
            self._period(
                node,
                f"{day.year}年{day.month}月{day.day}日",
                f"{day.day} {_MONTH_NAMES[day.month]} {day.year}",
                literal,
                "time:unitDay",
                text,
                text,
            )
        return node

    def month(self, year: int, month: int) -> ox.NamedNode:
        """Return the period of a month, describing it on first use."""
        text = f"{year:04d}-{month:02d}"
        node = _iri("egov-period", text)
        if text not in self.known_periods:
            self.known_periods.add(text)
            last = calendar.monthrange(year, month)[1]
            self._period(
                node,
                f"{year}年{month}月",
                f"{_MONTH_NAMES[month]} {year}",
                ox.Literal(text, datatype=_XSD_GYEARMONTH),
                "time:unitMonth",
                f"{text}-01",
                f"{text}-{last:02d}",
            )
        return node

    def _period(
        self,
        node: ox.NamedNode,
        ja: str,
        en: str,
        date: ox.Literal,
        precision: str,
        first: str,
        last: str,
    ) -> None:
        add = self.add
        add("periods", node, _RDF_TYPE, _p("time:ProperInterval"))
        add("periods", node, _PREF_LABEL, ox.Literal(ja, language="ja"))
        add("periods", node, _PREF_LABEL, ox.Literal(en, language="en"))
        add("periods", node, _p("egov:date"), date)
        add("periods", node, _p("egov:precision"), _p(precision))
        add("periods", node, _p("egov:earliestDay"), ox.Literal(first, datatype=_XSD_DATE))
        add("periods", node, _p("egov:latestDay"), ox.Literal(last, datatype=_XSD_DATE))
        add("periods", node, _SOURCE, _SYNTHETIC_SOURCE)

    def random_day(self, start: dt.date, end: dt.date = _LAST_DAY) -> dt.date:
        if start >= end:
            return end
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def event(
        self,
        file: str,
        slug: str,
        kind: str,
        of: ox.NamedNode,
        when: dt.date,
        ja: str,
        en: str,
    ) -> None:
        node = _iri("egov-event", slug)
        self.resource(file, node, kind, ja, en)
        self.add(file, node, _p("egov:eventOf"), of)
        if kind == "egov:Establishment":
            self.add(file, node, _p("org:resultingOrganization"), of)
        self.add(file, node, _p("time:hasTime"), self.day(when))

    def body(
        self,
        slug: str,
        ja: str,
        en: str,
        kind: str,
        parent: ox.NamedNode | None,
        founded: dt.date,
    ) -> ox.NamedNode:
        """An organisation with its kind, parent and establishment event."""
        node = _iri("egov-org", slug)
        self.resource("organisations", node, "org:Organization", ja, en)
        self.add("organisations", node, _p("org:classification"), _iri("egov-concept", kind))
        if parent is not None:
            self.add("organisations", node, _p("org:subOrganizationOf"), parent)
        self.event(
            "organisations",
            f"{slug}-establishment",
            "egov:Establishment",
            node,
            founded,
            f"{ja} 設置",
            f"{en} established",
        )
        return node

    def post(
        self,
        slug: str,
        ja: str,
        en: str,
        body: ox.NamedNode,
        role: str | None = None,
        holder: ox.NamedNode | None = None,
    ) -> ox.NamedNode:
        node = _iri("egov-post", slug)
        self.resource("organisations", node, "org:Post", ja, en)
        self.add("organisations", node, _p("org:postIn"), body)
        if role is not None and holder is not None:
            self.add("organisations", node, _p("org:role"), _iri("egov-concept", role))
            self.add("organisations", node, _p("egov:heldExOfficioBy"), holder)
        return node


@dataclass(frozen=True)
class _MinistryNodes:
    ministry: _Ministry
    node: ox.NamedNode
    minister: ox.NamedNode
    cio: ox.NamedNode
    founded: dt.date


class _Generator:
    """Emit the fixed frame (source, kinds, prefectures, ministries), then units until full."""

    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.prefectures = _prefectures()
        self.ministries = _ministries()
        self.prefecture_nodes: list[ox.NamedNode] = []
        self.ministry_nodes: list[_MinistryNodes] = []
        self.local_slots = [
            (prefecture, number)
            for prefecture in self.prefectures
            for number in range(1, prefecture.municipalities + 1)
        ]
        self.counters = {"local": 0, "obs": 0, "law": 0, "bureau": 0, "council": 0, "lgwan": 0}

    def frame(self) -> None:
        b = self.b
        source = _SYNTHETIC_SOURCE
        b.add("organisations", source, _RDF_TYPE, _p("dcterms:BibliographicResource"))
        b.add(
            "organisations",
            source,
            _PREF_LABEL,
            ox.Literal("合成された全国規模のグラフ", language="ja"),
        )
        b.add(
            "organisations",
            source,
            _PREF_LABEL,
            ox.Literal("Synthetic national graph", language="en"),
        )
        b.add(
            "organisations",
            source,
            _p("skos:note"),
            ox.Literal(
                "egov-kg synth が性能測定のために生成した架空のデータ。事実ではない。",
                language="ja",
            ),
        )
        b.add(
            "organisations",
            source,
            _p("skos:note"),
            ox.Literal(
                "Made-up data generated by egov-kg synth to measure performance; not facts.",
                language="en",
            ),
        )
        for slug, ja, en in (
            ("prefecture", "都道府県", "prefecture"),
            ("municipality", "市区町村", "municipality"),
            ("local-association", "一部事務組合", "local public association"),
        ):
            concept = _iri("egov-concept", f"synthetic-body-type-{slug}")
            b.resource("organisations", concept, "skos:Concept", ja, en)
            b.add(
                "organisations",
                concept,
                _p("skos:broader"),
                _iri("egov-concept", "body-type-local-government"),
            )
            b.add("organisations", concept, _p("skos:inScheme"), _iri("egov-scheme", "body-types"))
        for ministry in self.ministries:
            slug = f"synthetic-{ministry.slug}"
            founded = b.random_day(dt.date(1949, 6, 1), dt.date(2001, 1, 6))
            node = b.body(slug, ministry.ja, ministry.en, "body-type-ministry", None, founded)
            minister = b.post(
                f"{slug}-minister", f"{ministry.ja} 大臣", f"Minister, {ministry.en}", node
            )
            cio = b.post(f"{slug}-cio", f"{ministry.ja} CIO", f"CIO, {ministry.en}", node)
            self.ministry_nodes.append(_MinistryNodes(ministry, node, minister, cio, founded))
        for prefecture in self.prefectures:
            slug = f"synthetic-{prefecture.slug}-prefecture"
            founded = b.random_day(dt.date(1947, 5, 3), dt.date(1972, 5, 15))
            node = b.body(
                slug,
                prefecture.ja,
                f"{prefecture.en} Prefecture",
                "synthetic-body-type-prefecture",
                None,
                founded,
            )
            b.post(f"{slug}-governor", f"{prefecture.ja}知事", f"Governor of {prefecture.en}", node)
            self.prefecture_nodes.append(node)
        self._statistics_frame()

    def _statistics_frame(self) -> None:
        b = self.b
        structure = _iri("egov-dataset", "synthetic-lgwan-coverage-structure")
        b.resource(
            "statistics",
            structure,
            "qb:DataStructureDefinition",
            "LGWAN接続率の構造",
            "Structure of LGWAN coverage",
        )
        for slug, kind, prop, ja, en in (
            ("scope", "qb:dimension", "egov:scope", "次元: scope", "dimension scope"),
            (
                "reference-period",
                "qb:dimension",
                "sdmx-dimension:refPeriod",
                "次元: reference-period",
                "dimension reference-period",
            ),
            (
                "coverage-ratio",
                "qb:measure",
                "egov:coverageRatio",
                "測度: coverage-ratio",
                "measure coverage-ratio",
            ),
            (
                "body-count",
                "qb:attribute",
                "egov:bodyCount",
                "属性: body-count",
                "attribute body-count",
            ),
        ):
            component = _iri("egov-dataset", f"synthetic-lgwan-coverage-structure-{slug}")
            b.add("statistics", structure, _p("qb:component"), component)
            b.resource(
                "statistics",
                component,
                "qb:ComponentSpecification",
                f"LGWAN接続率の{ja}",
                f"LGWAN coverage: {en}",
            )
            b.add("statistics", component, _p(kind), _p(prop))
        for prefecture in self.prefectures:
            dataset = _iri("egov-dataset", f"synthetic-lgwan-coverage-{prefecture.slug}")
            b.resource(
                "statistics",
                dataset,
                "qb:DataSet",
                f"{prefecture.ja}のLGWAN接続率",
                f"LGWAN coverage in {prefecture.en}",
            )
            b.add("statistics", dataset, _p("qb:structure"), structure)

    def unit(self) -> None:
        """One step of growth: a local body, an observation; laws, bureaus, councils less often."""
        tick = self.counters["local"]
        self.local_body()
        self.observation()
        if tick % 2 == 0:
            self.law()
        if tick % 4 == 1:
            self.bureau()
        if tick % 8 == 3:
            self.council()
        if tick % 16 == 5:
            self.lgwan_status()

    def local_body(self) -> None:
        b = self.b
        index = self.counters["local"]
        self.counters["local"] += 1
        if index < len(self.local_slots):
            prefecture, number = self.local_slots[index]
            slug = f"synthetic-{prefecture.slug}-municipality-{number:04d}"
            ja, en = (
                f"{prefecture.ja} 市町村 {number:04d}",
                f"{prefecture.en} municipality {number:04d}",
            )
            kind = "synthetic-body-type-municipality"
        else:
            extra = index - len(self.local_slots)
            prefecture = self.prefectures[extra % len(self.prefectures)]
            number = extra // len(self.prefectures) + 1
            slug = f"synthetic-{prefecture.slug}-local-association-{number:05d}"
            ja, en = (
                f"{prefecture.ja} 一部事務組合 {number:05d}",
                f"{prefecture.en} local association {number:05d}",
            )
            kind = "synthetic-body-type-local-association"
        parent = self.prefecture_nodes[self.prefectures.index(prefecture)]
        node = b.body(
            slug, ja, en, kind, parent, b.random_day(dt.date(1953, 10, 1), dt.date(2010, 3, 31))
        )
        b.post(f"{slug}-head", f"{ja} 首長", f"Head of {en}", node)

    def observation(self) -> None:
        b = self.b
        index = self.counters["obs"]
        if index >= len(self.prefectures) * len(_SCOPES) * _MONTHS:
            return
        self.counters["obs"] += 1
        # a whole monthly series, 1995 to 2025, then the next prefecture's, then the next scope
        month_index = index % _MONTHS
        series = index // _MONTHS
        prefecture = self.prefectures[series % len(self.prefectures)]
        scope = _SCOPES[series // len(self.prefectures) % len(_SCOPES)]
        year, month = _FIRST_MONTH[0] + month_index // 12, month_index % 12 + 1
        period = b.month(year, month)
        node = _iri(
            "egov-obs", f"synthetic-lgwan-coverage-{prefecture.slug}-{scope}-{year:04d}-{month:02d}"
        )
        scope_ja, scope_en = _SCOPE_LABELS[scope]
        ratio = min(1.0, month_index / _MONTHS + b.rng.random() * 0.2)
        b.resource(
            "statistics",
            node,
            "qb:Observation",
            f"{prefecture.ja} {scope_ja} LGWAN接続率 ({year}年{month}月)",
            f"LGWAN coverage, {prefecture.en} {scope_en} ({_MONTH_NAMES[month]} {year})",
        )
        b.add(
            "statistics",
            node,
            _p("qb:dataSet"),
            _iri("egov-dataset", f"synthetic-lgwan-coverage-{prefecture.slug}"),
        )
        b.add("statistics", node, _p("egov:scope"), _iri("egov-concept", f"scope-{scope}"))
        b.add("statistics", node, _p("sdmx-dimension:refPeriod"), period)
        b.add(
            "statistics",
            node,
            _p("egov:coverageRatio"),
            ox.Literal(f"{ratio:.3f}", datatype=_XSD_DECIMAL),
        )
        count = 1 if scope == "prefectures" else prefecture.municipalities
        b.add(
            "statistics", node, _p("egov:bodyCount"), ox.Literal(str(count), datatype=_XSD_INTEGER)
        )

    def law(self) -> None:
        b = self.b
        self.counters["law"] += 1
        number = self.counters["law"]
        slug = f"synthetic-act-{number:05d}"
        ja, en = f"法律 {number:05d}", f"Act {number:05d}"
        node = self._act(
            slug, ja, en, f"法律第{number:05d}号", b.random_day(_FIRST_DAY, dt.date(2020, 12, 31))
        )
        if number % 4 == 0:
            passed = b.random_day(dt.date(1950 + number % 50, 1, 1), dt.date(2023, 12, 31))
            amending = self._act(
                f"{slug}-amendment-1",
                f"{ja} の一部を改正する法律",
                f"Act partially amending {en}",
                f"法律第{number:05d}号改正",
                passed,
            )
            b.add("laws", amending, _p("eli:amends"), node)
        if number % 10 == 0:
            b.event(
                "laws",
                f"{slug}-repeal",
                "egov:Repeal",
                node,
                b.random_day(dt.date(2024, 1, 1)),
                f"{ja} 廃止",
                f"{en} repealed",
            )

    def _act(self, slug: str, ja: str, en: str, number: str, passed: dt.date) -> ox.NamedNode:
        b = self.b
        node = _iri("egov-law", slug)
        b.resource("laws", node, "eli:LegalResource", ja, en)
        b.add("laws", node, _p("eli:title"), ox.Literal(f"{ja} (合成)", language="ja"))
        b.add(
            "laws", node, _p("eli:id_local"), ox.Literal(f"{number} (合成)", datatype=_XSD_STRING)
        )
        promulgated = min(_LAST_DAY, passed + dt.timedelta(days=b.rng.randrange(1, 15)))
        in_force = min(_LAST_DAY, promulgated + dt.timedelta(days=b.rng.randrange(0, 366)))
        for kind, suffix, day, ja_what, en_what in (
            ("egov:Passage", "passage", passed, "成立", "passed"),
            ("egov:Promulgation", "promulgation", promulgated, "公布", "promulgated"),
            ("egov:EntryIntoForce", "entry-into-force", in_force, "施行", "in force"),
        ):
            b.event(
                "laws", f"{slug}-{suffix}", kind, node, day, f"{ja} {ja_what}", f"{en} {en_what}"
            )
        return node

    def bureau(self) -> None:
        b = self.b
        index = self.counters["bureau"]
        self.counters["bureau"] += 1
        parent = self.ministry_nodes[index % len(self.ministry_nodes)]
        number = index // len(self.ministry_nodes) + 1
        slug = f"synthetic-{parent.ministry.slug}-bureau-{number:03d}"
        ja, en = f"{parent.ministry.ja} 第{number}局", f"Bureau {number}, {parent.ministry.en}"
        node = b.body(slug, ja, en, "body-type-bureau", parent.node, b.random_day(parent.founded))
        b.post(f"{slug}-director-general", f"{ja} 局長", f"Director-General, {en}", node)

    def council(self) -> None:
        b = self.b
        index = self.counters["council"]
        self.counters["council"] += 1
        parent = self.ministry_nodes[index % len(self.ministry_nodes)]
        number = index // len(self.ministry_nodes) + 1
        slug = f"synthetic-{parent.ministry.slug}-council-{number:03d}"
        ja, en = f"{parent.ministry.ja} 第{number}審議会", f"Council {number}, {parent.ministry.en}"
        node = b.body(slug, ja, en, "body-type-council", parent.node, b.random_day(parent.founded))
        b.add("organisations", node, _p("egov:hasMember"), parent.cio)
        b.post(
            f"{slug}-chair",
            f"{ja} 議長",
            f"Chair, {en}",
            node,
            "role-council-chair",
            parent.minister,
        )
        b.post(
            f"{slug}-vice-chair",
            f"{ja} 副議長",
            f"Vice-chair, {en}",
            node,
            "role-council-vice-chair",
            parent.cio,
        )

    def lgwan_status(self) -> None:
        b = self.b
        index = self.counters["lgwan"]
        months = 12 * (2025 - 2002)
        if index >= len(self.prefectures) * months:
            return
        self.counters["lgwan"] += 1
        prefecture = self.prefectures[index % len(self.prefectures)]
        month_index = index // len(self.prefectures)
        year, month = 2002 + month_index // 12, month_index % 12 + 1
        node = _iri(
            "egov-network",
            f"synthetic-lgwan-{prefecture.slug}-participation-{year:04d}-{month:02d}",
        )
        b.resource(
            "networks",
            node,
            "egov:ParticipationStatus",
            f"{prefecture.ja}のLGWAN参加状況 ({year}年{month}月)",
            f"LGWAN participation in {prefecture.en} ({_MONTH_NAMES[month]} {year})",
        )
        b.add("networks", node, _p("egov:network"), _iri("egov-network", "lgwan"))
        b.add("networks", node, _p("egov:asOf"), b.month(year, month))
        count = ox.Literal(str(prefecture.municipalities + 1), datatype=_XSD_INTEGER)
        b.add("networks", node, _p("egov:participantCount"), count)
        b.add(
            "networks",
            node,
            _p("egov:participants"),
            ox.Literal(f"{prefecture.ja}及び管内の全市区町村", language="ja"),
        )
        b.add(
            "networks",
            node,
            _p("egov:participants"),
            ox.Literal(f"{prefecture.en} Prefecture and every municipality in it", language="en"),
        )


def _shipped() -> tuple[int, set[str]]:
    """Count the shipped data's triples; collect the dates of its periods."""
    triples: set[ox.Triple] = set()
    for path in data_files():
        triples.update(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    base = _ns("egov-period")
    periods = {
        t.subject.value[len(base) :]
        for t in triples
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(base)
    }
    return len(triples), periods


def synthetic_triples(triples: int, *, seed: int = 0) -> dict[str, list[ox.Triple]]:
    """Return the synthetic triples, per concern, that grow the shipped data to ``triples``.

    Args:
        triples: the size wanted for shipped data plus synthetic triples; at least the
            shipped data and the fixed frame (prefectures, ministries) are always there.
        seed: the seed of the random dates and figures.

    Returns:
        Concern name (``organisations``, ``laws``...) to its triples, in a fixed order.
    """
    if triples < 1:
        raise ValueError(f"the number of triples must be positive, not {triples}")
    shipped, periods = _shipped()
    builder = _Builder(known_periods=periods, rng=random.Random(seed))
    generator = _Generator(builder)
    generator.frame()
    target = triples - shipped
    while builder.count < target:
        generator.unit()
    return builder.files


def _prefixes() -> dict[str, str]:
    return dict(sorted(PREFIX_IRIS.items()))


def _serialize(statements: list[ox.Triple]) -> bytes:
    body = ox.serialize(statements, format=ox.RdfFormat.TURTLE, prefixes=_prefixes())
    assert body is not None  # no output stream given: the bytes are returned
    return _HEADER + body


def write_synthetic(triples: int, out_dir: Path, *, seed: int = 0) -> list[Path]:
    """Write the shipped data files and the synthetic ones into ``out_dir``; return the paths.

    The folder then loads like the shipped data (``egov_kg.load(out_dir)``, ``--data``).
    Each file is written atomically; earlier ``synthetic-*.ttl`` files are replaced.
    """
    from egov_kg.serialization import write_atomically

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for path in data_files():
        target = out_dir / path.name
        write_atomically(target, path.read_bytes())
        written.append(target)
    for name, statements in synthetic_triples(triples, seed=seed).items():
        target = out_dir / f"synthetic-{name}.ttl"
        write_atomically(target, _serialize(statements))
        written.append(target)
    return sorted(written)


def _rdflib_triples(files: dict[str, list[ox.Triple]]) -> Iterator[tuple[Node, Node, Node]]:
    """The synthetic triples as rdflib terms, lexical forms as written."""
    from rdflib import Literal, URIRef

    def term(node: object) -> Node:
        if isinstance(node, ox.NamedNode):
            return URIRef(node.value)
        if isinstance(node, ox.Literal):
            if node.language:
                return Literal(node.value, lang=node.language)
            return Literal(node.value, datatype=URIRef(node.datatype.value))
        raise TypeError(f"the generator made no such term: {node!r}")

    for statements in files.values():
        for t in statements:
            yield term(t.subject), term(t.predicate), term(t.object)


def synthesize(triples: int, *, seed: int = 0) -> Graph:
    """Return the shipped data grown to about ``triples`` triples (±10%), as an rdflib graph.

    The ontology is not included: load it separately, as for the shipped data. The smallest
    graph is the shipped data plus the fixed frame (47 prefectures, 13 ministries, the
    statistics' structure), about 5,300 triples: a smaller ``triples`` gives that.

    >>> graph = synthesize(5000)
    >>> 4500 <= len(graph) <= 5500
    True
    """
    from egov_kg.graph import load_files

    graph = load_files(data_files())
    synthetic = _rdflib_triples(synthetic_triples(triples, seed=seed))
    graph.addN((s, p, o, graph) for s, p, o in synthetic)
    return graph
