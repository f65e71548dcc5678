"""Media types the server answers in, and content negotiation on the ``Accept`` header.

>>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", (TURTLE, HTML))
'text/html'
>>> negotiate("application/json", RESULT_TYPES)
'application/sparql-results+json'
>>> negotiate("", (TURTLE, HTML))
'text/turtle'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # pragma: no cover
    from egov_kg.results import QueryResult

__all__ = [
    "GRAPH_TYPES",
    "HTML",
    "JSON_LD",
    "N_TRIPLES",
    "RDF_XML",
    "RESULT_TYPES",
    "SPARQL_JSON",
    "SPARQL_UPDATE",
    "SPARQL_XML",
    "TURTLE",
    "negotiate",
    "serialize_results",
]

HTML: Final = "text/html"
TURTLE: Final = "text/turtle"
JSON_LD: Final = "application/ld+json"
N_TRIPLES: Final = "application/n-triples"
RDF_XML: Final = "application/rdf+xml"
SPARQL_JSON: Final = "application/sparql-results+json"
SPARQL_XML: Final = "application/sparql-results+xml"
SPARQL_UPDATE: Final = "application/sparql-update"
CSV: Final = "text/csv"
TSV: Final = "text/tab-separated-values"

RESULT_TYPES: Final = (SPARQL_JSON, SPARQL_XML, CSV, TSV, HTML)
"""What SELECT and ASK answers come as; the first is the default."""
GRAPH_TYPES: Final = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML, HTML)
"""What CONSTRUCT and DESCRIBE answers and resource documents come as."""

# Names clients also send for the same formats.
_ALIASES: Final = {
    "application/json": SPARQL_JSON,
    "application/xml": SPARQL_XML,
    "text/xml": SPARQL_XML,
    "application/x-turtle": TURTLE,
    "text/plain": N_TRIPLES,
    "application/xhtml+xml": HTML,
}


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values (malformed parts dropped)."""
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        fields = [field.strip() for field in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((_ALIASES.get(media, media), quality))
    return ranges


def _quality(offer: str, ranges: Sequence[tuple[str, float]]) -> float:
    """The q-value the most specific matching range gives ``offer`` (0 when none matches)."""
    best: tuple[int, float] = (-1, 0.0)
    kind = offer.split("/")[0]
    for media, quality in ranges:
        if media == offer:
            specificity = 2
        elif media == f"{kind}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, quality)
    return best[1]


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers; the first offered one if it has no opinion.

    Returns None when the client accepts none of ``offered``.
    """
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    if not ranges:
        return offered[0]
    scored = [(_quality(offer, ranges), -index, offer) for index, offer in enumerate(offered)]
    quality, _, offer = max(scored)
    return offer if quality > 0 else None


def serialize_results(result: QueryResult | bool, media_type: str) -> bytes:
    """A SELECT result or an ASK answer as SPARQL 1.1 JSON, XML, CSV or TSV results.

    JSON, CSV and TSV are :class:`~egov_kg.results.QueryResult`'s own; XML is pyoxigraph's
    writer fed with the JSON.
    """
    if isinstance(result, bool):
        json_text = '{"head":{},"boolean":' + ("true" if result else "false") + "}\n"
    elif media_type == CSV:
        return result.to_csv().encode()
    elif media_type == TSV:
        return result.to_tsv().encode()
    else:
        json_text = result.to_json()
    if media_type == SPARQL_XML:
        import pyoxigraph as ox

        parsed = ox.parse_query_results(json_text, ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=ox.QueryResultsFormat.XML) or b""
    return json_text.encode()
