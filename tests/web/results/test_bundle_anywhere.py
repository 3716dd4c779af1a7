"""Issue 20.3: the reproducibility bundle runs anywhere and reproduces expected.json exactly."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from elicit.services.results import analysis_wheel

ANALYSIS_DIR = Path(__file__).resolve().parents[3] / "analysis"


def _bundle(client, study_id, **query) -> bytes:
    response = client.get(f"/studies/{study_id}/downloads/bundle.zip", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


def _unzip(data: bytes, folder: Path) -> Path:
    folder.mkdir()
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    return folder


def _readme_steps(folder: Path) -> list[str]:
    """The README's indented command lines after 'Regenerate the ranking', as printed."""
    text = (folder / "README.txt").read_text()
    block = text.split("Regenerate the ranking", 1)[1].split("reproduce.sh runs", 1)[0]
    return [line[4:] for line in block.splitlines() if line.startswith("    ")]


def test_the_wheel_holds_the_running_analysis_package_and_a_valid_record():
    name, data = analysis_wheel.build_wheel()
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    on_disk = {f"analysis/{p.relative_to(ANALYSIS_DIR).as_posix()}"
               for p in ANALYSIS_DIR.rglob("*.py") if "__pycache__" not in p.parts}
    assert on_disk <= names and "analysis/cooke/seed_frame.py" in names
    info = name.removesuffix("-py3-none-any.whl") + ".dist-info"
    record = list(csv.reader(io.StringIO(archive.read(f"{info}/RECORD").decode())))
    assert {row[0] for row in record} == names
    for path, digest, size in record:
        if path.endswith("RECORD"):
            continue
        body = archive.read(path)
        expected = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
        assert (digest, size) == (f"sha256={expected}", str(len(body))), path
    metadata = archive.read(f"{info}/METADATA").decode()
    for requirement in analysis_wheel.requirements():
        assert f"Requires-Dist: {requirement}" in metadata
    assert analysis_wheel.build_wheel()[1] == data  # deterministic


@pytest.mark.parametrize("method", ["mean", "cooke"])
def test_the_shipped_wheel_alone_reproduces_expected_json_byte_for_byte(client, demo_study,
                                                                        tmp_path, method):
    folder = _unzip(_bundle(client, demo_study, method=method), tmp_path / "bundle")
    wheel = next(folder.glob("elicit_analysis-*.whl"))
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # Only the wheel's copy of analysis on the path (the numerical libraries from this venv)
    env = {**os.environ, "PYTHONPATH": str(site), "PATH": f"{Path(sys.executable).parent}:"
           + os.environ["PATH"]}
    done = subprocess.run(["sh", "reproduce.sh"], cwd=folder, env=env, capture_output=True,
                          timeout=600, check=True)
    assert done.stdout == (folder / "expected.json").read_bytes()
    check = subprocess.run([sys.executable, "-c", "import analysis; print(analysis.__file__)"],
                           cwd=folder, env=env, capture_output=True, text=True, check=True)
    assert check.stdout.startswith(str(site))


@pytest.mark.slow
def test_the_bundle_readme_followed_literally_in_a_fresh_virtualenv(client, demo_study,
                                                                      tmp_path):
    """Unzip into an empty folder, build a fresh venv there and run the README's steps."""
    bundles = {m: _bundle(client, demo_study, method=m) for m in ("mean", "cooke")}
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("VIRTUAL_ENV", "PYTHON"))}
    # `python3` is this test's Python, the one the server (the test app) ran
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    for method, data in bundles.items():
        folder = _unzip(data, tmp_path / method)
        steps = _readme_steps(folder)
        assert steps[0].startswith("python3 -m venv") and steps[-1].startswith("cmp ")
        done = subprocess.run(["sh", "-e", "-c", "\n".join(steps)], cwd=folder, env=env,
                              capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert "identical to expected.json" in done.stdout
        assert (folder / "result.json").read_bytes() == (folder / "expected.json").read_bytes()
        installed = subprocess.run([str(folder / ".venv/bin/python"), "-c",
                                    "import analysis; print(analysis.__file__)"],
                                   cwd=tmp_path, capture_output=True, text=True, check=True)
        assert installed.stdout.startswith(str(folder / ".venv"))


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path) -> str:
    """The bundle does not depend on the database: one (SQLite) is enough here.

    Both legs would install numpy, SciPy and pandas into fresh virtualenvs twice
    over for the same bytes; the PostgreSQL leg of the downloads is tested in
    test_downloads.py.
    """
    template = request.getfixturevalue("sqlite_template")
    path = tmp_path / "test.sqlite"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"
