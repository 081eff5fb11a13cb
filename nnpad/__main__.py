"""``python -m nnpad`` runs the command line (and the window without arguments)."""

import sys

from nnpad.cli import main

sys.exit(main())
