"""Start-up: importing the application and `flask --app wsgi --help`, beside `import flask`.

Every gunicorn worker boot, every `flask ...` command and every test that
starts a server pays the application's import. Each command runs as a fresh
process RUNS times, alternating with the reference (`python -c "import flask"`)
so a busy machine slows both alike; the figures are medians of the child's
CPU time (user + system, from `os.wait4`) and of its wall time.

Goals (issue 21): importing the app < 1 s of CPU; `flask --app wsgi --help`
< 1.5 s wall on a quiet machine.

    python benchmarks/startup.py [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import emit, record  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GOAL_IMPORT_CPU = 1.0
GOAL_HELP_WALL = 1.5


def measure(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of `command` in the project folder."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,  # noqa: S603
                               stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command} failed")
    return usage.ru_utime + usage.ru_stime, wall


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (CPU, wall) per command, the commands interleaved run by run."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for command in commands.values():  # warm the file cache once
        measure(command)
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(measure(command))
    return {name: (statistics.median(s[0] for s in found), statistics.median(s[1] for s in found))
            for name, found in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 9")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    python = sys.executable
    found = medians({
        "flask": [python, "-c", "import flask"],
        "app": [python, "-c", "import wsgi"],
        "help": [str(BIN / "flask"), "--app", "wsgi", "--help"],
    }, runs=3 if args.quick else 9)
    flask_cpu, flask_wall = found["flask"]
    app_cpu, _ = found["app"]
    _, help_wall = found["help"]
    emit([
        record("startup_import_app_cpu_s", app_cpu, "s", f"< {GOAL_IMPORT_CPU} s CPU",
               app_cpu < GOAL_IMPORT_CPU, reference=flask_cpu, ratio=app_cpu / flask_cpu),
        record("startup_flask_help_wall_s", help_wall, "s", f"< {GOAL_HELP_WALL} s wall",
               help_wall < GOAL_HELP_WALL, reference=flask_wall, ratio=help_wall / flask_wall),
    ], args.out)


if __name__ == "__main__":
    main()
