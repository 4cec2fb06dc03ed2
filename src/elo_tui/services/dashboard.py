"""What the dashboard shows, read in one go (safe to run in a worker thread: reads only).

The agenda comes from two small queries (overdue, upcoming) instead of loading every
checklist item: at 1,202 products a workspace holds ten thousand of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from elo_tui.domain.checklists import SOON_DAYS
from elo_tui.domain.pacing import Pause, no_pause
from elo_tui.domain.readiness import ReadinessSummary
from elo_tui.domain.records import Application, Product
from elo_tui.services import mapping as svc
from elo_tui.services.checklists import AgendaRow
from elo_tui.store import Workspace


@dataclass(slots=True)
class DashboardData:
    agency_name: str
    summary: ReadinessSummary
    overdue: list[AgendaRow]
    overdue_count: int
    upcoming: list[AgendaRow]
    soon_count: int
    history: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    mapping: svc.Mapping | None = None
    # services/roadmap.summary_lines; None while still being computed (the screen shows
    # the figures first)
    roadmap: list[str] | None = field(default_factory=list)
    # Where the summary came from: "cache", "store" or "computed" (readiness_summary_and_source)
    source: str = ""


def load_dashboard_in_two_steps(
    path: Path,
    today: date,
    figures_read: Callable[[DashboardData], None],
    pause: Pause = no_pause,
) -> DashboardData:
    """The dashboard on a connection of its own (a worker thread): the figures first,
    handed to `figures_read` (which may wait until they are painted), then the roadmap
    lines, seconds of work at 20,000 products that the figures need not wait for;
    `pause` is called between their pages (roadmap_lines)."""
    with Workspace.open(path) as ws:
        data = load_dashboard(ws, today, with_roadmap=False)
        figures_read(data)
        data.roadmap = roadmap_lines(ws, pause=pause)
        return data


def load_dashboard(
    ws: Workspace, today: date, limit: int = 6, *, with_roadmap: bool = True
) -> DashboardData:
    """Everything the dashboard shows; without `with_roadmap` the roadmap lines are left
    None (`roadmap_lines` computes them: at 20,000 products it reads every product,
    estimate line and status again, seconds of work the figures need not wait for)."""
    summary, m, source = readiness_summary_and_source(ws, today)
    agency = ws.agency() if m is None else m.agency
    iso = today.isoformat()
    overdue = ws.open_checklist_items(due_before=iso, limit=limit)
    upcoming = ws.open_checklist_items(due_from=iso, limit=limit)
    # The names of the few scopes the agenda lists (not of every product).
    names: dict[tuple[str, str], str] = {}

    def scope_ids(scope_kind: str) -> set[str]:
        return {i.scope_id for i in (*overdue, *upcoming) if i.scope_kind == scope_kind}

    for a in ws.get_many(Application, scope_ids("application")).values():
        if not a.deleted:
            names[("application", a.id)] = a.name
    for p in ws.get_many(Product, scope_ids("product")).values():
        if not p.deleted:
            names[("product", p.id)] = p.name
    if agency is not None:
        names[("agency", agency.id)] = "Entiteit"

    def rows(items, bucket: str) -> list[AgendaRow]:
        return [
            AgendaRow(bucket, i, names.get((i.scope_kind, i.scope_id), "(verwijderd)"))
            for i in items
        ]

    overdue_count, soon_count = checklist_counts(ws, today)
    return DashboardData(
        agency_name=agency.name if agency else "",
        summary=summary,
        overdue=rows(overdue, "overdue"),
        overdue_count=overdue_count,
        upcoming=rows(upcoming, "soon"),
        soon_count=soon_count,
        history=ws.history(),
        mapping=m,
        roadmap=roadmap_lines(ws) if with_roadmap else None,
        source=source,
    )


# The key a cached summary is valid for besides the change counter: the day (days left,
# targets passed), the reading of the admission milestone and the summary's format.
SUMMARY_CACHE = "readiness"


def _summary_key(today: date, reading: str) -> str:
    from elo_tui import __version__
    from elo_tui.domain.readiness import SUMMARY_FORMAT

    # The program's version too: another release may count differently.
    return f"{SUMMARY_FORMAT}|{__version__}|{today.isoformat()}|{reading}"


def readiness_summary(ws: Workspace, today: date) -> tuple[ReadinessSummary, svc.Mapping | None]:
    """`readiness_summary_and_source` without the source."""
    summary, m, _source = readiness_summary_and_source(ws, today)
    return summary, m


def readiness_summary_and_source(
    ws: Workspace, today: date
) -> tuple[ReadinessSummary, svc.Mapping | None, str]:
    """The agency's readiness summary: the one kept in the workspace when none of its
    inputs changed since (a trigger-kept change counter says so, whoever wrote: source
    "cache"), else summed from the per-product readiness store after computing the
    products that changed ("store", services/readiness_store.py), else (a read-only
    workspace with stale products, or products written to while computing) computed
    from every product and status ("computed"). The summary is kept for next time. The
    mapping is None unless computed."""
    import json
    import zlib
    from functools import cache

    from elo_tui.domain.readiness import summary_from_data, summary_to_data
    from elo_tui.store import WorkspaceError

    generation = ws.change_generation()  # before reading: a later write invalidates
    reading = svc.load_reading(ws)
    key = _summary_key(today, reading)
    cached = ws.cached_summary(SUMMARY_CACHE)
    if cached is not None and cached[0] == generation and cached[1] == key:
        # The figures; the producten met risico beyond the first few per milestone are
        # kept compressed (megabytes of JSON at 20,000 products, a tenth of it packed)
        # and unpacked only if someone reads that far: the dashboard never does.
        detail = cached[3]
        path = ws.path
        cached_generation = cached[0]

        def rest_of_summary():
            if detail is None:
                # Summed from the per-product store, which still holds the lists (read
                # from it only if nothing changed since: else computed anew).
                from elo_tui.domain.blocks import DEADLINES
                from elo_tui.services import readiness_store

                store = readiness_store.store_key(reading)
                return {
                    d.key: readiness_store.rest_reader(
                        path, d.key, today, cached_generation, store
                    )()
                    for d in DEADLINES
                }
            try:
                return json.loads(zlib.decompress(detail))
            except (zlib.error, ValueError):
                # Damaged by hand: the same data computed anew (read on a connection of
                # its own: this may run long after, in another thread).
                with Workspace.open(path, read_only=True) as own:
                    return summary_to_data(svc.load_mapping(own, today).summary())[1]

        try:
            figures = json.loads(cached[2])
            return summary_from_data(figures, cache(rest_of_summary)), None, "cache"
        except (ValueError, KeyError, TypeError, IndexError):
            pass  # damaged by hand: computed anew below
    summary, m, source, store_generation = _summary_from_store(ws, today)
    try:
        if source == "store":
            # The lists beyond the head stay in the store (reading and packing them all
            # cost seconds at 20,000 products): kept without them, valid for the state
            # the store was summed in.
            figures_data = summary_to_data(summary, with_rest=False)[0]
            ws.store_cached_summary(
                SUMMARY_CACHE, store_generation, key, json.dumps(figures_data), None
            )
        else:
            figures_data, rest = summary_to_data(summary)
            ws.store_cached_summary(
                SUMMARY_CACHE,
                generation,
                key,
                json.dumps(figures_data),
                zlib.compress(json.dumps(rest).encode(), 1),
            )
    except WorkspaceError:
        pass  # read-only or busy: computed again next time
    return summary, m, source


def _summary_from_store(
    ws: Workspace, today: date
) -> tuple[ReadinessSummary, svc.Mapping | None, str, int]:
    """(summary, mapping, source, the change counter the store was summed at)."""
    from elo_tui.services import readiness_store
    from elo_tui.store import WorkspaceError

    try:
        if not ws.read_only:
            readiness_store.refresh(ws, today)
        summary, complete, generation = readiness_store.summary(ws, today)
        if complete:
            return summary, None, "store", generation
    except WorkspaceError:
        pass  # read-only or busy: computed from the inputs below
    m = svc.load_mapping(ws, today)
    return m.summary(), m, "computed", -1


def roadmap_lines(ws: Workspace, *, pause: Pause = no_pause) -> list[str]:
    """services/roadmap.summary_lines, read a page of products at a time: `load` held
    every product, status and estimate line as records (~300 MiB at 20,000 products)."""
    from elo_tui.services import roadmap

    return roadmap.summary_lines_streamed(ws, pause=pause)


def checklist_counts(ws: Workspace, today: date) -> tuple[int, int]:
    """Open checklist steps overdue, and due within the next SOON_DAYS days (counted in
    the store: the dashboard and `elo-tui report` say the same)."""
    iso = today.isoformat()
    soon_until = (today + timedelta(days=SOON_DAYS + 1)).isoformat()
    return (
        ws.count_open_checklist_items(due_before=iso),
        ws.count_open_checklist_items(due_from=iso, due_before=soon_until),
    )


def with_today(history: list[tuple[str, dict[str, Any]]], summary: ReadinessSummary):
    """The history including today's snapshot (as just recorded)."""
    day = summary.today.isoformat()
    return [h for h in history if h[0] != day] + [(day, summary.snapshot())]
