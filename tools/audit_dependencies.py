"""Audit the pinned dependencies with pip-audit, and never call an empty audit green.

pip-audit without ``--strict`` skips every package it cannot look up (no
network, a package missing from PyPI) and still exits 0: an audit that
checked nothing looks like a clean one. This wrapper runs it with
``--strict`` and JSON output, then refuses the result unless every pinned
package was looked up and none has a known vulnerability.

Usage: ``python tools/audit_dependencies.py [REQUIREMENTS ...]`` (default
``requirements-dev.txt``, which includes ``requirements.txt``). Exit status:
0 every package audited, none vulnerable; 1 vulnerabilities found; 2 the
audit did not cover every package (offline, a lookup failed, a skip).
"""

from __future__ import annotations

import json
import subprocess  # nosec B404 - fixed argument list, no shell
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def problems(report: dict) -> tuple[list[str], list[str]]:
    """(skipped, vulnerable) lines of a pip-audit JSON report.

    A report with no dependency at all counts as skipped: nothing was audited.
    """
    dependencies = report.get("dependencies")
    if not isinstance(dependencies, list) or not dependencies:
        return ["the report lists no dependency: nothing was audited"], []
    skipped = [f"{d.get('name')}: {d['skip_reason']}" for d in dependencies
               if d.get("skip_reason")]
    vulnerable = [f"{d.get('name')} {d.get('version')}: {v.get('id')} "
                  f"(fixed in {', '.join(v.get('fix_versions') or []) or 'no release yet'})"
                  for d in dependencies for v in d.get("vulns") or []]
    return skipped, vulnerable


def run_pip_audit(requirements: list[str]) -> tuple[int, dict | None, str]:
    """Run pip-audit --strict on the requirement files; (exit status, report, stderr)."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--strict", "--no-deps", "--disable-pip",
                   "--progress-spinner", "off", "--format", "json", "--output", str(output)]
        for name in requirements:
            command += ["--requirement", str(ROOT / name)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
        report = json.loads(output.read_text()) if output.exists() else None
    return done.returncode, report, done.stderr


def main(argv: list[str]) -> int:
    requirements = argv or ["requirements-dev.txt"]
    status, report, stderr = run_pip_audit(requirements)
    if report is None:
        print(f"Dependency audit FAILED: pip-audit exited {status} without a report, so "
              "nothing counts as audited.", file=sys.stderr)
        print(stderr.strip()[-2000:], file=sys.stderr)
        return 2
    skipped, vulnerable = problems(report)
    for line in skipped:
        print(f"not audited: {line}", file=sys.stderr)
    for line in vulnerable:
        print(f"VULNERABLE: {line}", file=sys.stderr)
    if skipped:
        return 2
    if vulnerable or status != 0:
        return 1
    print(f"Dependency audit passed: {len(report['dependencies'])} packages, "
          "no known vulnerability.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
