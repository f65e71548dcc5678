"""Fuzzing: property tests over parameter values and Turtle, and a bounded atheris run.

hypothesis generates parameter values (any text) and small Turtle documents, built from
pieces that are valid, nearly valid and broken; a value gives rows that are exactly what
it means, or a package error; a document loads or fails with a located
:class:`~egov_kg.errors.DataError`. atheris then fuzzes both targets of
``tests/fuzz/fuzz_targets.py``, guided by coverage, for a few seconds each. Every input
that once failed is kept under ``tests/fixtures/fuzz/`` and replayed here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO

sys.path.insert(0, str(REPO / "tests" / "fuzz"))

import fuzz_targets  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "fuzz"
FUZZ_SECONDS = 6
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- parameter values --------------------------------------------------------------------

SPECIAL = st.sampled_from(
    [
        '"',
        "'",
        '"""',
        "'''",
        "} UNION {",
        "||",
        "\n",
        "\t",
        ">",
        "<",
        " ",
        "\\u0022",
        "\u202e",
        "\u2066",
        "\x00",
        "\ud800",
        "#",
        "CIO",
        "会議",
        "ＣＩＯ",
        "2005-06-10",
        "egov-org:cio-council",
        "https://w3id.org/egov-kg/id/org/cio-council",
    ]
)
VALUES = st.lists(st.one_of(SPECIAL, st.text(max_size=12)), max_size=6).map("".join)


@SETTINGS
@given(target=st.integers(0, len(fuzz_targets.TARGETS) - 1), value=VALUES)
def test_any_parameter_value_gives_its_rows_or_a_clear_error(target: int, value: str) -> None:
    # A lone surrogate becomes invalid UTF-8, which the target reads back as surrogates.
    fuzz_targets.check_params(bytes([target]) + value.encode("utf-8", errors="surrogatepass"))


# --- Turtle documents ----------------------------------------------------------------------

PREFIXES = st.sampled_from(
    [
        "@prefix ex: <http://example.org/> .\n",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n",
        "PREFIX ex: <http://example.org/>\n",
        "@prefix ex: <http://example.org/>\n",  # no final dot
        "@base <http://example.org/base/> .\n",
        "",
    ]
)
SUBJECTS = st.sampled_from(
    [
        "ex:a",
        "<http://example.org/b>",
        "_:b1",
        "[]",
        "[ ex:p ex:o ]",
        "<relative>",
        '"lit"',
        "ex:",
        "undeclared:x",
        "( ex:a ex:b )",
        "<http://example.org/a b>",
    ]
)
PREDICATES = st.sampled_from(["ex:p", "a", "<http://example.org/p>", "_:p", "ex:p-q.r", "ex:p."])
OBJECTS = st.one_of(
    SUBJECTS,
    st.sampled_from(
        [
            '"text"@en',
            '"テキスト"@ja',
            '"x"@en-',
            '"x"@1bad',
            '"1"^^xsd:integer',
            '"abc"^^xsd:integer',
            '"１２３"^^xsd:integer',
            '"2024-02-30"^^xsd:date',
            '"2024-02-29"^^xsd:date',
            "12",
            "-1.5e3",
            "true",
            '"""two\nlines"""',
            "'single'",
            '"\\u00e9\\U0001F600"',
            '"\\uD800"',
            '"unterminated',
            "( )",
            "( 1 ( 2 ) )",
        ]
    ),
    st.text(max_size=8).map(lambda text: '"' + text.replace("\\", "").replace('"', "") + '"'),
)
ENDS = st.sampled_from([" .\n", " ;\n    ex:p ex:o .\n", " , ex:o .\n", " .", "\n", " ;"])
STATEMENTS = st.tuples(SUBJECTS, PREDICATES, OBJECTS, ENDS).map(lambda parts: " ".join(parts))
DOCUMENTS = st.tuples(
    st.lists(PREFIXES, max_size=3),
    st.lists(STATEMENTS, min_size=1, max_size=5),
    st.one_of(st.just(""), st.text(max_size=6)),
    st.integers(0, 400),
).map(lambda parts: _document(*parts))


def _document(prefixes: list[str], statements: list[str], junk: str, at: int) -> bytes:
    """Prefixes and statements, with ``junk`` inserted at character ``at`` of the text."""
    text = "".join(prefixes) + "".join(statements)
    at = min(at, len(text))
    return (text[:at] + junk + text[at:]).encode("utf-8", errors="surrogatepass")


@SETTINGS
@given(document=DOCUMENTS)
def test_any_small_turtle_document_loads_or_fails_at_a_place(
    document: bytes, tmp_path: Path
) -> None:
    fuzz_targets.check_turtle(document, tmp_path)


@SETTINGS
@given(document=st.binary(max_size=200))
def test_any_bytes_load_or_fail_at_a_place(document: bytes, tmp_path: Path) -> None:
    fuzz_targets.check_turtle(document, tmp_path)


# --- atheris, and the inputs it once found ------------------------------------------------


@pytest.mark.parametrize(
    "path",
    sorted(FIXTURES.glob("*/*")),
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_a_kept_fuzz_input_stays_fixed(path: Path, tmp_path: Path) -> None:
    if path.parent.name == "params":
        fuzz_targets.check_params(path.read_bytes())
    else:
        fuzz_targets.check_turtle(path.read_bytes(), tmp_path)


@pytest.mark.parametrize("target", ["params", "turtle"])
def test_atheris_finds_nothing_in_a_bounded_run(target: str, tmp_path: Path) -> None:
    """A coverage-guided run from the kept inputs; a crash leaves its input in tmp_path."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for kept in sorted((FIXTURES / target).glob("*")):
        (corpus / kept.name).write_bytes(kept.read_bytes())
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "tests" / "fuzz" / "fuzz_targets.py"),
            target,
            f"-max_total_time={FUZZ_SECONDS}",
            "-seed=1",
            "-rss_limit_mb=4096",
            f"-artifact_prefix={tmp_path}/",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    crashes = sorted(path.name for path in tmp_path.glob("crash-*"))
    assert done.returncode == 0 and not crashes, (
        f"atheris found {crashes}: keep each under tests/fixtures/fuzz/{target}/\n"
        + done.stderr[-3000:]
    )
    assert "Done" in done.stderr and "runs in" in done.stderr
