"""egov-kg: Japan's e-government build-out as a linked-data knowledge graph.

Typical use::

    import egov_kg

    kg = egov_kg.load()  # ontology + data, strictly parsed
    kg.query("chairs", body="情報セキュリティ政策会議").rows
    report = egov_kg.validate(kg)  # SHACL
    egov_kg.export(kg.closure, "turtle", "closure.ttl")

Validation is imported on first use, so ``import egov_kg`` stays fast and a command that
only queries never imports pyshacl or owlrl.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("egov-kg")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled checkout
    __version__ = "0+unknown"

# Imported after __version__ (egov_kg.cli reads it). The function ``export`` must be bound
# here, eagerly: importing the submodule egov_kg.export would otherwise shadow it.
from egov_kg.errors import DataError  # noqa: E402
from egov_kg.export import export, serialize  # noqa: E402
from egov_kg.knowledge_graph import KnowledgeGraph, load  # noqa: E402
from egov_kg.queries import CannedQuery, ParameterError, QueryError  # noqa: E402
from egov_kg.reasoning import closure, infer  # noqa: E402
from egov_kg.results import LangString, QueryResult, Year, YearMonth  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from egov_kg.shapes import ValidationReport, ValidationResult, validate

# pyshacl is slow to import and only validation needs it.
_LAZY = {
    "ValidationReport": "egov_kg.shapes",
    "ValidationResult": "egov_kg.shapes",
    "validate": "egov_kg.shapes",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'egov_kg' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [
    "CannedQuery",
    "DataError",
    "KnowledgeGraph",
    "LangString",
    "ParameterError",
    "QueryError",
    "QueryResult",
    "ValidationReport",
    "ValidationResult",
    "Year",
    "YearMonth",
    "__version__",
    "closure",
    "export",
    "infer",
    "load",
    "serialize",
    "validate",
]
