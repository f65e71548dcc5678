"""The wheel ships the ontology, shapes and data, and works from a fresh virtual environment."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import REPO

# Safety net against a hung pip; not a performance assertion.
TIMEOUT = 1200


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)], out)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("egov_kg-0.1.0-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv")
    done = run([sys.executable, "-m", "venv", str(root)], root)
    assert done.returncode == 0, done.stderr
    done = run([str(root / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], root)
    assert done.returncode == 0, done.stdout + done.stderr
    return root


@pytest.mark.slow
def test_wheel_ships_ontology_shapes_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "egov_kg/py.typed" in names
    assert "egov_kg/ontology/egov.ttl" in names
    assert "egov_kg/ontology/shapes.ttl" in names
    for template in (REPO / "templates").iterdir():  # the server's pages and queries
        assert f"egov_kg/templates/{template.name}" in names
    data = sorted(p.name for p in (REPO / "data").glob("*.ttl"))
    assert data, "no data/*.ttl in the checkout"
    for name in data:
        assert f"egov_kg/data/{name}" in names
    assert not [n for n in names if n.startswith(("egov_kg/src/", "tests/", "src/"))]


@pytest.mark.slow
def test_installed_wheel_loads_the_same_graph(venv: Path, kg: Graph, tmp_path: Path) -> None:
    code = (
        "import egov_kg, egov_kg.resources as r; g = egov_kg.load().asserted; "
        "print(len(g)); print(egov_kg.__file__); print(r.ontology_file())"
    )
    done = run([str(venv / "bin" / "python"), "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    count, module, ontology = done.stdout.splitlines()
    assert int(count) == len(kg)
    # The installed copy, with its packaged ontology, not the checkout.
    assert Path(module).is_relative_to(venv)
    assert Path(ontology).is_relative_to(venv)
    assert Path(ontology).parts[-3:] == ("egov_kg", "ontology", "egov.ttl")


@pytest.mark.slow
def test_installed_cli_validates_the_shipped_graph(venv: Path, tmp_path: Path) -> None:
    done = run([str(venv / "bin" / "egov-kg"), "validate"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms" in done.stdout.splitlines()[0]
    version = run([str(venv / "bin" / "egov-kg"), "--version"], tmp_path)
    assert version.stdout.strip() == "egov-kg, version 0.1.0"


@pytest.mark.slow
def test_installed_wheel_draws_japanese_and_documents_the_ontology(
    venv: Path, tmp_path: Path
) -> None:
    # The font comes with the install (matplotlib-fontja): a missing glyph is an error.
    done = run(
        [str(venv / "bin" / "egov-kg"), "draw", "org-chart", "--lang", "ja", "-o", "org.png"],
        tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "org.png").read_bytes().startswith(b"\x89PNG")
    code = (
        "from egov_kg.ontology_docs import ontology_html, shapes_html; "
        "print(len(ontology_html()) > 10000, len(shapes_html()) > 10000)"
    )
    done = run([str(venv / "bin" / "python"), "-W", "error::UserWarning", "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
