"""A modal form with a Dutch error message under each field.

Subclasses compose fields with `field(key, label, widget)`, read values in `values()`
and save in `submit()` which returns a result to dismiss with, or a dict of errors
(field key -> message) to show. Nothing is lost on an error: the form stays open.
F2 saves (ctrl+s is eaten by many terminals), Escape cancels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, TextArea

from elo_tui.domain.formats import plural
from elo_tui.keymap import KeyedBindings
from elo_tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp


class FormScreen(KeyedBindings, ModalScreen):
    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, settings, …)
        app = getters.app(OpenEloApp)
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen #form-box { width: 90; max-width: 100%; height: auto; max-height: 95%;
        border: thick $primary; background: $surface; padding: 0 1; }
    FormScreen #form-title { text-style: bold; padding: 0 0 1 0; }
    FormScreen .field-label { padding: 1 0 0 0; color: $text-muted; }
    FormScreen .field-error { color: $error; height: auto; }
    FormScreen .field-error.-empty { display: none; }
    FormScreen SelectionList { height: auto; max-height: 9; }
    FormScreen TextArea { height: 5; }
    FormScreen #form-buttons { height: auto; padding: 1 0 0 0; align-horizontal: right; }
    FormScreen #form-buttons Button { margin-left: 2; }
    FormScreen #form-fields { height: auto; max-height: 100%; }
    """
    BINDINGS = [
        Binding("f2", "save", "Opslaan"),
        Binding("ctrl+s", "save", "Opslaan", show=False),
        Binding("escape", "cancel", "Annuleren"),
    ]
    TITLE_TEXT = ""
    _styled_for_css: int | None = None  # the app's CSS version at the last full restyle

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(Text(self.TITLE_TEXT), id="form-title")
            with VerticalScroll(id="form-fields"):
                yield from self.compose_fields()
            with Horizontal(id="form-buttons"):
                yield Button("Annuleren (Esc)", id="cancel")
                yield Button("Opslaan (F2)", variant="primary", id="save")
        yield KeyBar()

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every widget of a screen each time it is pushed (~15 ms for the
        # block form on a quiet machine, 60 under load: most of Enter in the matrix). A
        # form that is reused (the block form is installed once and pushed again for
        # every cell) was styled when it was last shown, and every change since then
        # restyles its own widget when it happens (classes, focus): only a new theme or
        # stylesheet, which Textual counts in `_css_update_count`, needs the whole pass.
        # Textual calls Screen's own handler after this one (it runs the handler of every
        # class in the MRO), with the event as left here: no super() call.
        css_version = self.app._css_update_count
        if self._styled_for_css == css_version:
            event.refresh_styles = False
        self._styled_for_css = css_version

    def on_mount(self) -> None:
        # Typing must land in the first field, not in the scroll container around them.
        for widget in self.query("#form-fields *"):
            if widget.id and widget.id.startswith("f-") and widget.focusable:
                widget.focus()
                break

    def field(self, key: str, label: str, widget: Widget) -> ComposeResult:
        widget.id = f"f-{key}"
        yield Label(label, classes="field-label")
        yield widget
        yield Label("", id=f"e-{key}", classes="field-error -empty")

    # -- values ------------------------------------------------------------------------

    def value(self, key: str) -> Any:
        widget = self.query_one(f"#f-{key}")
        if isinstance(widget, Input):
            return widget.value
        if isinstance(widget, Select):
            v = widget.value
            return v if v is not Select.NULL else ""
        if isinstance(widget, SelectionList):
            return list(widget.selected)
        if isinstance(widget, TextArea):
            return widget.text
        raise TypeError(f"no value for {widget!r}")

    def values(self) -> dict[str, Any]:
        return {}

    if TYPE_CHECKING:
        # Every concrete form defines it (checked in __init_subclass__): save; return the
        # saved thing (dismissed with) or {field: Dutch message}.
        def submit(self, values: dict[str, Any]) -> Any: ...

    def __init_subclass__(cls, abstract: bool = False, **kwargs: Any) -> None:
        # A form that cannot save is refused when its module is imported (by the tests
        # at the latest), not when someone presses F2 in it. `abstract=True` marks a
        # shared base of forms (exemptions._DecisionForm).
        super().__init_subclass__(**kwargs)
        if not abstract and not callable(getattr(cls, "submit", None)):
            raise TypeError(f"{cls.__name__} is a form without submit()")

    def show_errors(self, errors: dict[str, str]) -> None:
        # Only the messages shown are cleared: an update asks for a layout pass, and a
        # reused form (the block form) clears them every time it opens.
        for label in self.query(".field-error").results(Label):
            if not label.has_class("-empty"):
                label.update("")
                label.add_class("-empty")
        first = None
        for key, message in errors.items():
            try:
                label = self.query_one(f"#e-{key}", Label)
            except Exception:
                self.notify(message, severity="error", markup=False)
                continue
            label.update(Text(message))
            label.remove_class("-empty")
            if first is None:
                first = key
        if first is not None:
            self.query_one(f"#f-{first}").focus()
            n = len(errors)
            self.notify(
                f"Niet opgeslagen: {plural(n, 'veld klopt', 'velden kloppen')} niet.",
                severity="error",
                markup=False,
            )

    # -- actions -----------------------------------------------------------------------

    def action_save(self) -> None:
        from elo_tui.store import WorkspaceError

        try:
            result = self.submit(self.values())
        except WorkspaceError as exc:
            # The form stays open with everything typed: nothing is lost.
            self.notify(str(exc), title="Opslaan mislukt", severity="error", markup=False)
            return
        if isinstance(result, dict):
            self.show_errors(result)
        else:
            self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()
