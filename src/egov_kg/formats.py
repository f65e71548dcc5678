"""The RDF formats egov-kg writes, by the names its API and command line take.

Kept apart from :mod:`egov_kg.serialization` so that the command line can list them
without importing rdflib.
"""

from __future__ import annotations

from typing import Final, Literal, TypeAlias, get_args

__all__ = ["DATASET_FORMATS", "FORMATS", "DatasetFormat", "Format"]

Format: TypeAlias = Literal["turtle", "nt", "jsonld", "trig", "xml"]
FORMATS: Final[tuple[str, ...]] = get_args(Format)

DatasetFormat: TypeAlias = Literal["trig", "nquads"]
DATASET_FORMATS: Final[tuple[str, ...]] = get_args(DatasetFormat)
