"""Build the site in this folder: `python build.py` is `healthsite build`."""

import sys

from healthsite.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
