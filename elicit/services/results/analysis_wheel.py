"""A wheel of the `analysis` library, built from the running copy, for the bundle.

The reproducibility bundle must run anywhere, with exactly the code and the
numerical libraries that computed its expected.json. The wheel carries the
`analysis` package as this server runs it (distribution `elicit-analysis`,
version `analysis.__version__`); the bundle's requirements.txt pins numpy,
scipy and pandas to the versions installed here. A wheel is a zip with a
fixed layout (PEP 427, PEP 376 RECORD), so it is written with `zipfile`
rather than by running a build backend inside a web request.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from importlib import metadata
from pathlib import Path

import analysis

DISTRIBUTION = "elicit-analysis"
# what `analysis` imports, at the versions used here
PINNED = ("numpy", "scipy", "pandas", "lazy-loader")
# A fixed timestamp: the same code gives the same wheel, byte for byte.
_STAMP = (2020, 1, 1, 0, 0, 0)


def wheel_name() -> str:
    """The wheel's file name, e.g. ``elicit_analysis-0.1.0-py3-none-any.whl``."""
    return f"{DISTRIBUTION.replace('-', '_')}-{analysis.__version__}-py3-none-any.whl"


def requirements() -> list[str]:
    """`name==version` of the numerical libraries the bundle's results were computed with."""
    return [f"{name}=={metadata.version(name)}" for name in PINNED]


def _files() -> list[tuple[str, bytes]]:
    root = Path(analysis.__file__).resolve().parent
    return [(f"analysis/{path.relative_to(root).as_posix()}", path.read_bytes())
            for path in sorted(root.rglob("*.py")) if "__pycache__" not in path.parts]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel() -> tuple[str, bytes]:
    """The file name and bytes of a pure-Python wheel of the running `analysis` package."""
    version = analysis.__version__
    info = f"{DISTRIBUTION.replace('-', '_')}-{version}.dist-info"
    meta = "\n".join([
        "Metadata-Version: 2.1", f"Name: {DISTRIBUTION}", f"Version: {version}",
        "Summary: elicit's offline analysis library (python -m analysis)",
        "Requires-Python: >=3.11", *(f"Requires-Dist: {r}" for r in requirements()), "",
    ]).encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: elicit\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files = [*_files(), (f"{info}/METADATA", meta), (f"{info}/WHEEL", wheel)]
    record = "\n".join([*(_record_line(n, d) for n, d in files), f"{info}/RECORD,,", ""])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*files, (f"{info}/RECORD", record.encode())]:
            entry = zipfile.ZipInfo(name, date_time=_STAMP)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return wheel_name(), buffer.getvalue()
