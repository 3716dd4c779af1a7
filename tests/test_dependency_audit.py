"""Issue 18 item 13: the dependency audit is never green when it audited nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "tools" / "audit_dependencies.py"
_spec = importlib.util.spec_from_file_location("audit_dependencies", _PATH)
audit_dependencies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit_dependencies)

CLEAN = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []},
                          {"name": "nh3", "version": "0.3.0", "vulns": []}], "fixes": []}
# What pip-audit writes without --strict when no vulnerability service answers: exit 0.
OFFLINE = {"dependencies": [
    {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    {"name": "nh3", "skip_reason": "Dependency not found on PyPI and could not be audited"}],
    "fixes": []}
ONE_SKIPPED = {"dependencies": [CLEAN["dependencies"][0], OFFLINE["dependencies"][1]]}
VULNERABLE = {"dependencies": [{"name": "flask", "version": "0.1", "vulns": [
    {"id": "PYSEC-0000-1", "fix_versions": ["3.1.3"], "description": "…"}]}]}


@pytest.mark.parametrize("status, report, expected", [
    (0, CLEAN, 0),
    (0, OFFLINE, 2),          # every package skipped but pip-audit said 0: not green
    (0, ONE_SKIPPED, 2),      # a single skip is enough to refuse
    (0, {"dependencies": [], "fixes": []}, 2),   # nothing listed: nothing audited
    (1, None, 2),             # --strict stopped at the first lookup failure (offline)
    (1, VULNERABLE, 1),
])
def test_the_audit_is_green_only_when_every_package_was_looked_up_and_is_clean(
        monkeypatch, capsys, status, report, expected):
    monkeypatch.setattr(audit_dependencies, "run_pip_audit",
                        lambda requirements: (status, report, "ERROR: offline"))
    assert audit_dependencies.main([]) == expected
    if expected == 0:
        assert "passed: 2 packages" in capsys.readouterr().out


def test_pip_audit_is_run_strict_on_the_pinned_requirements(monkeypatch):
    seen = {}

    class Done:
        returncode, stderr = 1, ""

    def fake_run(command, **kwargs):
        seen["command"] = command
        return Done()

    monkeypatch.setattr(audit_dependencies.subprocess, "run", fake_run)
    status, report, _ = audit_dependencies.run_pip_audit(["requirements-dev.txt"])
    assert "--strict" in seen["command"] and report is None and status == 1
    assert str(audit_dependencies.ROOT / "requirements-dev.txt") in seen["command"]
