"""First run: create a workspace for an agency, or open the demo."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from elo_tui.config import ConfigError, slugify
from elo_tui.domain.records import Agency
from elo_tui.domain.validation import validate_agency
from elo_tui.screens.form import FormScreen
from elo_tui.screens.store_errors import store_errors
from elo_tui.services import workspaces
from elo_tui.store import WorkspaceError


class FirstRunScreen(FormScreen):
    """Asks for the agency (name, OVO code, contact) and makes its workspace."""

    TITLE_TEXT = "Welkom bij elo_tui — maak een werkruimte voor je entiteit"
    BINDINGS = [
        Binding("f3", "demo", "Voorbeeld openen"),
        Binding("escape", "cancel", "Afsluiten"),
    ]

    def __init__(self, workspace_name: str | None = None, can_cancel: bool = False) -> None:
        super().__init__()
        self.workspace_name = workspace_name
        self.can_cancel = can_cancel

    def compose_fields(self) -> ComposeResult:
        yield from self.field("name", "Naam van het agentschap of departement *", Input())
        yield from self.field("ovo_code", "OVO-code (bv. OVO000123)", Input())
        yield from self.field("contact_name", "Contactpersoon", Input())
        yield from self.field("contact_email", "E-mail contactpersoon", Input())
        yield from self.field(
            "workspace",
            "Naam van de werkruimte (leeg = afgeleid van de naam)",
            Input(self.workspace_name or ""),
        )

    def values(self) -> dict[str, Any]:
        return {
            k: self.value(k)
            for k in ("name", "ovo_code", "contact_name", "contact_email", "workspace")
        }

    def submit(self, values: dict[str, Any]) -> Any:
        clean, errors = validate_agency(values)
        name = values["workspace"].strip() or slugify(clean["name"])
        # Checked here too, so a name problem shows together with the other fields'.
        if problem := workspaces.new_name_problem(self.app.settings, name):
            errors["workspace"] = problem
        if errors:
            return errors
        try:
            ws = workspaces.create(self.app.settings, Agency(**clean), name)
        except (WorkspaceError, ConfigError) as exc:
            return {"workspace": str(exc)}
        return ws

    def dismiss(self, result=None):
        if result is None and not self.can_cancel:
            self.app.exit(0)
            return None
        if result is not None:
            self.app.call_later(self.app.open_workspace, result)
        return super().dismiss(result)

    def action_demo(self) -> None:
        with store_errors(self, "Voorbeeld niet geopend") as attempt:
            ws = workspaces.open_demo(self.app.settings)
        if not attempt.failed:
            self.dismiss(ws)
