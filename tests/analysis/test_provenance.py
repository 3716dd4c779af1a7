import subprocess
import sys
from pathlib import Path

import numpy as np

from analysis import __version__, hash_frame, library_versions, validate_judgments
from tests.analysis._factories import make_judgments

ROOT = Path(__file__).resolve().parents[2]


def test_hash_is_canonical():
    df = validate_judgments(make_judgments(5, 3))
    h = hash_frame(df)
    assert h == hash_frame(df.sample(frac=1.0, random_state=1))
    assert h == hash_frame(df[df.columns[::-1]])
    changed = df.copy()
    changed.loc[changed.index[0], "value"] += 1e-9
    assert hash_frame(changed) != h
    assert hash_frame(df.assign(extra=1), tuple(df.columns)) == hash_frame(df, tuple(df.columns))


def test_negative_zero_and_nan_are_canonical():
    df = validate_judgments(make_judgments(3, 2))
    a, b = df.copy(), df.copy()
    a.loc[a.index[0], "value"] = 0.0
    b.loc[b.index[0], "value"] = -0.0
    assert hash_frame(a) == hash_frame(b)
    a["lowest"] = np.nan
    b["lowest"] = float("nan")
    assert hash_frame(a) == hash_frame(b)


def test_versions():
    v = library_versions()
    assert v["analysis"] == __version__ and v["numpy"] == np.__version__


def test_import_loads_no_web_framework():
    code = ("import sys; sys.path.insert(0, '.'); import analysis;"
            "bad = [m for m in ('flask', 'sqlalchemy', 'elicit', 'matplotlib.pyplot')"
            " if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
