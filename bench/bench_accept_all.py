"""Accept-all and its undo at N products: `python bench/bench_accept_all.py [N]`.

Times, on a generated workspace (bench/generate.py) with no block status decided: the
preview plans of the three scopes (what the dialog computes when it opens), taking every
suggestion in one transaction (with the undo stack attached, as in the app), and undoing
that in one step. Run by hand; not part of the test suite.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from elo_tui.domain.records import BlockStatus, ChecklistItem  # noqa: E402
from elo_tui.services import mapping, undo  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    today = date(2026, 3, 1)
    with tempfile.TemporaryDirectory() as tmp:
        ws = generate(Path(tmp) / "bench.elo", n)
        undo.attach(ws)
        m = mapping.load_mapping(ws, today)
        row = next(r for r in m.rows if r.kind == "product")
        t0 = time.perf_counter()
        scopes = mapping.accept_scopes(m, row)
        plans = {s: mapping.plan_accept(m, s, name, cells) for s, (name, cells) in scopes.items()}
        t1 = time.perf_counter()
        saved = mapping.accept_all(ws, plans["all"], today)
        t2 = time.perf_counter()
        result = undo.undo(ws)
        t3 = time.perf_counter()
        assert result is not None and not ws.list(BlockStatus)
        print(f"{n} products: {len(plans['all'].changes)} cells in 'alles'")
        print(f"  preview plans (3 scopes): {(t1 - t0) * 1000:.0f} ms")
        print(f"  accept all ({len(saved)} statuses + checklist steps): {(t2 - t1):.2f} s")
        print(f"  undo in one step ({result.restored} records): {(t3 - t2):.2f} s")
        print(f"  checklist items left live: {ws.count(ChecklistItem)}")
        ws.close()


if __name__ == "__main__":
    main()
