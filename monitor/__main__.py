"""`python -m monitor` runs the same entry point as the `vigie` command."""

import sys

from monitor.cli import main

if __name__ == "__main__":  # not when a spawned worker process imports it
    sys.exit(main())
