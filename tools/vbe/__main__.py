"""``python -m vbe``: the same as the ``vbe`` entry point."""

import sys

from vbe.cli import main

sys.exit(main())
