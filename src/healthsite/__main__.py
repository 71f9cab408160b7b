"""Run the command line: `python -m healthsite build`."""

import sys

from .cli import main

sys.exit(main())
