"""Measure every stage of egov-kg at several graph sizes, beside the reference engines.

Usage::

    python benchmarks/scale.py [--sizes shipped,10k,100k,1m] [--repeat N] [--timeout S]
                               [--out benchmarks/scale-results.md]

Sizes are the shipped data or a synthetic national graph of about that many triples
(``egov_kg.synth.write_synthetic``). Each stage runs in a new process (``--worker``), so that
its peak resident memory (``ru_maxrss`` of that child, from ``os.wait4``) is its own, and with
a time limit: a stage that runs out of time shows ``> S s (timeout)``. Each cell is the median
of ``--repeat`` runs inside that process, in seconds, and the peak memory in MiB. The cache of
egov-kg (``EGOV_KG_CACHE_DIR``) points to a fresh folder per size: "cold" means that folder is
empty, "cached" that a previous stage filled it. Optional fast engines (``engine="turbo"``
validation, ``engine="fast"`` inference) are measured when the installed egov-kg has them,
else the cell says ``n/a``. Reference engines known to take hours at the largest sizes are
not run there; their cell gives a linear estimate from the previous size.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bench  # benchmarks/bench.py, next to this script

HERE = Path(__file__).resolve()
DEFAULT_OUT = HERE.parent / "scale-results.md"
PACKAGES = ("egov-kg", "rdflib", "pyshacl", "owlrl", "pyoxigraph", "reasonable", "pyshacl-turbo")
SIZES = {"shipped": 0, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
FORMATS = ("turtle", "nt", "jsonld", "trig", "xml")
# reference engines not run at or above this many triples by default (hours at 1M on 2 cores)
REFERENCE_LIMIT = 500_000
# stages that need the closure egov_kg.load computes and caches on first use
NEEDS_CLOSURE = ("egov_kg.load, cached", "query ", "push ")
PUSH = "push (Oxigraph server)"
# the closure pushed into a graph the store lacks, then again into the same graph, unchanged
PUSH_ROWS = (f"{PUSH}, new graph", f"{PUSH}, unchanged")
REFERENCE_STAGES = ("validate (pyshacl)", "infer (owlrl)")
QUERY_PARAMS: dict[str, dict[str, str]] = {
    "chairs": {"body": "CIO連絡会議"},
    "members": {"body": "CIO連絡会議"},
    "describe": {"resource": "egov-org:cio-council"},
    "provenance": {"resource": "egov-org:cio-council"},
    "established-between": {"start": "2001-01-01", "end": "2005-12-31"},
    "timeline": {"start": "2001-01-01", "end": "2005-12-31"},
    "structure-as-of": {"date": "2002-01-01"},
    "search": {"text": "CIO"},
}


# ---------------------------------------------------------------------------
# Workers: one stage, in a new process; print {"samples": [...]} or {"na": reason}
# ---------------------------------------------------------------------------


def _clock(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def _files(data: str | None) -> list[Path]:
    from egov_kg.resources import data_files, ontology_file

    return [ontology_file(), *data_files(data)]


def _graph(data: str | None) -> Any:
    import egov_kg

    return egov_kg.load(data).asserted


def _has(function: Callable[..., object], parameter: str) -> bool:
    try:
        return parameter in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def worker(stage: str, data: str | None, repeat: int, extra: str | None) -> dict[str, Any]:
    """Run one stage in this process and return its timings (seconds)."""
    if stage == "generate":
        from egov_kg.synth import write_synthetic

        size = int(extra or 0)
        out = Path(tempfile.mkdtemp(prefix="egov-kg-synth-"))
        try:
            return {"samples": _clock(lambda: write_synthetic(size, out), repeat)}
        finally:
            shutil.rmtree(out, ignore_errors=True)
    if stage == "parse (rdflib)":
        from rdflib import Graph

        def parse() -> None:
            graph = Graph()
            for path in _files(data):
                graph.parse(path, format="turtle")

        return {"samples": _clock(parse, repeat)}
    if stage == "bulk load (pyoxigraph)":
        import pyoxigraph as ox

        def bulk() -> None:
            store = ox.Store()
            for path in _files(data):
                store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)

        return {"samples": _clock(bulk, repeat)}
    if stage in ("egov_kg.load, cold", "egov_kg.load, cached"):
        import egov_kg

        # cold: one run (the cache is filled by it); cached: the first query's store read back
        def load() -> None:
            kg = egov_kg.load(data)
            kg.store  # noqa: B018 - the query store: built (cold) or read back (cached)

        return {"samples": _clock(load, 1 if stage.endswith("cold") else repeat)}
    if stage == "validate (pyshacl)":
        from egov_kg.shapes import validate

        # What `egov-kg validate --data DIR` waits for once imported: the strict load of the
        # files, the shapes, validation and the labelled, sorted report (not printing it).
        return {"samples": _clock(lambda: validate(data_dir=data), repeat)}
    if stage == "validate (fast)":
        from egov_kg import shapes

        if not _has(shapes.validate, "engine"):
            return {"na": "egov_kg.shapes.validate has no engine"}
        # What `egov-kg validate --engine turbo --data DIR` waits for once imported: the
        # strict check of the files and their bulk load into an Oxigraph store (no rdflib
        # graph), the shapes compiled (on the first run only: cached in the process), the
        # store read by pyshacl-turbo, validation and the labelled, sorted report (not
        # printing it).
        return {
            "samples": _clock(
                lambda: shapes.validate(data_dir=data, engine="turbo"),  # type: ignore[call-arg]
                repeat,
            )
        }
    if stage == "infer (owlrl)":
        from egov_kg.reasoning import closure

        graph = _graph(data)
        if _has(closure, "engine"):
            return {"samples": _clock(lambda: closure(graph, engine="owlrl"), repeat)}  # type: ignore[call-arg]
        return {"samples": _clock(lambda: closure(graph), repeat)}
    if stage == "infer (fast)":
        from egov_kg import reasoning

        try:
            from egov_kg.graph import check_files, load_checked
            from egov_kg.rule_engine import native_inferred
        except ImportError:  # an egov-kg without the native path: the rdflib one
            if not _has(reasoning.closure, "engine"):
                return {"na": "egov_kg.reasoning.closure has no engine"}
            graph = _graph(data)
            return {"samples": _clock(lambda: reasoning.closure(graph, engine="fast"), repeat)}  # type: ignore[call-arg]

        # Timed: the strict check of every file (pyoxigraph parse, no rdflib graph), their
        # bulk load into Oxigraph, the rules to their fixpoint, the unsupported-axiom check
        # and the noise filter: what egov_kg.load runs to close a new input.
        def infer() -> None:
            checked = check_files(_files(data))
            native_inferred(lambda store, graph: load_checked(checked, store, graph))

        return {"samples": _clock(infer, repeat)}
    if stage.startswith("queries "):
        import egov_kg

        engine = stage.split("(")[1].rstrip(")")
        kg = egov_kg.load(data, engine=engine)  # type: ignore[arg-type]
        by_stage = {}
        for name in sorted(kg.queries):
            params = QUERY_PARAMS.get(name, {})
            kg.query(name, **params)  # warm: the store and the label index are built once
            samples = _clock(lambda: kg.query(name, **params), repeat)  # noqa: B023
            by_stage[f"query {name} ({engine})"] = samples
        return {"by_stage": by_stage}
    if stage == "exports":
        import egov_kg

        out = Path(tempfile.mkdtemp(prefix="egov-kg-export-"))
        if hasattr(egov_kg.KnowledgeGraph, "export"):
            egov_kg.load(data)  # the store built, if no earlier stage cached it: not timed

            # What `egov-kg export --format FMT --data DIR` waits for once imported: the
            # graph loaded (its store cached by an earlier stage), then written from its
            # files (egov_kg.native_export), checked by reading it back.
            def export(fmt: str) -> None:
                egov_kg.load(data).export(fmt, out / "x")
        else:  # an egov-kg without the native export: the rdflib graph, parsed once
            graph = _graph(data)

            def export(fmt: str) -> None:
                egov_kg.export(graph, fmt, out / "x")

        try:
            return {
                "by_stage": {
                    f"export {fmt}": _clock(lambda: export(fmt), repeat)  # noqa: B023
                    for fmt in FORMATS
                }
            }
        finally:
            shutil.rmtree(out, ignore_errors=True)
    if stage == PUSH:
        import egov_kg
        from egov_kg.iris import CLOSURE_GRAPH_IRI
        from egov_kg.remote import push

        kg = egov_kg.load(data)
        kg.closure  # noqa: B018 - pushing the closure; its computation is another stage
        endpoint = f"{extra}/store"
        graphs = iter(range(repeat))  # a first push: each run into a graph the store lacks

        def first() -> None:
            push(endpoint, inferred=True, kg=kg, graph=f"{CLOSURE_GRAPH_IRI}/{next(graphs)}")

        new = _clock(first, repeat)
        last = f"{CLOSURE_GRAPH_IRI}/{repeat - 1}"
        again = _clock(lambda: push(endpoint, inferred=True, kg=kg, graph=last), repeat)
        return {"by_stage": {PUSH_ROWS[0]: new, PUSH_ROWS[1]: again}}
    raise SystemExit(f"unknown stage {stage!r}")


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


@dataclass
class Cell:
    """One stage at one size: median seconds and peak MiB, or why there is none."""

    median: float | None = None
    peak_mib: float | None = None
    note: str | None = None
    error: str | None = None

    def text(self) -> str:
        if self.error is not None:
            return f"error: {self.error}"
        if self.note is not None:
            return self.note
        assert self.median is not None and self.peak_mib is not None
        return f"{_seconds(self.median)} ({self.peak_mib:,.0f} MiB)"


def _seconds(value: float) -> str:
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:,.2f} s"


def _run(args: Sequence[str], env: dict[str, str], timeout: float) -> tuple[str, float, float]:
    """Run a child; return its stdout, its wall time and its peak RSS in MiB."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                os.wait4(child.pid, 0)
                child.returncode = -9
                raise TimeoutError
            time.sleep(0.02)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read().decode()
        if child.returncode != 0:
            lines = err.read().decode(errors="replace").strip().splitlines() or ["no output"]
            raise RuntimeError(f"exit {child.returncode}: {lines[-1][:160]}")
        return text, wall, usage.ru_maxrss / 1024


def _stage(
    stage: str, data: str | None, repeat: int, env: dict[str, str], timeout: float, extra: str = ""
) -> dict[str, Cell]:
    """Run a worker: one stage, or a group of stages sharing a process (their memory too)."""
    args = [sys.executable, str(HERE), "--worker", stage, "--repeat", str(repeat)]
    if data is not None:
        args += ["--data", data]
    if extra:
        args += ["--extra", extra]
    try:
        text, _, peak = _run(args, env, timeout)
    except TimeoutError:
        return {stage: Cell(note=f"> {timeout:.0f} s (timeout)")}
    except RuntimeError as error:
        return {stage: Cell(error=str(error).replace("|", "/"))}
    result = json.loads(text.strip().splitlines()[-1])
    if "na" in result:
        return {stage: Cell(note=f"n/a ({result['na']})")}
    if "by_stage" in result:
        return {k: Cell(statistics.median(v), peak) for k, v in result["by_stage"].items()}
    return {stage: Cell(statistics.median(result["samples"]), peak)}


def _group(stage: str) -> str:
    """The worker a stage runs in: canned queries per engine and exports share one."""
    if stage.startswith("query "):
        return "queries (" + stage.split("(")[1]
    if stage.startswith("export "):
        return "exports"
    return stage


def _build(data: str | None, env: dict[str, str], timeout: float) -> Cell:
    out = Path(tempfile.mkdtemp(prefix="egov-kg-build-")) / "release"
    args = [str(Path(sys.executable).with_name("egov-kg")), "build", "--out", str(out)]
    if data is not None:
        args += ["--data", data]
    try:
        _, wall, peak = _run(args, env, timeout)
    except TimeoutError:
        return Cell(note=f"> {timeout:.0f} s (timeout)")
    except RuntimeError as error:
        return Cell(error=str(error).replace("|", "/"))
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    return Cell(wall, peak)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _push(data: str | None, repeat: int, env: dict[str, str], timeout: float) -> dict[str, Cell]:
    server = Path(sys.executable).with_name("oxigraph")
    if not server.is_file():
        return dict.fromkeys(PUSH_ROWS, Cell(note="n/a (no oxigraph server: pip install oxigraph)"))
    location = tempfile.mkdtemp(prefix="egov-kg-oxigraph-")
    url = f"127.0.0.1:{_free_port()}"
    args = [str(server), "serve", "--location", location, "--bind", url]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", int(url.split(":")[1]))) == 0:
                    break
            time.sleep(0.05)
        found = _stage(PUSH, data, repeat, env, timeout, f"http://{url}")
        return {row: found.get(row, found.get(PUSH, Cell(note="not run"))) for row in PUSH_ROWS}
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(location, ignore_errors=True)


def stages() -> list[str]:
    """The stage rows, in table order."""
    from egov_kg.queries import load_queries

    names = sorted(load_queries())
    rows = [
        "generate",
        "parse (rdflib)",
        "bulk load (pyoxigraph)",
        "egov_kg.load, cold",
        "egov_kg.load, cached",
        "validate (pyshacl)",
        "validate (fast)",
        "infer (owlrl)",
        "infer (fast)",
    ]
    for name in names:
        rows += [f"query {name} (oxigraph)", f"query {name} (rdflib)"]
    rows += [f"export {fmt}" for fmt in FORMATS]
    rows += [*PUSH_ROWS, "egov-kg build, cold"]
    return rows


def measure(
    sizes: Sequence[str],
    repeat: int,
    timeout: float,
    progress: Callable[[str], None],
    reference_limit: int = REFERENCE_LIMIT,
) -> dict[str, dict[str, Cell]]:
    """Every stage at every size: size -> stage -> cell."""
    from egov_kg.synth import write_synthetic

    table: dict[str, dict[str, Cell]] = {}
    rows = stages()
    root = Path(tempfile.mkdtemp(prefix="egov-kg-scale-"))
    try:
        for size in sizes:
            triples = SIZES[size]
            data: str | None = None
            if triples:
                data = str(root / size / "data")
                write_synthetic(triples, Path(data))
            env = {**os.environ, "EGOV_KG_CACHE_DIR": str(root / size / "cache")}
            cells: dict[str, Cell] = {}
            for stage in rows:
                progress(f"{size}: {stage}")
                if stage == "generate" and not triples:
                    cells[stage] = Cell(note="n/a (shipped data)")
                elif _reference_skipped(stage, triples, reference_limit):
                    cells[stage] = Cell(note=_estimate(table, sizes, size, stage))
                elif stage.startswith(NEEDS_CLOSURE) and cells["egov_kg.load, cold"].median is None:
                    cells[stage] = Cell(
                        note="not run (needs the closure; the cold load did not end)"
                    )
                elif stage == "generate":
                    cells.update(_stage(stage, data, repeat, env, timeout, str(triples)))
                elif stage in PUSH_ROWS:
                    if stage not in cells:
                        cells.update(_push(data, repeat, env, timeout))
                elif stage == "egov-kg build, cold":
                    shutil.rmtree(root / size / "cache", ignore_errors=True)
                    cells[stage] = _build(data, env, timeout)
                elif stage not in cells:
                    group = _group(stage)
                    found = _stage(group, data, repeat, env, timeout)
                    if group in found:  # the whole group failed: every stage of it says why
                        found = {s: found[group] for s in rows if _group(s) == group}
                    cells.update(found)
            table[size] = cells
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return table


def _reference_skipped(stage: str, triples: int, limit: int) -> bool:
    reference = stage in REFERENCE_STAGES or stage.endswith("(rdflib)")
    return reference and triples >= limit


def _estimate(
    table: dict[str, dict[str, Cell]], sizes: Sequence[str], size: str, stage: str
) -> str:
    earlier = [s for s in sizes[: sizes.index(size)] if SIZES[s]]
    if earlier:
        cell = table[earlier[-1]][stage]
        if cell.median is not None:
            guess = cell.median * SIZES[size] / SIZES[earlier[-1]]
            return f"not run (est. {_seconds(guess)}, linear)"
    return "not run"


def machine() -> list[tuple[str, str]]:
    """What the benchmark ran on (see ``bench.machine``), with the scale run's libraries."""
    return bench.machine(PACKAGES)


def markdown(
    table: dict[str, dict[str, Cell]],
    sizes: Sequence[str],
    command: str,
    load: str = "",
) -> str:
    """The results as a Markdown document: the table, then the machine."""
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    lines = [
        "# egov-kg at scale",
        "",
        f"`{command}`, run on {today}. Each cell: median of the runs in one process, "
        "and that process's peak resident memory. Sizes are triples of data "
        "(shipped data plus synthetic), without the ontology.",
        "",
        "| stage | " + " | ".join(sizes) + " |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " |",
    ]
    for stage in stages():
        lines.append(f"| {stage} | " + " | ".join(table[s][stage].text() for s in sizes) + " |")
    lines += ["", "## Machine", "", "| | |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in machine()]
    if load:
        lines.append(f"| load average (1 min) | {load} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments; run a worker stage, or the whole benchmark."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="shipped,10k,100k,1m")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per stage")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--reference-limit",
        type=int,
        default=REFERENCE_LIMIT,
        help="do not run pyshacl, owlrl and rdflib queries from this many triples",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--extra", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.repeat, args.extra)))
        return 0
    sizes = [s.strip().lower() for s in args.sizes.split(",")]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size {unknown[0]!r}: choose from {', '.join(SIZES)}")

    def progress(what: str) -> None:
        print(f"... {what}", file=sys.stderr, flush=True)

    load_before = os.getloadavg()
    table = measure(sizes, args.repeat, args.timeout, progress, args.reference_limit)
    load = f"{load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    options = list(sys.argv[1:] if argv is None else argv)
    if "--out" in options:  # where the table went is not part of how it was made
        del options[options.index("--out") : options.index("--out") + 2]
    command = " ".join(["python benchmarks/scale.py", *options])
    text = markdown(table, sizes, command, load)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(args.out.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
