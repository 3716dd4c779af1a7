"""`pip install .` gives a working elicit and analysis, outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent


def _declared() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_on_disk_is_declared():
    on_disk = set(find_packages(str(ROOT), include=["elicit*", "analysis*"]))
    mapped = {"elicit.templates", "elicit.migrations"}
    assert _declared() == on_disk | mapped


@pytest.mark.slow
def test_an_installed_wheel_serves_pages_and_migrates(tmp_path):
    wheels, target, source = tmp_path / "wheels", tmp_path / "site", tmp_path / "source"
    # Build from a copy: setuptools writes build/ beside the sources.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "instance", "build", "*.egg-info", "__pycache__", "tests", "benchmarks",
        "docs", ".hypothesis", ".pytest_cache", ".ruff_cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "--wheel-dir", str(wheels), str(source)], check=True, cwd=tmp_path,
                   timeout=600)
    wheel = next(wheels.glob("elicit-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                    "--target", str(target), str(wheel)], check=True, timeout=600)
    script = (
        "import elicit, analysis\n"
        "from flask_migrate import upgrade\n"
        "from elicit import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/db.sqlite',"
        " 'SECRET_KEY': 'x'})\n"
        "with app.app_context():\n"
        "    upgrade(revision='heads')\n"
        "page = app.test_client().get('/login')\n"
        "print(elicit.__file__, analysis.__file__, page.status_code, b'<form' in page.data)\n"
    )
    # Run from an empty folder with only the installed copy (and the test's venv) on the path.
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=True)
    elicit_file, analysis_file, status, has_form = done.stdout.split()[-4:]
    assert elicit_file.startswith(str(target)) and analysis_file.startswith(str(target))
    assert (status, has_form) == ("200", "True")
