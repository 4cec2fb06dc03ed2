"""The command palette (ctrl+p): every action, in Dutch, built from the key data.

What it offers, in this order of precedence (a title appears once):
1. the actions of the current screen (its bindings that are enabled now),
2. the actions of every other area (its class bindings, read without building the screen):
   choosing one switches to that area and runs the action there,
3. the areas themselves and the app-wide actions (theme, workspace, keys, quit).

So a new binding on a screen appears here by itself; keymap.PALETTE_TITLES only gives
it a better title. Textual's palette is subclassed to say its own words in Dutch.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator

from rich.align import Align
from rich.text import Text
from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from elo_tui import keymap

PLACEHOLDER = "Zoek een opdracht…"
NO_MATCHES = "Geen opdracht gevonden"


class DutchCommandPalette(CommandPalette):
    """Textual's palette with Dutch placeholder, messages and key descriptions."""

    BINDINGS = [
        Binding("down", "cursor_down", "Volgende opdracht", show=False),
        Binding("escape", "escape", "Opdrachtenpalet sluiten"),
        Binding("pagedown", "command_list('page_down')", "Volgende pagina", show=False),
        Binding("pageup", "command_list('page_up')", "Vorige pagina", show=False),
        Binding("up", "command_list('cursor_up')", "Vorige opdracht", show=False),
    ]

    def __init__(self, providers=None, *, placeholder: str = PLACEHOLDER, **kwargs) -> None:
        super().__init__(providers, placeholder=placeholder, **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own version hard-codes "No matches found"; same behaviour in Dutch.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(NO_MATCHES, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def _screen_class(spec: str) -> type | None:
    module, cls = spec.split(":")
    try:
        return getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError):
        return None


def area_commands(app, screen) -> Iterator[SystemCommand]:
    """Screen actions: the current screen's first, then every other area's."""
    current_mode = getattr(screen, "MODE", "")
    labels = {item.mode: item.label for item in app.nav}
    if current_mode:
        label = labels.get(current_mode, current_mode)
        for entry in keymap.screen_entries(screen):
            if not entry.id or not entry.enabled or entry.action.startswith("app."):
                continue
            title, help_text = keymap.palette_title(entry.id, entry.description, label)
            yield SystemCommand(
                title,
                f"{help_text} · toets {entry.keys}",
                _run_here(screen, entry.action),
            )
    for item in app.nav:
        if item.mode == current_mode or item.mode not in app._modes:
            continue
        cls = _screen_class(item.screen)
        if cls is None:
            continue
        for bid, binding in keymap.class_bindings(cls):
            text = keymap.dutch(binding.description)
            if not text or binding.action.startswith(("app.", "goto")):
                continue
            title, help_text = keymap.palette_title(bid, text, item.label)
            yield SystemCommand(title, help_text, _run_in_area(app, item.mode, binding.action))


def _run_here(screen, action: str) -> Callable[[], None]:
    return lambda: screen.run_action(action)


def _run_in_area(app, mode: str, action: str) -> Callable[[], None]:
    def run() -> None:
        app.action_goto(mode)
        app.call_after_refresh(lambda: app.screen.run_action(action))

    return run


def unique(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    seen: set[str] = set()
    for command in commands:
        if command.title.casefold() not in seen:
            seen.add(command.title.casefold())
            yield command
