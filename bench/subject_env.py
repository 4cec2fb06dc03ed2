"""The environment every measured process runs in: the way an installed elo-tui runs,
from compiled bytecode.

A shell with PYTHONDONTWRITEBYTECODE=1 (this project's sandbox has it) never writes
elo_tui's .pyc files, so each measured start compiled every module from source while
the bare app, all of Textual, came from the .pyc files pip wrote: hundreds of
milliseconds counted against elo-tui that no user pays. Found by h13check on
2026-12-02; figures before that date in RESULTS.md include the compilation.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


_compiled: set[str] = set()


def subject_environ(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """`base` (default: os.environ) plus `extra`, bytecode writing allowed; the sources
    the subject imports (src/ and any PYTHONPATH tree, e.g. a --before copy) are
    compiled first, once per bench run, as pip does at install."""
    env = dict(os.environ if base is None else base, **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    trees = [str(SRC), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    for tree in trees[1:]:
        # The app reads checklists/ next to its src/ (the cost template, the checklist
        # templates): a src/ copied alone runs without them and does less work (until
        # 2026-12-02 the --before exports skipped the forms-tool comparison).
        if not (Path(tree).parent / "checklists").is_dir():
            raise SystemExit(
                f"{tree}: give the src/ of a whole checkout "
                "(git archive <commit> | tar -x -C DIR; then DIR/src): "
                "the app reads the checklists/ beside it"
            )
    for tree in trees:
        if tree not in _compiled and Path(tree).is_dir():
            compileall.compile_dir(tree, quiet=1, workers=1)
            _compiled.add(tree)
    return env
