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
from elo_tui.domain.readiness import ReadinessSummary
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


def load_dashboard_in_two_steps(
    path: Path, today: date, figures_read: Callable[[DashboardData], None]
) -> DashboardData:
    """The dashboard on a connection of its own (a worker thread): the figures first,
    handed to `figures_read` (which may wait until they are painted), then the roadmap
    lines, seconds of work at 20,000 products that the figures need not wait for."""
    with Workspace.open(path) as ws:
        data = load_dashboard(ws, today, with_roadmap=False)
        figures_read(data)
        data.roadmap = roadmap_lines(ws)
        return data


def load_dashboard(
    ws: Workspace, today: date, limit: int = 6, *, with_roadmap: bool = True
) -> DashboardData:
    """Everything the dashboard shows; without `with_roadmap` the roadmap lines are left
    None (`roadmap_lines` computes them: at 20,000 products it reads every product,
    estimate line and status again, seconds of work the figures need not wait for)."""
    m = svc.load_mapping(ws, today)
    summary = m.summary()
    names: dict[tuple[str, str], str] = {
        ("application", i): a.name for i, a in m.applications.items()
    }
    names.update({("product", i): p.name for i, p in m.products.items()})
    agency = m.agency
    if agency is not None:
        names[("agency", agency.id)] = "Entiteit"

    def rows(items, bucket: str) -> list[AgendaRow]:
        return [
            AgendaRow(bucket, i, names.get((i.scope_kind, i.scope_id), "(verwijderd)"))
            for i in items
        ]

    iso = today.isoformat()
    overdue_count, soon_count = checklist_counts(ws, today)
    return DashboardData(
        agency_name=agency.name if agency else "",
        summary=summary,
        overdue=rows(ws.open_checklist_items(due_before=iso, limit=limit), "overdue"),
        overdue_count=overdue_count,
        upcoming=rows(ws.open_checklist_items(due_from=iso, limit=limit), "soon"),
        soon_count=soon_count,
        history=ws.history(),
        mapping=m,
        roadmap=roadmap_lines(ws) if with_roadmap else None,
    )


def roadmap_lines(ws: Workspace) -> list[str]:
    from elo_tui.services import roadmap

    return roadmap.summary_lines(roadmap.load(ws))


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
