"""`python -m flightlake` is the `flightlake` command."""

import sys

from flightlake.cli import main

sys.exit(main())
