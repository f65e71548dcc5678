"""The user's cache folder: closures, graph snapshots and query stores, keyed by content.

A cached file is named after a hash of everything it was computed from (the input files'
bytes, the versions of the libraries, and egov-kg's own code and index queries), so it is
never read for other input, nor after a change to the code that computed it. Writes are atomic,
and a cache that cannot be written is simply not kept.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from egov_kg.resources import ontology_dir, queries_dir

__all__ = ["cache_dir", "content_key", "write_cache_file"]


@cache
def _code_digest() -> bytes:
    """A hash of egov-kg's modules, its search-index queries and its inference rules.

    The rules are ``ontology/rules/``. A version number does not change while the code is
    being worked on; these bytes do.
    """
    digest = hashlib.sha256()
    package = Path(__file__).parent
    code = sorted(package.glob("*.py")) + sorted((queries_dir() / "index").glob("*.rq"))
    code += sorted((ontology_dir() / "rules").rglob("*.rq"))
    for path in code:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _installed(module: str) -> str:
    """The ``.dist-info`` folder (name and version) of an importable module, or ``?``.

    Found without importing the module or importlib.metadata (40 ms to import, a sixth of a
    canned query's start-up). egov-kg itself is covered by :func:`_code_digest`.
    """
    spec = find_spec(module)
    if spec is None or spec.origin is None:
        return "?"
    site = Path(spec.origin).parent.parent
    return ",".join(sorted(path.name for path in site.glob(f"{module}-*.dist-info"))) or "?"


def content_key(*parts: bytes) -> str:
    """A hash of the inputs of a closure, and of the code that computes it."""
    digest = hashlib.sha256(_code_digest())
    for name in ("owlrl", "rdflib", "pyoxigraph"):
        digest.update(f"{name}=={_installed(name)};".encode())
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def cache_dir() -> Path:
    """Where closures are cached: ``$EGOV_KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/egov-kg``."""
    explicit = os.environ.get("EGOV_KG_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "egov-kg"


def write_cache_file(path: Path, data: bytes) -> None:
    """Write a cache file atomically; a cache that cannot be written is simply not kept."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
        temporary = None
    except OSError:
        return
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
