"""Benchmark egov-kg: import, load, inference, canned queries, the CLI and the release build.

Usage::

    python benchmarks/bench.py [--repeat N] [--out FILE]

Every measurement is repeated N times (default 5) and reported as the median and the minimum,
in milliseconds. What "cold" means is spelled out per row: a new process, and for inference
an empty closure cache (``EGOV_KG_CACHE_DIR`` pointed at a fresh temporary folder; the
user's own cache is never touched). The table is printed and written as Markdown to
``--out`` (default ``benchmarks/results.md``) with the machine it ran on.

Only the standard library and egov-kg are used. Timings go through ``time.perf_counter``;
a subprocess is timed from outside (wall time, interpreter start-up included) unless the row
says it is timed inside the process.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
DEFAULT_OUT = HERE.parent / "results.md"
TIMEOUT = 900  # seconds per subprocess: a hung run fails the benchmark instead of blocking
PACKAGES = ("egov-kg", "rdflib", "pyshacl", "owlrl", "pyoxigraph", "click")

# Parameter values per parameter name (first) or kind; every canned query gets its
# required parameters from here, plus the optional ones named here.
BY_NAME: Mapping[str, Any] = {
    "body": "CIO連絡会議",
    "resource": "egov-org:cio-council",
    "text": "CIO",
    "date": "2002-01-01",
    "start": "2001-01-01",
    "end": "2005-12-31",
}
BY_KIND: Mapping[str, Any] = {
    "iri": "egov-org:cio-council",
    "date": "2002-01-01",
    "integer": 10,
    "text": "CIO",
    "lang": "CIO",
}


@dataclass
class Row:
    """One measurement: its samples in seconds, or an error."""

    name: str
    samples: list[float] = field(default_factory=list)
    note: str = ""
    error: str | None = None

    def cells(self) -> tuple[str, str, str, str]:
        """Median and min in ms, number of runs, note (or the error)."""
        if self.error is not None or not self.samples:
            return ("-", "-", str(len(self.samples)), f"error: {self.error}")
        median = statistics.median(self.samples) * 1000
        low = min(self.samples) * 1000
        return (f"{median:,.1f}", f"{low:,.1f}", str(len(self.samples)), self.note)


# ---------------------------------------------------------------------------
# Worker: runs inside a new process and prints its timings as JSON
# ---------------------------------------------------------------------------


def _clock(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _params(canned: Any) -> dict[str, Any]:
    """Sensible values for a canned query's parameters (see BY_NAME and BY_KIND)."""
    values: dict[str, Any] = {}
    for parameter in canned.parameters:
        if parameter.name in BY_NAME:
            values[parameter.name] = BY_NAME[parameter.name]
        elif parameter.required:
            values[parameter.name] = BY_KIND.get(parameter.kind, "CIO")
    return values


def worker(task: str, repeat: int) -> dict[str, Any]:
    """Run one task in this (new) process; return its timings in seconds."""
    import egov_kg

    if task == "load":
        first = _clock(lambda: egov_kg.load())
        again = _clock(lambda: egov_kg.load())
        return {"first": first, "again": again}
    if task == "load-inferred":
        return {"first": _clock(lambda: egov_kg.load(inferred=True))}
    if task == "queries":
        kg = egov_kg.load()
        names = sorted(kg.queries)
        results: dict[str, Any] = {"queries": {}, "params": {}, "errors": {}}
        warm: list[float] = []
        for name in names:  # the first query builds the label index of the closure
            params = _params(kg.queries[name])
            results["params"][name] = params
            try:
                warm.append(_clock(functools.partial(kg.query, name, **params)))
            except Exception as error:  # noqa: BLE001 - reported in the table
                results["errors"][name] = f"{type(error).__name__}: {error}"
        results["first_query"] = warm[0] if warm else None
        for name in names:
            if name in results["errors"]:
                continue
            params = results["params"][name]
            results["queries"][name] = [
                _clock(functools.partial(kg.query, name, **params)) for _ in range(repeat)
            ]
        return results
    raise SystemExit(f"unknown worker task {task!r}")


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("egov-kg")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "egov_kg"]


def _run(args: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> float:
    """Run a command; return its wall time in seconds (it must succeed)."""
    start = time.perf_counter()
    completed = subprocess.run(
        list(args), env=dict(env), cwd=cwd, capture_output=True, timeout=TIMEOUT
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} exited {completed.returncode}: "
            + completed.stderr.decode(errors="replace").strip()[-500:]
        )
    return elapsed


def _work(task: str, repeat: int, env: Mapping[str, str]) -> dict[str, Any]:
    command = [sys.executable, str(HERE), "--worker", task, "--repeat", str(repeat)]
    completed = subprocess.run(
        command, env=dict(env), capture_output=True, check=False, timeout=TIMEOUT
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"worker {task} failed: " + completed.stderr.decode(errors="replace").strip()[-500:]
        )
    result: dict[str, Any] = json.loads(completed.stdout)
    return result


def _compile_egov_kg() -> None:
    """Write egov-kg's bytecode, as installing a wheel does, before timing new processes.

    rdflib, the baseline, is installed with its bytecode; an editable egov-kg run with
    ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile its modules in every timed run.
    """
    import egov_kg

    compileall.compile_dir(str(Path(egov_kg.__file__).parent), quiet=1)


def measure(repeat: int, progress: Callable[[str], None]) -> list[Row]:
    """Take every measurement ``repeat`` times; return the rows of the table."""
    rows: list[Row] = []
    scratch = Path(tempfile.mkdtemp(prefix="egov-kg-bench-"))
    base_env = {**os.environ}
    base_env.pop("PYTHONHASHSEED", None)
    _compile_egov_kg()
    try:
        caches = iter(range(1_000_000))

        def fresh_cache() -> dict[str, str]:
            folder = scratch / f"cache-{next(caches)}"
            folder.mkdir()
            return {**base_env, "EGOV_KG_CACHE_DIR": str(folder)}

        warm_env = fresh_cache()
        python = sys.executable

        progress("interpreter and imports")
        bare = Row("python -c pass")
        pkg = Row("python -c 'import egov_kg'")
        rdflib_ = Row("python -c 'import rdflib'")
        for _ in range(repeat):
            bare.samples.append(_run([python, "-c", "pass"], base_env))
            pkg.samples.append(_run([python, "-c", "import egov_kg"], base_env))
            rdflib_.samples.append(_run([python, "-c", "import rdflib"], base_env))
        net = Row("import egov_kg (minus interpreter start-up)")
        net.samples = [max(0.0, p - b) for p, b in zip(pkg.samples, bare.samples, strict=True)]
        net.note = "per run: import egov_kg minus python -c pass"
        rows += [net, pkg, bare]

        progress("egov_kg.load()")
        first, again = Row("egov_kg.load(), cold"), Row("egov_kg.load(), again")
        first.note = "first call in a new process (timed inside)"
        again.note = "second call in the same process"
        for _ in range(repeat):
            timing = _work("load", repeat, warm_env)
            first.samples.append(timing["first"])
            again.samples.append(timing["again"])
        rows += [first, again]

        progress("egov_kg.load(inferred=True)")
        cold = Row("egov_kg.load(inferred=True), cold")
        cold.note = "new process, empty closure cache: the OWL 2 RL rules run (timed inside)"
        cached = Row("egov_kg.load(inferred=True), cached")
        cached.note = "new process, closure read from the cache (timed inside)"
        for _ in range(repeat):
            env = fresh_cache()
            cold.samples.append(_work("load-inferred", repeat, env)["first"])
            cached.samples.append(_work("load-inferred", repeat, env)["first"])
        _work("load-inferred", 1, warm_env)  # fill the shared cache for what follows
        rows += [cold, cached]

        progress("canned queries")
        timing = _work("queries", repeat, warm_env)
        first_query = Row("first kg.query() after load")
        first_query.note = "builds the closure's label index (closure cached)"
        if timing.get("first_query") is not None:
            first_query.samples.append(timing["first_query"])
        rows.append(first_query)
        for name in sorted({*timing["params"]}):
            params = ", ".join(f"{k}={v!r}" for k, v in timing["params"][name].items())
            row = Row(f"query {name}", note=params or "no parameters")
            if name in timing["errors"]:
                row.error = timing["errors"][name]
            else:
                row.samples = list(timing["queries"][name])
            rows.append(row)

        progress("egov-kg query timeline")
        cli = Row("egov-kg query timeline (new process)")
        cli.note = "wall time, closure cached"
        _run([*_cli(), "query", "timeline"], warm_env)  # warm the OS file cache
        for _ in range(repeat):
            cli.samples.append(_run([*_cli(), "query", "timeline"], warm_env))
        rows += [cli, rdflib_]
        ratio = statistics.median(cli.samples) / statistics.median(rdflib_.samples)
        note = f"{ratio:.2f}x (medians of the wall times)"
        rows.append(Row("ratio: egov-kg query timeline / import rdflib", note=note))

        progress("egov-kg build")
        build = Row("egov-kg build, cold")
        build.note = "new process, empty closure cache, new folder"
        for index in range(repeat):
            out = scratch / f"release-{index}"
            build.samples.append(_run([*_cli(), "build", "--out", str(out)], fresh_cache()))
        rows.append(build)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def machine(packages: Sequence[str] = PACKAGES) -> list[tuple[str, str]]:
    """What the benchmark ran on: platform, CPU, RAM, Python and the versions of ``packages``."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    info = [
        ("platform", platform.platform()),
        ("CPU", f"{cpu} ({os.cpu_count()} logical CPUs)"),
        ("RAM", memory),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
    ]
    for package in packages:
        try:
            info.append((package, version(package)))
        except PackageNotFoundError:
            info.append((package, "not installed"))
    return info


def _cells(row: Row) -> tuple[str, str, str, str]:
    if not row.samples and row.error is None:  # a derived row such as the ratio
        return ("", "", "", row.note)
    return row.cells()


HEADER = ("measurement", "median ms", "min ms", "runs", "note")


def text_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned plain-text table."""
    table = [HEADER, *((row.name, *_cells(row)) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    right = {1, 2, 3}
    lines = []
    for line in table:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown(rows: Sequence[Row], repeat: int) -> str:
    """The rows and the machine as a Markdown document."""
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    out = [
        "# egov-kg benchmark",
        "",
        f"`python benchmarks/bench.py --repeat {repeat}`, run on {today}. Times in "
        "milliseconds: median and minimum of the runs. Rows timed from outside are wall "
        "times of a new process, interpreter start-up included.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        cells = [row.name, *_cells(row)]
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    out += ["", "## Machine", "", "| | |", "| --- | --- |"]
    out += [f"| {key} | {value} |" for key, value in machine()]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run the benchmark, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (5)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown results file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.worker:
        json.dump(worker(args.worker, args.repeat), sys.stdout)
        return 0

    def progress(what: str) -> None:
        print(f"bench: {what}...", file=sys.stderr, flush=True)

    rows = measure(args.repeat, progress)
    print(text_table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(rows, args.repeat), encoding="utf-8")
    print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
