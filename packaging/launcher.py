"""Entry script of the PyInstaller bundle: the same entry point as the `vigie` command and `python -m monitor`."""

import multiprocessing
import sys

from monitor.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # re-scoring a large store spawns worker processes: this bundle runs them
    sys.exit(main())
