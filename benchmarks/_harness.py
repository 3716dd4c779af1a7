"""Tiny helpers shared by the benchmark scripts: timing, peak memory, the JSON record."""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any


def best_time(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Smallest wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_memory(fn: Callable[[], Any]) -> float:
    """Peak bytes allocated (tracemalloc, which numpy reports to) during one call."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return float(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def record(name: str, value: float, unit: str, goal: str, met: bool,
           reference: float | None = None, ratio: float | None = None) -> dict[str, Any]:
    """One entry of the JSON list the benchmarks print."""
    return {"name": name, "value": round(value, 6), "unit": unit,
            "reference": None if reference is None else round(reference, 6),
            "ratio": None if ratio is None else round(ratio, 3), "goal": goal, "met": bool(met)}


def emit(records: list[dict[str, Any]], out: str | None) -> None:
    """Print the records as JSON and write them to ``out`` if given."""
    text = json.dumps(records, indent=2)
    print(text)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
