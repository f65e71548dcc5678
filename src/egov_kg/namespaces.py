"""The one prefix map of egov-kg: well-known vocabularies plus the project's namespaces.

Every graph built by egov-kg binds exactly these prefixes (and those declared in the Turtle
files), so serializers never invent ``ns1:``-style prefixes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from rdflib import Namespace, URIRef

# Well-known vocabularies.
RDF: Final = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS: Final = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL: Final = Namespace("http://www.w3.org/2002/07/owl#")
XSD: Final = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS: Final = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS: Final = Namespace("http://purl.org/dc/terms/")
PROV: Final = Namespace("http://www.w3.org/ns/prov#")
ORG: Final = Namespace("http://www.w3.org/ns/org#")
ELI: Final = Namespace("http://data.europa.eu/eli/ontology#")
TIME: Final = Namespace("http://www.w3.org/2006/time#")
QB: Final = Namespace("http://purl.org/linked-data/cube#")
SCHEMA: Final = Namespace("https://schema.org/")
SH: Final = Namespace("http://www.w3.org/ns/shacl#")
FOAF: Final = Namespace("http://xmlns.com/foaf/0.1/")
VOID: Final = Namespace("http://rdfs.org/ns/void#")
SDMX_DIMENSION: Final = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
FREQ: Final = Namespace("http://purl.org/cld/freq/")
WD: Final = Namespace("http://www.wikidata.org/entity/")

# The project's ontology and its resource namespaces (one per kind of resource).
EGOV: Final = Namespace("https://w3id.org/egov-kg/ontology#")
ID_BASE: Final = "https://w3id.org/egov-kg/id/"
RESOURCE_KINDS: Final[tuple[str, ...]] = (
    "doc",
    "slide",
    "org",
    "post",
    "group",
    "law",
    "policy",
    "plan",
    "event",
    "period",
    "network",
    "dataset",
    "obs",
    "concept",
    "scheme",
    "country",
    "survey",
    "source",
    "claim",
)
RESOURCES: Final[Mapping[str, Namespace]] = MappingProxyType(
    {kind: Namespace(f"{ID_BASE}{kind}/") for kind in RESOURCE_KINDS}
)
"""Resource namespace per kind, e.g. ``RESOURCES["org"]`` = ``https://w3id.org/egov-kg/id/org/``."""

# Named graphs used by TriG exports.
GRAPH_BASE: Final = "https://w3id.org/egov-kg/graph/"
ASSERTED_GRAPH: Final = URIRef(f"{GRAPH_BASE}asserted")
INFERRED_GRAPH: Final = URIRef(f"{GRAPH_BASE}inferred")
"""In a release, the triples the OWL-RL closure adds to the asserted graph (and only those)."""
CLOSURE_GRAPH: Final = URIRef(f"{GRAPH_BASE}closure")
"""The whole OWL-RL closure (asserted + inferred), as ``egov-kg export --inferred`` writes it."""

PREFIXES: Final[Mapping[str, Namespace]] = MappingProxyType(
    {
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
        "xsd": XSD,
        "skos": SKOS,
        "dcterms": DCTERMS,
        "prov": PROV,
        "org": ORG,
        "eli": ELI,
        "time": TIME,
        "qb": QB,
        "schema": SCHEMA,
        "sh": SH,
        "foaf": FOAF,
        "void": VOID,
        "sdmx-dimension": SDMX_DIMENSION,
        "freq": FREQ,
        "wd": WD,
        "egov": EGOV,
        **{f"egov-{kind}": ns for kind, ns in RESOURCES.items()},
    }
)
"""Every prefix egov-kg binds, prefix -> namespace (without the trailing colon)."""
