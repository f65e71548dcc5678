"""The prefix map and graph names of egov-kg as plain strings.

The query path (``egov-kg query``, :class:`egov_kg.engine.OxigraphEngine`) needs the
prefixes but not rdflib, whose import alone costs more than answering a query; this module
imports nothing. :mod:`egov_kg.namespaces` wraps the same IRIs as rdflib namespaces.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

ID_BASE: Final = "https://w3id.org/egov-kg/id/"
"""Every resource IRI starts with this, then its kind: ``.../id/org/cio-council``."""

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

PREFIX_IRIS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
        "prov": "http://www.w3.org/ns/prov#",
        "org": "http://www.w3.org/ns/org#",
        "eli": "http://data.europa.eu/eli/ontology#",
        "time": "http://www.w3.org/2006/time#",
        "qb": "http://purl.org/linked-data/cube#",
        "schema": "https://schema.org/",
        "sh": "http://www.w3.org/ns/shacl#",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "void": "http://rdfs.org/ns/void#",
        "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
        "freq": "http://purl.org/cld/freq/",
        "wd": "http://www.wikidata.org/entity/",
        "egov": "https://w3id.org/egov-kg/ontology#",
        **{f"egov-{kind}": f"{ID_BASE}{kind}/" for kind in RESOURCE_KINDS},
    }
)
"""Every prefix egov-kg binds, prefix -> namespace IRI (without the trailing colon)."""

GRAPH_BASE: Final = "https://w3id.org/egov-kg/graph/"
ASSERTED_GRAPH_IRI: Final = f"{GRAPH_BASE}asserted"
INFERRED_GRAPH_IRI: Final = f"{GRAPH_BASE}inferred"
CLOSURE_GRAPH_IRI: Final = f"{GRAPH_BASE}closure"
SEARCH_KEYS_GRAPH_IRI: Final = f"{GRAPH_BASE}search-keys"
"""In the query store only: one ``egov:searchKey`` per label, an index rather than data."""


def compact(iri: str, prefixes: Mapping[str, str] = PREFIX_IRIS) -> str:
    """The prefixed name of ``iri`` (longest matching namespace), else ``<iri>``.

    >>> compact("https://w3id.org/egov-kg/id/org/cio-council")
    'egov-org:cio-council'
    """
    best = ""
    best_prefix = ""
    for prefix, namespace in prefixes.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, best_prefix = namespace, prefix
    local = iri[len(best) :]
    if best and _is_local_name(local):
        return f"{best_prefix}:{local}"
    return f"<{iri}>"


def _is_local_name(local: str) -> bool:
    return bool(local) and all(c.isalnum() or c in "-_." for c in local) and local[-1] != "."
