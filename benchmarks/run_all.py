"""Run every benchmark, collect the figures into results.json and a Markdown table.

Each benchmark script runs in its own process with ``--out FILE`` (and
``--quick`` in quick mode); its JSON records are gathered in order into
``benchmarks/results.json`` = ``{"machine": {...}, "results": [...]}`` and
``benchmarks/RESULTS.md``.  A benchmark that fails or times out is recorded
as a failed row and the others still run; its output is in
``benchmarks/.logs/<name>.log``.

    python benchmarks/run_all.py [--quick] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# (name, script, title, seconds allowed in full mode, in quick mode)
BENCHMARKS = [
    ("startup", "startup.py", "Start-up: app import and flask --help vs import flask", 300, 60),
    ("analysis", "bootstrap_vs_pandas.py", "Analysis: bootstrap ranking vs pandas", 900, 90),
    ("coverage", "interval_coverage.py", "Analysis: 90 % interval coverage", 1800, 180),
    ("web", "web_submit.py", "Web: expert submit vs minimal Flask route", 900, 200),
    ("results_page", "results_page.py", "Results page: cold and cached", 600, 90),
    ("charts_pages", "charts_pages.py", "Charts, calibration, Cooke view, report", 900, 180),
    ("shared_cache", "shared_cache.py", "Results cache shared by workers without Redis", 600, 180),
    ("export", "export_stream.py", "Export: streaming CSV vs DataFrame.to_csv", 900, 90),
    ("markdown_render", "markdown_render.py", "Markdown: hostile 50,000-character texts", 300, 120),
    ("scale", "scale_curve.py", "Scale curve (see scale_curve.svg)", 1200, 150),
    ("themes", "themes.py", "Rationale themes vs the sentence embedding alone", 900, 150),
    ("csv_import", "csv_import.py", "CSV import: 5,000-row panel and options vs executemany",
     300, 60),
    # last: anduryl's side of it is the slowest thing here
    ("cooke", "cooke_vs_anduryl.py", "Cooke classical model vs anduryl 1.2.2", 1200, 120),
]


def _run(command: list[str], **kwargs: Any) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=10, **kwargs).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine(quick: bool) -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    postgres = _run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"])
    commit = _run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT)
    dirty = bool(_run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT))
    return {
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "mode": "quick" if quick else "full",
        "cpu": cpu, "logical_cpus": os.cpu_count(), "memory_gib": memory,
        "os": platform.platform(), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "postgresql": postgres or None,
        "git_commit": commit + ("-dirty" if dirty else "") if commit else None,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def run_one(name: str, script: str, quick: bool, timeout: int, logdir: Path
            ) -> tuple[list[dict[str, Any]], str | None, float]:
    """Run one script; (records, error or None, seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        command = [sys.executable, str(HERE / script), "--out", str(out)]
        if quick:
            command.append("--quick")
        start = time.perf_counter()
        with open(logdir / f"{name}.log", "w", encoding="utf-8") as log:
            # its own session, so a timeout stops the servers it started too
            proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    env={**os.environ, "BENCH_LOGDIR": str(logdir)},
                                    start_new_session=True)
            try:
                returncode = proc.wait(timeout=timeout)
                error = None if returncode == 0 else f"exit status {returncode}"
            except subprocess.TimeoutExpired:
                error = f"timed out after {timeout} s"
                _stop_group(proc)
        seconds = time.perf_counter() - start
        records = json.loads(out.read_text(encoding="utf-8")) if out.exists() else []
    if error is None and not records:
        error = "no figures written"
    return records, error, seconds


def _stop_group(proc: subprocess.Popen) -> None:
    """Interrupt a timed-out benchmark and everything it started, then kill what is left.

    SIGINT first: the script's context managers stop its gunicorn and drop
    its PostgreSQL database on the way out.
    """
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            if sig != signal.SIGINT:
                return
        except subprocess.TimeoutExpired:
            continue
        # the script is gone; give its servers' group a moment, then make sure
        time.sleep(1)


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    value = float(value)
    if value != value:  # NaN
        return "–"
    magnitude = abs(value)
    if magnitude >= 10_000:
        text = f"{value:,.0f}"
    elif magnitude >= 100:
        text = f"{value:.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 0.1 or value == 0:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def markdown(info: dict[str, Any], sections: list[tuple[str, list[dict[str, Any]], str | None]]
             ) -> str:
    """The results as a Markdown table, one block of rows per benchmark."""
    lines = [
        f"# Benchmark results ({info['mode']} run, {info['date_utc']})",
        "",
        f"Machine: {info['cpu'] or 'unknown CPU'}, {info['logical_cpus']} logical CPUs, "
        f"{info['memory_gib']} GiB; {info['os']}; Python {info['python']}; "
        f"SQLite {info['sqlite']}; PostgreSQL {info['postgresql'] or 'not available'}; "
        f"commit {info['git_commit']}; load average at start "
        f"{', '.join(map(str, info['load_average_at_start']))}.",
        "",
        "Every ratio is measured in the same run against the reference named in the goal "
        "(reference column: the reference's own figure in the same unit, or the context "
        "noted). Produced by `make bench" + (" QUICK=1" if info["mode"] == "quick" else "")
        + "` (benchmarks/run_all.py).",
        "",
        "| benchmark | figure | value | reference | ratio | goal | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for title, records, error in sections:
        if error:
            lines.append(f"| {title} | **did not finish: {error}** | – | – | – | – | no |")
        for r in records:
            unit = r.get("unit") or ""
            ref_unit = unit if unit not in ("x", "k") else ""
            lines.append(
                f"| {title} | {r['name']} | {_fmt(r['value'], unit)} | "
                f"{_fmt(r.get('reference'), ref_unit)} | "
                f"{_fmt(r.get('ratio')) + '×' if r.get('ratio') is not None else '–'} | "
                f"{r['goal']} | {'yes' if r['met'] else '**no**'} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (under 3 minutes)")
    parser.add_argument("--only", nargs="*", choices=[b[0] for b in BENCHMARKS],
                        help="run only these benchmarks")
    parser.add_argument("--json", default=str(HERE / "results.json"))
    parser.add_argument("--markdown", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    logdir = HERE / ".logs"
    logdir.mkdir(exist_ok=True)
    info = machine(args.quick)
    sections, results, timings = [], [], {}
    total = time.perf_counter()
    for name, script, title, full_timeout, quick_timeout in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        print(f"== {title} ...", file=sys.stderr, flush=True)
        records, error, seconds = run_one(name, script, args.quick,
                                          quick_timeout if args.quick else full_timeout, logdir)
        timings[name] = round(seconds, 1)
        print(f"   {len(records)} figures in {seconds:.0f} s"
              + (f"; FAILED: {error} (see {logdir / (name + '.log')})" if error else ""),
              file=sys.stderr, flush=True)
        if error:
            results.append({"name": f"{title}: did not finish ({error})", "value": None,
                            "unit": "", "reference": None, "ratio": None,
                            "goal": "runs to the end", "met": False})
        results.extend(records)
        sections.append((title, records, error))
        # written after every benchmark, so an interrupted run keeps what it measured
        info["seconds_per_benchmark"] = timings
        info["seconds_total"] = round(time.perf_counter() - total, 1)
        info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        Path(args.json).write_text(json.dumps({"machine": info, "results": results}, indent=2)
                                   + "\n", encoding="utf-8")
        Path(args.markdown).write_text(markdown(info, sections), encoding="utf-8")
    missed = [r["name"] for r in results if not r["met"]]
    print(f"wrote {args.json} and {args.markdown} in {info['seconds_total']:.0f} s; "
          f"{len(results) - len(missed)} of {len(results)} figures meet their goal",
          file=sys.stderr)
    for name in missed:
        print(f"   missed: {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
