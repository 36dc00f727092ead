"""Entry script of the PyInstaller bundle: the same entry point as the `vigie` command and `python -m monitor`."""

import sys

from monitor.cli import main

if __name__ == "__main__":
    sys.exit(main())
