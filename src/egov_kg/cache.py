"""The user's cache folder: closures, graph snapshots and query stores, keyed by content.

A cached file is named after a hash of everything it was computed from (the input files'
bytes and the versions of the code), so it is never read for other input. Writes are atomic,
and a cache that cannot be written is simply not kept.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["cache_dir", "content_key", "write_cache_file"]


def content_key(*parts: bytes) -> str:
    """A hash of the inputs of a closure, and of the code that computes it."""
    digest = hashlib.sha256()
    for name in ("egov-kg", "owlrl", "rdflib"):
        try:
            digest.update(f"{name}=={version(name)};".encode())
        except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
            digest.update(f"{name}==?;".encode())
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
