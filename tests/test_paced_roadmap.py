"""The dashboard's roadmap lines give way between pages (h15tail): with a pause they say
exactly what they say without one, and the pause comes once per page of products."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from elo_tui.domain.records import Product
from elo_tui.services import dashboard
from elo_tui.services import roadmap as svc
from test_summary_cache import edge_cases, generated


def test_the_roadmap_lines_pause_once_a_page_and_say_the_same(tmp_path: Path):
    for ws in (edge_cases(tmp_path / "edge.sqlite"), generated(tmp_path / "g120.sqlite", 120)):
        try:
            expected = svc.summary_lines(svc.load(ws))
            pauses: list[int] = []
            lines = svc.summary_lines_streamed(ws, page=7, pause=partial(pauses.append, 1))
            assert lines == expected
            n = len(ws.list_data(Product))
            assert len(pauses) == -(-n // 7)  # one per page
            assert dashboard.roadmap_lines(ws, pause=partial(pauses.append, 1)) == expected
        finally:
            ws.close()
