"""The OpenAPI 3 document of the canned queries' web API, in the manner of grlc.

Like grlc, every canned query is one path (``/api/NAME``) with one ``GET`` operation whose
summary, description and tags come from the query file's grlc header, and whose query-string
parameters are the query's parameters (``?_body_iri`` becomes a required ``body``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from egov_kg import __version__
from egov_kg.media import CSV, SPARQL_JSON, SPARQL_XML, TSV
from egov_kg.queries import CannedQuery, Parameter

__all__ = ["openapi_document"]

_SCHEMAS: Mapping[str, Mapping[str, str]] = {
    "date": {"type": "string", "format": "date"},
    "integer": {"type": "integer"},
}

_RESULTS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "description": "SPARQL 1.1 Query Results JSON Format",
    "required": ["head", "results"],
    "properties": {
        "head": {
            "type": "object",
            "properties": {"vars": {"type": "array", "items": {"type": "string"}}},
        },
        "results": {
            "type": "object",
            "properties": {
                "bindings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["type", "value"],
                            "properties": {
                                "type": {"type": "string", "enum": ["uri", "literal", "bnode"]},
                                "value": {"type": "string"},
                                "xml:lang": {"type": "string"},
                                "datatype": {"type": "string"},
                            },
                        },
                    },
                }
            },
        },
    },
}

_ERROR = {"text/plain": {"schema": {"type": "string"}}}


def _parameter(parameter: Parameter) -> dict[str, Any]:
    return {
        "name": parameter.name,
        "in": "query",
        "required": parameter.required,
        "description": parameter.expects[:1].upper() + parameter.expects[1:] + ".",
        "schema": dict(_SCHEMAS.get(parameter.kind, {"type": "string"})),
        "x-sparql-variable": f"?{parameter.variable}",
    }


def _operation(query: CannedQuery) -> dict[str, Any]:
    text = {"schema": {"type": "string"}}
    return {
        "operationId": query.name,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "parameters": [_parameter(parameter) for parameter in query.parameters],
        "responses": {
            "200": {
                "description": "The rows of the query, in the format the Accept header asks.",
                "content": {
                    SPARQL_JSON: {"schema": {"$ref": "#/components/schemas/SparqlResults"}},
                    SPARQL_XML: text,
                    CSV: text,
                    TSV: text,
                    "text/html": text,
                },
            },
            "400": {
                "description": "A parameter is missing, unknown, malformed or names nothing.",
                "content": _ERROR,
            },
            "406": {"description": "No acceptable media type.", "content": _ERROR},
            "503": {
                "description": "The query was stopped (time limit) or the server is busy.",
                "content": _ERROR,
            },
        },
    }


def openapi_document(queries: Mapping[str, CannedQuery]) -> dict[str, Any]:
    """The OpenAPI 3.0 document of ``queries``: one ``/api/NAME`` path each, sorted by name."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "egov-kg canned queries",
            "version": __version__,
            "description": (
                "The canned SPARQL queries of egov-kg (Japan's e-government build-out as a "
                "knowledge graph), one GET route each, run on the graph's OWL 2 RL closure. "
                "A resource parameter takes an IRI, a prefixed name or a Japanese or English "
                "label. The free SPARQL endpoint is /sparql."
            ),
        },
        "paths": {
            f"/api/{name}": {"get": _operation(query)} for name, query in sorted(queries.items())
        },
        "components": {"schemas": {"SparqlResults": _RESULTS_SCHEMA}},
    }
