"""The figures of presentation mode (issue 11 §4): one slide for the entity, then one per
application, each with days to the deadlines, % ELO-conform and % per requirement.

The counts are `domain.readiness.summarize`, the same function the dashboard's figures
come from (services/mapping.Mapping.summary); for an application it is run over the
products that application serves. A workspace holds one entity, so "stepping through
entities" is stepping through this one entity and its applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from elo_tui.domain.blocks import DEADLINE_JAN_2027, DEADLINE_JUN_2027, REQUIREMENTS
from elo_tui.domain.readiness import ReadinessSummary, summarize


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    done: int
    applicable: int

    @property
    def percent(self) -> float | None:
        return None if self.applicable <= 0 else 100.0 * self.done / self.applicable


@dataclass(frozen=True, slots=True)
class Slide:
    kind: str  # "entity" | "application"
    title: str
    products: int
    conform: Figure
    requirements: list[Figure]
    days_to_deadline: int  # 30 June 2027 (binding)
    days_to_admission: int  # 1 January 2027 (admission; its reading is an interpretation)
    at_risk: int  # products met risico op vertraging for 30 June 2027


def slide_of(kind: str, title: str, summary: ReadinessSummary) -> Slide:
    requirements = []
    for r in REQUIREMENTS:
        f = summary.requirement(r.code)
        requirements.append(
            Figure(r.label, f.yes, summary.products_total - f.not_applicable - f.exempt)
        )
    return Slide(
        kind,
        title,
        summary.products_total,
        Figure("ELO-conform", summary.elo_conform, summary.products_total),
        requirements,
        summary.days_left[DEADLINE_JUN_2027.key],
        summary.days_left[DEADLINE_JAN_2027.key],
        len(summary.at_risk.get(DEADLINE_JUN_2027.key, [])),
    )


def load_slides_from(path: Path, today: date) -> list[Slide]:
    """`load_slides` on its own connection: for a worker thread (the app's connection is
    not for other threads)."""
    from elo_tui.store import Workspace

    with Workspace.open(path) as ws:
        return load_slides(ws, today)


def load_slides(ws: Any, today: date) -> list[Slide]:
    """The entity first, then each application (by name) that serves a product."""
    from elo_tui.services.mapping import load_mapping

    m = load_mapping(ws, today)
    agency = m.agency
    slides = [slide_of("entity", agency.name if agency else "Entiteit", m.summary())]
    apps = sorted(m.applications.values(), key=lambda a: (a.name.casefold(), a.id))
    statuses = list(m.statuses.values())
    applications = list(m.applications.values())
    for app in apps:
        ids = m.products_of_app.get(app.id, [])
        if not ids:
            continue
        summary = summarize(
            [m.products[i] for i in ids],
            applications,
            statuses,
            m.today,
            overrides=m.overrides,
            reading=m.reading,
        )
        slides.append(slide_of("application", app.name, summary))
    return slides
