"""egov-kg: an e-government knowledge graph and the tools to load, validate, infer and export it.

Typical use::

    import egov_kg

    graph = egov_kg.load()  # ontology + data, strictly parsed
    report = egov_kg.validate(graph)  # SHACL
    egov_kg.export(egov_kg.infer(graph), "turtle", "closure.ttl")
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("egov-kg")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled checkout
    __version__ = "0+unknown"

# Imported after __version__: egov_kg.cli reads it.
from egov_kg.errors import DataError  # noqa: E402
from egov_kg.export import export, serialize  # noqa: E402
from egov_kg.graph import load  # noqa: E402
from egov_kg.reasoning import infer  # noqa: E402
from egov_kg.shapes import ValidationReport, ValidationResult, validate  # noqa: E402

__all__ = [
    "DataError",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "export",
    "infer",
    "load",
    "serialize",
    "validate",
]
