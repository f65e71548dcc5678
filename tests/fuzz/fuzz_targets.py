"""Fuzz targets: the query-parameter parser and the Turtle loader, for atheris (or a replay).

Usage::

    python tests/fuzz/fuzz_targets.py params|turtle [libFuzzer options, e.g. -max_total_time=10]

Each target takes raw bytes, so any input the fuzzer finds can be kept as a file under
``tests/fixtures/fuzz/TARGET/`` and replayed by ``tests/test_fuzz.py``:

- ``params``: the first byte picks a canned query and parameter (a search text, a resource,
  a date); the rest, decoded as UTF-8 (invalid bytes become lone surrogates), is the value.
  The answer must be rows, never wider than what the value means, or a
  :class:`~egov_kg.queries.QueryError`.
- ``turtle``: the bytes are a Turtle file. Loading it must give a graph or a
  :class:`~egov_kg.errors.DataError` that names the file, and, for every syntax error, the
  line and column (``path:line:column: what``). A term that is valid RDF 1.2 but not used
  here (a triple term, ``"x"@en ~ reifier``) is located on a best-effort basis, as
  :class:`~egov_kg.errors.DataError` says: its message may name the file alone.

Anything else (another exception, a result that includes a resource the value does not
name) is a crash: atheris writes the input beside ``-artifact_prefix`` and stops.
"""

from __future__ import annotations

import re
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

TARGETS = [
    ("search", "text"),
    ("members", "body"),
    ("structure-as-of", "date"),
    ("chairs", "body"),
    ("timeline", "start"),
]
_LOCATED = re.compile(r"^(?P<path>.+?):(?:(?P<line>\d+):(?P<column>\d+):)? \S")


@cache
def _kg() -> Any:
    import egov_kg

    return egov_kg.load()


@cache
def _search_keys() -> frozenset[tuple[str, str]]:
    from egov_kg.queries import LABEL_PROPERTIES, search_key

    values = " ".join(f"<{iri}>" for iri in LABEL_PROPERTIES)
    answer = _kg().sparql(
        f"SELECT ?r ?l WHERE {{ VALUES ?p {{ {values} }} ?r ?p ?l "
        "FILTER (isIRI(?r) && isLiteral(?l)) }"
    )
    return frozenset((str(row["r"]), search_key(str(row["l"]))) for row in answer.rows)


@cache
def _unfiltered(name: str) -> frozenset[tuple[Any, ...]]:
    return frozenset(_kg().query(name).terms)


def decode(data: bytes) -> str:
    """Bytes as text: UTF-8, each invalid byte a lone surrogate (U+DC80...U+DCFF)."""
    return data.decode("utf-8", errors="surrogateescape")


def check_params(data: bytes) -> None:
    """Run one canned query with the value in ``data``; raise AssertionError on a finding."""
    from egov_kg.queries import QueryError, search_key

    if not data:
        return
    name, parameter = TARGETS[data[0] % len(TARGETS)]
    value = decode(data[1:])
    try:
        result = _kg().query(name, **{parameter: value})
    except QueryError:
        return
    if name == "search":
        key = search_key(value)
        meant = {resource for resource, label in _search_keys() if key in label}
        found = {str(row["resource"]) for row in result.rows}
        assert found == meant, f"search {value!r}: {sorted(found - meant)[:3]} not meant"
    elif name in ("chairs", "timeline"):  # an optional filter only ever narrows
        assert set(result.terms) <= _unfiltered(name), f"{name} {parameter}={value!r} widened"


def check_turtle(data: bytes, folder: Path | None = None) -> None:
    """Load ``data`` as a Turtle file; raise AssertionError on a finding."""
    from egov_kg.errors import DataError
    from egov_kg.graph import parse_file

    with tempfile.TemporaryDirectory(dir=folder) as temporary:
        path = Path(temporary) / "fuzzed.ttl"
        path.write_bytes(data)
        try:
            parse_file(path)
        except DataError as error:
            message = str(error)
            located = _LOCATED.match(message)
            assert located and located["path"] == str(path), f"not located: {message}"
            assert located["line"] is not None, f"no line: {message}"


def main() -> None:
    """Fuzz one target with atheris (coverage-guided, egov_kg instrumented)."""
    import atheris

    target = sys.argv.pop(1) if len(sys.argv) > 1 else ""
    checks = {"params": check_params, "turtle": check_turtle}
    if target not in checks:
        sys.exit(f"usage: {sys.argv[0]} params|turtle [libFuzzer options]")
    with atheris.instrument_imports(include=["egov_kg"]):
        import egov_kg.graph
        import egov_kg.queries  # noqa: F401
    if target == "params":
        _search_keys()  # load the graph before fuzzing, not in the first input
        _unfiltered("chairs")
        _unfiltered("timeline")
    check = checks[target]
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
