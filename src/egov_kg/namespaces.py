"""The one prefix map of egov-kg: well-known vocabularies plus the project's namespaces.

Every graph built by egov-kg binds exactly these prefixes (and those declared in the Turtle
files), so serializers never invent ``ns1:``-style prefixes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from rdflib import Namespace, URIRef

from egov_kg import iris

GRAPH_BASE: Final = iris.GRAPH_BASE
ID_BASE: Final = iris.ID_BASE
RESOURCE_KINDS: Final = iris.RESOURCE_KINDS

PREFIXES: Final[Mapping[str, Namespace]] = MappingProxyType(
    {prefix: Namespace(iri) for prefix, iri in iris.PREFIX_IRIS.items()}
)
"""Every prefix egov-kg binds, prefix -> namespace (without the trailing colon)."""

# Well-known vocabularies.
RDF: Final = PREFIXES["rdf"]
RDFS: Final = PREFIXES["rdfs"]
OWL: Final = PREFIXES["owl"]
XSD: Final = PREFIXES["xsd"]
SKOS: Final = PREFIXES["skos"]
DCTERMS: Final = PREFIXES["dcterms"]
PROV: Final = PREFIXES["prov"]
ORG: Final = PREFIXES["org"]
ELI: Final = PREFIXES["eli"]
TIME: Final = PREFIXES["time"]
QB: Final = PREFIXES["qb"]
SCHEMA: Final = PREFIXES["schema"]
SH: Final = PREFIXES["sh"]
FOAF: Final = PREFIXES["foaf"]
VOID: Final = PREFIXES["void"]
SDMX_DIMENSION: Final = PREFIXES["sdmx-dimension"]
FREQ: Final = PREFIXES["freq"]
WD: Final = PREFIXES["wd"]

# The project's ontology and its resource namespaces (one per kind of resource).
EGOV: Final = PREFIXES["egov"]
RESOURCES: Final[Mapping[str, Namespace]] = MappingProxyType(
    {kind: PREFIXES[f"egov-{kind}"] for kind in RESOURCE_KINDS}
)
"""Resource namespace per kind, e.g. ``RESOURCES["org"]`` = ``https://w3id.org/egov-kg/id/org/``."""

# Named graphs used by TriG exports.
ASSERTED_GRAPH: Final = URIRef(iris.ASSERTED_GRAPH_IRI)
INFERRED_GRAPH: Final = URIRef(iris.INFERRED_GRAPH_IRI)
"""In a release, the triples the OWL-RL closure adds to the asserted graph (and only those)."""
CLOSURE_GRAPH: Final = URIRef(iris.CLOSURE_GRAPH_IRI)
"""The whole OWL-RL closure (asserted + inferred), as ``egov-kg export --inferred`` writes it."""
