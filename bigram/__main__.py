"""Entry point for ``python -m bigram``."""

import sys

from .cli import main

sys.exit(main())
