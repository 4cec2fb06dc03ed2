"""Crash reports: what an unexpected error leaves behind for the maintainers.

The report holds the traceback without local variables, the versions and the time;
anything shaped like a tracker token is masked. Written owner-only next to the
workspaces, never to the terminal.
"""

from __future__ import annotations

import os
import platform
import re
import traceback
from datetime import UTC, datetime
from pathlib import Path

from elo_tui import __version__

# Tracker tokens look like "elot_<id>.<secret>"; bearer headers may appear in messages.
_SECRETS = re.compile(r"(elot_[A-Za-z0-9]+)\.[A-Za-z0-9_\-]+|(Bearer\s+)\S+", re.IGNORECASE)


def redact(text: str) -> str:
    return _SECRETS.sub(lambda m: f"{m.group(1)}.***" if m.group(1) else f"{m.group(2)}***", text)


def write_report(error: BaseException | None, folder: Path) -> Path | None:
    """Write the report; None when it could not be written (the crash stays reported)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    lines = [
        f"elo_tui {__version__} · Python {platform.python_version()} · {platform.platform()}",
        f"time (UTC): {stamp}",
        "",
    ]
    if error is not None:
        lines += traceback.format_exception(type(error), error, error.__traceback__)
    text = redact("\n".join(line.rstrip("\n") for line in lines)) + "\n"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"crash-{stamp}-{os.getpid()}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError:
        return None
    return path
