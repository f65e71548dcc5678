"""egov-kg: Japan's e-government build-out as a linked-data knowledge graph.

Typical use::

    import egov_kg

    kg = egov_kg.load()  # ontology + data, strictly parsed
    kg.query("chairs", body="情報セキュリティ政策会議").rows
    report = egov_kg.validate(kg)  # SHACL
    egov_kg.export(kg.closure, "turtle", "closure.ttl")

Every name is imported on first use, so ``import egov_kg`` stays fast, and a command that
only answers canned queries (on pyoxigraph) imports neither rdflib nor pyshacl nor owlrl.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    __version__: str
    from egov_kg.drawing import draw
    from egov_kg.engine import ResultLimitError
    from egov_kg.errors import DataError
    from egov_kg.knowledge_graph import KnowledgeGraph, load
    from egov_kg.limits import InferenceLimitError, QueryTimeoutError
    from egov_kg.queries import CannedQuery, ParameterError, QueryError
    from egov_kg.query_guard import RefusedQueryError
    from egov_kg.reasoning import closure, infer
    from egov_kg.remote import RemoteGraph
    from egov_kg.results import LangString, QueryResult, Year, YearMonth
    from egov_kg.serialization import export, serialize
    from egov_kg.shapes import ValidationReport, ValidationResult, validate

# Every name is imported on first use: rdflib, owlrl and pyshacl are slow to import, and a
# command that only answers a canned query (on pyoxigraph) needs none of them.
_LAZY = {
    "CannedQuery": "egov_kg.queries",
    "DataError": "egov_kg.errors",
    "InferenceLimitError": "egov_kg.limits",
    "KnowledgeGraph": "egov_kg.knowledge_graph",
    "LangString": "egov_kg.results",
    "ParameterError": "egov_kg.queries",
    "QueryError": "egov_kg.queries",
    "QueryResult": "egov_kg.results",
    "QueryTimeoutError": "egov_kg.limits",
    "RefusedQueryError": "egov_kg.query_guard",
    "RemoteGraph": "egov_kg.remote",
    "ResultLimitError": "egov_kg.engine",
    "ValidationReport": "egov_kg.shapes",
    "ValidationResult": "egov_kg.shapes",
    "Year": "egov_kg.results",
    "YearMonth": "egov_kg.results",
    "closure": "egov_kg.reasoning",
    "draw": "egov_kg.drawing",
    "export": "egov_kg.serialization",
    "infer": "egov_kg.reasoning",
    "load": "egov_kg.knowledge_graph",
    "serialize": "egov_kg.serialization",
    "validate": "egov_kg.shapes",
}


def _version() -> str:
    """egov-kg's installed version; read on first use (importlib.metadata takes 40 ms)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("egov-kg")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled checkout
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = found = _version()
        return found
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'egov_kg' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "__version__"})


__all__ = [
    "CannedQuery",
    "DataError",
    "InferenceLimitError",
    "KnowledgeGraph",
    "LangString",
    "ParameterError",
    "QueryError",
    "QueryResult",
    "QueryTimeoutError",
    "RefusedQueryError",
    "RemoteGraph",
    "ResultLimitError",
    "ValidationReport",
    "ValidationResult",
    "Year",
    "YearMonth",
    "__version__",
    "closure",
    "draw",
    "export",
    "infer",
    "load",
    "serialize",
    "validate",
]
