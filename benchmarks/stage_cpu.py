"""Benchmark: where a full static audit's CPU goes, process by process and stage by stage.

Audits a generated council site (as benchmarks/crawl.py does: `../shared/bench`, served
by the harness's nginx) and prints the CPU seconds and milliseconds per page of

- each process of the tree: the audit's own process (Scrapy, the store, the site and
  report stages), the forkserver and the page workers (parsing and the page rules), read
  from /proc every 0.1 s so that processes that end early are counted too;
- each stage of the audit's own process (`audits.engine.STAGES`, and the prioritise step
  inside the report stage), its own CPU measured around each stage, and the process's
  peak resident memory during each stage (the peak is reset as each stage starts,
  through /proc/self/clear_refs).

Run it with and without `--links-only`, in turns: the difference, line by line, is what
the rules outside the links category cost. The machines are shared: compare CPU, never
wall time.

    .venv/bin/python benchmarks/stage_cpu.py --pages 2000 [--links-only] [--port 8088 --ext-port 8089]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.crawl import bench_config, ensure_site, start_serving, stop_serving

_SAMPLE_SECONDS = 0.1
_TICKS = os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reset_peak_memory() -> None:
    """Start this process's peak resident memory (VmHWM) again from what it holds now."""
    # Not Linux, or a kernel before 4.0: the peaks are then cumulative.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _peak_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_audit_with_stage_clock(out: Path, argv: list[str]) -> int:
    """Run `siteaudit argv` in this process, each stage's own CPU and peak memory written
    to `out`."""
    import audits.engine as engine
    import audits.stages.report as report_stage
    from audits.cli import main

    spent: dict[str, float] = {}
    peaks: dict[str, float] = {}

    def clocked(name: str, function):  # type: ignore[no-untyped-def]
        def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            started = _own_cpu()
            _reset_peak_memory()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + _own_cpu() - started
                peaks[name] = max(peaks.get(name, 0.0), _peak_memory_mb())

        return run

    engine.open_run = clocked("open_run", engine.open_run)
    engine.STAGES = tuple(clocked(stage.__name__, stage) for stage in engine.STAGES)
    report_stage.run_prioritise_stage = clocked(
        "report: prioritise", report_stage.run_prioritise_stage
    )
    try:
        main(args=argv, prog_name="siteaudit")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    spent["whole process"] = _own_cpu()
    out.write_text(json.dumps({"cpu": spent, "peak_rss_mb": peaks}))
    return code


def _process_table() -> dict[int, tuple[int, int, str, str]]:
    """{pid: (parent pid, CPU ticks, start time, command line)} of every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        ticks = int(fields[11]) + int(fields[12])
        table[int(entry)] = (int(fields[1]), ticks, fields[19], command.decode(errors="replace"))
    return table


def _role(parent_role: str, command: str) -> str:
    if parent_role == "audit process":
        return "forkserver" if "forkserver" in command else "other children"
    if parent_role == "forkserver":
        return "page workers"
    return "other children"


def sample_tree(root: int, done: threading.Event) -> dict[str, list[float]]:
    """Role -> [CPU seconds, processes] over the process tree under `root`, until done."""
    seen: dict[tuple[int, str], tuple[str, int]] = {}
    while not done.is_set():
        table = _process_table()
        children: dict[int, list[int]] = {}
        for pid, (parent, *_) in table.items():
            children.setdefault(parent, []).append(pid)
        frontier = [(root, "audit process")]
        while frontier:
            pid, role = frontier.pop()
            if pid not in table:
                continue
            _, ticks, started, _command = table[pid]
            key = (pid, started)
            seen[key] = (role, max(ticks, seen.get(key, (role, 0))[1]))
            frontier += [(child, _role(role, table[child][3])) for child in children.get(pid, [])]
        done.wait(_SAMPLE_SECONDS)
    roles: dict[str, list[float]] = {}
    for role, ticks in seen.values():
        total = roles.setdefault(role, [0.0, 0])
        total[0] += ticks / _TICKS
        total[1] += 1
    return roles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--links-only", action="store_true", help="disable content rules")
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--ext-port", type=int, default=8089, help="the external host's port")
    parser.add_argument("--as-of", default="2026-01-01", help="the audit's date (YYYY-MM-DD)")
    args = parser.parse_args()

    start_serving(ensure_site(args.pages, args.ext_port), args.port, args.ext_port)
    work = Path(tempfile.mkdtemp(prefix="siteaudit-stage-cpu-"))
    try:
        (work / "bench.toml").write_text(bench_config(args.pages, links_only=args.links_only))
        audit_args = [
            "audit",
            f"http://127.0.0.1:{args.port}/",
            "--config",
            str(work / "bench.toml"),
            "--out",
            str(work / "out"),
            "--quiet",
            "--no-browser",
            "--no-plugins",
            "--as-of",
            args.as_of,
        ]
        stages = work / "stages.json"
        proc = subprocess.Popen(
            [sys.executable, __file__, "--stage-clock", str(stages), *audit_args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        done = threading.Event()
        roles: dict[str, list[float]] = {}
        sampler = threading.Thread(target=lambda: roles.update(sample_tree(proc.pid, done)))
        sampler.start()
        output, _ = proc.communicate()
        done.set()
        sampler.join()
        if proc.returncode not in (0, 1):
            sys.exit(f"siteaudit failed (exit {proc.returncode}):\n{output.decode()[-3000:]}")
        pages = json.loads((work / "out" / "findings.json").read_text())["run"]["pages"]
        measured = json.loads(stages.read_text())
        spent, peaks = measured["cpu"], measured["peak_rss_mb"]
    finally:
        stop_serving(args.port)
        shutil.rmtree(work, ignore_errors=True)
    total = sum(cpu for cpu, _ in roles.values())

    def figures(seconds: float) -> dict[str, float]:
        return {"cpu_s": round(seconds, 2), "ms_per_page": round(1000 * seconds / pages, 2)}

    print(
        json.dumps(
            {
                "site_pages": args.pages,
                "mode": "links only" if args.links_only else "all static rules",
                "pages": pages,
                "tree": figures(total),
                "processes": {
                    role: {**figures(cpu), "count": int(count)}
                    for role, (cpu, count) in sorted(roles.items())
                },
                "audit_process_stages": {
                    name: figures(cpu) for name, cpu in spent.items() if cpu >= 0.005
                },
                # Each stage's own peak (the prioritise step's is inside the report's).
                "audit_process_stage_peak_rss_mb": {
                    name: round(peak) for name, peak in peaks.items()
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--stage-clock"]:
        # Not this folder: its incremental.py would hide Twisted's `incremental` package.
        here = Path(__file__).resolve().parent
        sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
        sys.exit(run_audit_with_stage_clock(Path(sys.argv[2]), sys.argv[3:]))
    main()
