"""The repository's own checks: README commands, CI script, lint and types of src/."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

MAIN_JOB = (
    "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/egov-kg build --out release"
    " && .venv/bin/egov-kg query timeline"
)
TESTS = (
    "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/python -m pytest"
)


def shell_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S)]


def test_readme_shows_the_main_job_and_test_commands() -> None:
    blocks = shell_blocks((REPO / "README.md").read_text(encoding="utf-8"))
    assert blocks[:2] == [MAIN_JOB, TESTS]


def test_ci_runs_the_readme_test_command() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script
    assert f"{TESTS} || status=$?" in script
    assert '"$status" -eq 5' in script


def tool(name: str) -> str:
    found = Path(sys.executable).with_name(name)
    if found.is_file():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.fail(f"{name} is not installed (pip install -e '.[test]')")
    return which


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "src"], ["ruff", "format", "--check", "src"], ["mypy", "src"]],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_src_is_clean(command: list[str]) -> None:
    done = subprocess.run(
        [tool(command[0]), *command[1:]], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
