"""The completeness check that gives way to the interface (h15tail) finds exactly what the
check before it found, in the same order: read page by page with pauses, the block
statuses' issues sorted without sorting every status. The former code is frozen in
frozen_completeness.py (and the former read below) as the reference."""

from __future__ import annotations

import random
import threading
from dataclasses import astuple
from functools import partial
from pathlib import Path

import pytest

import frozen_completeness as frozen
from elo_tui.domain import completeness
from elo_tui.domain import estimate as est
from elo_tui.domain.records import (
    Application,
    BlockStatus,
    EstimateLine,
    Product,
)
from elo_tui.services import submission as service
from elo_tui.services.workspaces import open_demo
from elo_tui.store import Workspace
from test_costs_paged import edge_cases, generated


def reference(ws: Workspace) -> list[tuple]:
    """The check as main had it before h15tail: every section read whole, then checked."""
    agency = ws.agency()
    applications = [Application(**d) for d in ws.list_data(Application)]
    products = [Product(**d) for d in ws.list_data(Product)]
    statuses = [BlockStatus(**d) for d in ws.list_data(BlockStatus)]
    lines = [EstimateLine(**d) for d in ws.list_data(EstimateLine)]
    summary = est.summarize(lines, products, agency, applications=applications)
    issues = frozen.check(
        agency,
        applications,
        products,
        statuses,
        lines,
        summary,
        bvco_threshold=service.bvco_threshold(ws),
    )
    return [astuple(i) for i in issues]


def checked(ws: Workspace, pause=None) -> list[tuple]:
    issues = service.check(ws) if pause is None else service.check(ws, pause=pause)
    return [astuple(i) for i in issues]


def with_block_edge_cases(ws: Workspace) -> Workspace:
    """Every branch of the block rules, ties in the sort key (the same name and block
    under two products, kept in stored order), statuses of deleted scopes and deleted
    statuses."""
    products = [p for p in ws.list(Product) if not p.deleted]
    apps = [a for a in ws.list(Application) if not a.deleted]
    twin_a = Product(name="Tweeling", request_application_id=apps[0].id)
    twin_b = Product(name="Tweeling", request_application_id=apps[0].id)
    gone = Product(name="Straks weg", request_application_id=apps[0].id)
    ws.save_many([twin_a, twin_b, gone])
    statuses = []
    scopes = [("product", p.id) for p in [*products, twin_a, twin_b, gone]]
    scopes += [("application", a.id) for a in apps]
    cases = [
        dict(applicability="undecided"),
        dict(applicability="not_applicable"),
        dict(applicability="not_applicable", reason="  "),
        dict(applicability="not_applicable", reason="wettelijk niet nodig"),
        dict(applicability="forms_tool"),
        dict(applicability="required", stage="unknown"),
        dict(applicability="required", stage="production"),
        dict(applicability="required", stage="analysis"),
        dict(applicability="required", stage="test", target_date="2027-03-01"),
    ]
    blocks = ["dosis", "acm_idm", "vms", "magda", "unknown_block"]
    for n, (kind, sid) in enumerate(scopes):
        for m, block in enumerate(blocks):
            case = cases[(n + m) % len(cases)]
            statuses.append(BlockStatus(scope_kind=kind, scope_id=sid, block=block, **case))
    # ties: the same (kind, name, block) twice, with different issues
    statuses.append(BlockStatus(scope_id=twin_a.id, block="dosis", applicability="not_applicable"))
    statuses.append(BlockStatus(scope_id=twin_b.id, block="dosis", applicability="required"))
    ws.save_many(statuses)
    ws.delete(Product, gone.id)
    ws.delete(BlockStatus, statuses[3].id)
    return ws


@pytest.fixture
def workspaces(tmp_path: Path, settings):
    opened = [
        open_demo(settings),
        edge_cases(tmp_path / "edge.sqlite"),
        with_block_edge_cases(edge_cases(tmp_path / "edge_blocks.sqlite")),
        generated(tmp_path / "g60.sqlite", 60, (640.0, 915.5)),
        with_block_edge_cases(generated(tmp_path / "g150.sqlite", 150, (None, 800.0))),
    ]
    yield opened
    for ws in opened:
        ws.close()


def test_the_paced_check_finds_what_the_former_check_found(workspaces):
    for ws in workspaces:
        expected = reference(ws)
        assert expected, ws.path  # something to compare
        pauses: list[int] = []
        assert checked(ws) == expected, ws.path
        assert checked(ws, pause=partial(pauses.append, 1)) == expected, ws.path
        assert pauses  # at least once per section read


def test_ties_in_the_block_order_keep_the_stored_order(tmp_path: Path):
    ws = with_block_edge_cases(edge_cases(tmp_path / "ties.sqlite"))
    try:
        twins = [
            i
            for i in service.check(ws)
            if i.kind == "block_status" and "'Tweeling'" in i.message and "DOSIS" in i.message
        ]
        assert len({i.record_id for i in twins}) >= 2
        assert [astuple(i) for i in twins] == [
            t for t in reference(ws) if t[4] in {i.record_id for i in twins}
        ]
    finally:
        ws.close()


def test_the_domain_check_pauses_in_its_long_loops(tmp_path: Path, monkeypatch):
    ws = generated(tmp_path / "g1000.sqlite", 1000, (640.0, 915.5))
    try:
        state = service.read_checked(ws)
        calls = []
        completeness.check(
            state.agency,
            state.applications,
            state.products,
            state.block_statuses,
            state.lines,
            state.summary,
            pause=lambda: calls.append(1),
        )
        n = len(state.products) + len(state.block_statuses) + len(state.lines)
        assert len(calls) >= n // completeness.PAUSE_EVERY - 3
        # sorting steps far smaller than the issues: the merged runs give the former order
        monkeypatch.setattr(completeness, "PAUSE_EVERY", 37)
        assert len(reference(ws)) > 10 * completeness.PAUSE_EVERY
        assert checked(ws) == reference(ws)
    finally:
        ws.close()


def test_the_check_runs_in_a_worker_that_gives_way(tmp_path: Path):
    """Through background.GiveWay in a thread, with input noted meanwhile: the same
    result (the pause only waits)."""
    from elo_tui import background

    ws = generated(tmp_path / "g100.sqlite", 100, (640.0, 915.5))
    try:
        expected = reference(ws)
        out = []
        background.note_input()

        def work():
            reader = ws.reader()
            try:
                out.append(checked(reader, pause=background.GiveWay()))
            finally:
                reader.close()

        worker = threading.Thread(target=work)
        worker.start()
        worker.join(60)
        assert out == [expected]
    finally:
        ws.close()


def test_sorting_in_steps_is_one_stable_sort():
    rng = random.Random(7)
    for size in (0, 1, 499, 500, 501, 1999, 5003):
        # few distinct keys: many ties, which must keep their input order
        found = [((rng.choice("abc"), rng.randrange(5)), i) for i in range(size)]
        pauses: list[int] = []
        steps = completeness._sorted_in_steps(found, partial(pauses.append, 1))
        assert steps == sorted(found, key=lambda f: f[0])
        assert len(pauses) >= (size - 1) // completeness.PAUSE_EVERY
