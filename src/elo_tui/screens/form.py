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
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, TextArea

from elo_tui.domain.formats import plural
from elo_tui.keymap import KeyedBindings
from elo_tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp


def update_static(widget: Static, content: Text) -> None:
    """Show `content` in `widget`, asking Textual for a layout pass only when the widget's
    height changes. A plain `update` lays out the whole screen again because a new text
    *may* wrap into more or fewer lines: for the reused block form that was ~15 ms on a
    quiet machine, 50 under load, and a frame of its own after Enter (another product's
    name in the title, same one line). Textual's own measure of the new text decides."""
    size = widget.content_size
    widget.update(content, layout=False)
    if not widget.is_mounted or not size.width:
        widget.refresh(layout=True)  # never laid out (or hidden): no height to keep
    elif widget.get_content_height(size, size, size.width) != size.height:
        widget.refresh(layout=True)


def repaint_with_resume(screen: Screen) -> None:
    """Call right after changing widgets of `screen` that is about to be shown again: the
    screen below a form that closed (its result saved), or a reused form pushed again.

    Textual repaints the whole of a screen that is shown again. A widget changed just
    before also asks for a repaint of its own, and that request reaches the screen (a
    message from the widget's task) often after the whole-screen repaint: a second frame
    with the same content, 20–30 ms after F2 in the matrix at 20,000 products (found by
    tracing Textual's writes). The changed widgets' content is marked stale all the same
    (their caches): the whole-screen repaint draws them, so their own requests are
    dropped here. The screen is asked for that repaint again, so the change is drawn even
    if Textual had already repainted it before this ran."""
    for widget in screen.walk_children(Widget):
        if widget._repaint_required:
            widget._repaint_required = False
            widget._exchange_repaint_regions()
    screen.refresh()


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
        # Typing must land in the first field, not in the scroll container around them,
        # nor in a field a form hides (the block form's scope choice for a one-scope cell:
        # `focusable` only looks at visibility, not at a hidden parent).
        for widget in self.query("#form-fields *"):
            if (
                widget.id
                and widget.id.startswith("f-")
                and widget.focusable
                and all(node.display for node in widget.ancestors_with_self if node is not self)
            ):
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
