"""`python -m elo_tracker`: the same as `elo-tracker`."""

import sys

from elo_tracker.cli import main

sys.exit(main())
