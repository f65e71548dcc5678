"""Time every canned query at given data folders, on the on-disk and in-memory stores.

Usage::

    python benchmarks/query_scale.py --data 100k=/tmp/synth-100k --data 1m=/tmp/synth-1m
                                     [--stores disk,memory] [--repeat 5] [--rows FILE]

For each data folder and store kind (``EGOV_KG_STORE``), one new process loads the graph
(from the user's egov-kg cache, built there on first use), runs each canned query once to
warm up, then ``--repeat`` times, and reports the median wall and CPU time of the process in
milliseconds (the CPU time varies less on a busy machine: Oxigraph runs on the calling
thread), the row count and a short digest of the rows (their SPARQL TSV), so that a change
to a query can be checked to give the same rows at scale. ``--rows`` writes the digests as
JSON, to compare two runs. Parameters are those of ``benchmarks/scale.py`` (``QUERY_PARAMS``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scale import QUERY_PARAMS  # benchmarks/scale.py, next to this script


def worker(data: str, repeat: int) -> dict[str, Any]:
    """Time every canned query on the graph of ``data``: name -> median ms, rows, digest."""
    import egov_kg

    kg = egov_kg.load(data)
    kg.store  # noqa: B018 - built or opened here, not in the first query
    found: dict[str, Any] = {}
    for name in sorted(kg.queries):
        params = QUERY_PARAMS.get(name, {})
        result = kg.query(name, **params)
        samples, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            kg.query(name, **params)
            samples.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        digest = hashlib.sha256(result.to_tsv().encode()).hexdigest()[:12]
        found[name] = {
            "ms": statistics.median(samples) * 1000,
            "cpu_ms": statistics.median(cpu) * 1000,
            "rows": len(result),
            "digest": digest,
        }
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Run one worker per data folder and store kind; print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", action="append", default=[], help="LABEL=FOLDER")
    parser.add_argument("--stores", default="disk,memory")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=Path, help="write the row digests here (JSON)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.repeat)))
        return 0
    columns: dict[str, dict[str, Any]] = {}
    for item in args.data:
        label, _, folder = item.partition("=")
        for store in args.stores.split(","):
            print(f"... {label} {store}", file=sys.stderr, flush=True)
            env = {**os.environ, "EGOV_KG_STORE": store}
            command = [sys.executable, __file__, "--worker", folder, "--repeat", str(args.repeat)]
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            columns[f"{label} {store}"] = json.loads(out.stdout)
    names = sorted({name for column in columns.values() for name in column})
    print("| query | " + " | ".join(columns) + " |")
    print("| --- | " + " | ".join("---:" for _ in columns) + " |")
    for name in names:
        cells = [
            f"{column[name]['ms']:.1f} ms, cpu {column[name]['cpu_ms']:.1f} ms "
            f"({column[name]['rows']} rows, {column[name]['digest']})"
            for column in columns.values()
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.rows:
        digests = {
            label: {name: column[name]["digest"] for name in names}
            for label, column in columns.items()
        }
        args.rows.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
