"""The scale benchmark runs at the smallest size and reports every stage."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "scale.py"
sys.path.insert(0, str(SCRIPT.parent))

import scale  # noqa: E402 - the benchmark script, imported from its folder


def test_scale_benchmark_reports_every_stage(tmp_path: Path) -> None:
    out = tmp_path / "scale.md"
    args = [sys.executable, str(SCRIPT), "--sizes", "shipped", "--repeat", "1", "--out", str(out)]
    completed = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert completed.stdout.strip() == text.strip()  # printed and written alike
    rows = {
        line.split(" | ")[0].removeprefix("| "): line
        for line in text.splitlines()
        if line.startswith("| ") and " | " in line
    }
    stages = scale.stages()
    assert len(stages) > 40  # loads, engines, every canned query twice, every format
    for stage in stages:
        assert stage in rows, f"no row for {stage}"
        cell = rows[stage].split(" | ")[1].rstrip(" |")
        assert not cell.startswith("error"), rows[stage]
        assert "timeout" not in cell, rows[stage]
        assert cell.endswith("MiB)") or cell.startswith("n/a"), rows[stage]
    for stage in (
        "parse (rdflib)",
        "bulk load (pyoxigraph)",
        "validate (pyshacl)",
        "infer (owlrl)",
    ):
        assert rows[stage].split(" | ")[1].rstrip(" |").endswith("MiB)")  # references run
    assert "| CPU |" in text
    assert "| RAM |" in text
