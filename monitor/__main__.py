"""`python -m monitor` runs the same entry point as the `vigie` command."""

import sys

from monitor.cli import main

sys.exit(main())
