"""Where the shipped ontology, shapes, data and queries live on disk.

In an installed wheel they are package data (``egov_kg/ontology`` ...); in a checkout or an
editable install they are the top-level ``ontology/``, ``data/``, ``queries/`` and
``templates/`` folders.
"""

from __future__ import annotations

import errno
from importlib.resources import files
from pathlib import Path

_PACKAGE = "egov_kg"


def _package_dir() -> Path:
    """Return the installed package folder as a real filesystem path."""
    root = files(_PACKAGE)
    if not isinstance(root, Path):  # e.g. a zip import: wheels are installed unzipped
        raise RuntimeError(f"{_PACKAGE} must be installed as files on disk, not from {root!r}")
    return root


def _checkout_root() -> Path | None:
    """Return the repository root when running from a checkout (src layout), else None."""
    root = Path(__file__).resolve().parents[2]
    if (root / "src" / _PACKAGE).is_dir() and (root / "pyproject.toml").is_file():
        return root
    return None


def _resource_dir(name: str) -> Path:
    """Return the folder ``name``: packaged copy first, then the checkout's top-level one."""
    packaged = _package_dir() / name
    if packaged.is_dir():
        return packaged
    checkout = _checkout_root()
    if checkout is not None and (checkout / name).is_dir():
        return checkout / name
    return packaged


def ontology_dir() -> Path:
    """Return the folder holding ``egov.ttl`` and ``shapes.ttl``."""
    return _resource_dir("ontology")


def ontology_file() -> Path:
    """Return the OWL ontology, ``ontology/egov.ttl``."""
    return ontology_dir() / "egov.ttl"


def shapes_file() -> Path:
    """Return the SHACL shapes, ``ontology/shapes.ttl``."""
    return ontology_dir() / "shapes.ttl"


def data_dir() -> Path:
    """Return the folder of the shipped Turtle data files."""
    return _resource_dir("data")


def data_files(data_dir: Path | str | None = None) -> list[Path]:
    """Return the ``*.ttl`` files of ``data_dir`` (default: the shipped data), sorted by name."""
    folder = Path(data_dir) if data_dir is not None else _resource_dir("data")
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, "data folder not found", str(folder))
    return sorted(path for path in folder.glob("*.ttl") if path.is_file())


def queries_dir() -> Path:
    """Return the folder of the shipped SPARQL queries."""
    return _resource_dir("queries")


def templates_dir() -> Path:
    """Return the folder of the server's HTML templates and the queries its pages run."""
    return _resource_dir("templates")


def synthetic_dir() -> Path:
    """Return the folder of the tables ``egov-kg synth`` builds its national graph from."""
    return _package_dir() / "synthetic"
