"""Today's date for every screen and report, overridable for tests, demos and benches.

ELO_TUI_TODAY=YYYY-MM-DD fixes "today" (snapshot tests, reproducible reports); without it
the local date is used. Deadlines and due dates are calendar days, so local time is right.
"""

from __future__ import annotations

import os
from datetime import date

ENV_TODAY = "ELO_TUI_TODAY"


def today() -> date:
    fixed = os.environ.get(ENV_TODAY, "").strip()
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            pass  # a wrong override must not stop the app: fall back to the real date
    return date.today()
