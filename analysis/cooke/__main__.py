"""Allow ``python -m analysis.cooke FILE.dtt FILE.rls``."""

import sys

from .cli import main

sys.exit(main())
