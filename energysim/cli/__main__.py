"""``python -m energysim.cli``: the same as the ``energysim`` command."""

import sys

from energysim.cli import main

sys.exit(main())
