"""Make ``analysis`` and the helpers beside these tests importable.

``python -m pytest`` puts the repository root on ``sys.path`` but the bare
``pytest`` script does not; the repository has no installed package.
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for path in (_HERE, _HERE.parents[2]):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
