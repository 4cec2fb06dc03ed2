"""Warm the checklist templates in the background and say once if some are broken.

The templates are validated with pydantic (~0.3 s to import): screens start this after
their first paint so that the first edit never waits for it. A broken template never
stops the app: the valid ones work, and the person is told once which file and key is
wrong (the same text as `elo-tui checklists validate`).
"""

from __future__ import annotations

from textual.screen import Screen

MAX_LISTED = 5


def warm_templates(screen: Screen) -> None:
    """Start loading the templates in a worker thread (no-op when already loaded)."""
    screen.run_worker(_load, thread=True, exclusive=True, group="templates", exit_on_error=False)


def _load():
    from elo_tui.services import checklists

    return checklists.load_templates()


def report_problems(screen: Screen, problems) -> None:
    """Notify once per app run about broken template files."""
    app = screen.app
    if not problems or getattr(app, "_elo_template_problems_shown", False):
        return
    app._elo_template_problems_shown = True  # type: ignore[attr-defined]  # a flag on any app
    lines = [str(p) for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"… en nog {len(problems) - MAX_LISTED}")
    screen.notify(
        "\n".join(lines) + "\nDeze sjablonen worden overgeslagen; de andere werken. "
        "Controleer met `elo-tui checklists validate`.",
        title="Checklistsjablonen met fouten",
        severity="warning",
        timeout=20,
        markup=False,
    )
