"""Keys as data (Pilot): keys never trap, Esc leaves a field, the palette finds every
action in Dutch, the help and the key bar come from the same bindings, keys remap."""

from __future__ import annotations

import pytest
from textual.command import CommandInput, CommandList
from textual.widgets import Input

from elo_tui.app import NAV, EloApp
from elo_tui.config import Settings
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.help import HelpScreen
from elo_tui.services.workspaces import open_demo
from elo_tui.widgets.keybar import KeyBar

AREAS = [(item.key, item.mode) for item in NAV]


@pytest.fixture
def app(settings):
    return EloApp(settings, open_demo(settings))


async def _palette_titles(pilot, app, query: str) -> list[str]:
    await pilot.press("ctrl+p")
    await pilot.pause()
    palette = app.screen
    palette.query_one(CommandInput).value = query
    await pilot.pause(0.3)
    await app.workers.wait_for_complete()
    await pilot.pause(0.3)
    options = palette.query_one(CommandList)
    titles = [
        str(options.get_option_at_index(i).prompt).split("\n")[0]
        for i in range(options.option_count)
    ]
    await pilot.press("escape")
    await pilot.pause()
    return titles


@pytest.mark.parametrize(("key", "mode"), AREAS)
async def test_every_area_lets_area_keys_and_help_through_and_esc_leaves_a_text_field(
    app, key, mode
):
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AreaScreen) and screen.MODE == mode
        # Nothing traps on arrival: `?` opens the help, Esc closes it.
        assert not isinstance(screen.focused, Input)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        # In a text field the keys are text; Esc leaves the field and they work again.
        fields = [w for w in screen.query(Input) if w.focusable and w.display]
        if fields:
            fields[0].focus()
            await pilot.pause()
            before = fields[0].value
            await pilot.press("1", "question_mark")
            await pilot.pause()
            assert app.screen is screen and fields[0].value.startswith(before)
            assert screen.focused is fields[0]
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(screen.focused, Input)
        other = "2" if key == "1" else "1"
        await pilot.press(other)
        await pilot.pause()
        assert app.current_mode != mode


async def test_sync_url_field_no_longer_swallows_area_keys(app):
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("8")
        await pilot.pause()
        assert app.current_mode == "sync"
        url = app.screen.query_one("#url", Input)
        await pilot.click("#url")
        await pilot.press("h", "s", "t", "escape", "2")
        await pilot.pause()
        assert url.value.endswith("hst")
        assert app.current_mode == "inventory"


async def test_palette_finds_screen_and_global_actions_in_dutch(app):
    async with app.run_test(size=(140, 40)) as pilot:
        # From the dashboard: actions of other areas are found and named in Dutch.
        titles = await _palette_titles(pilot, app, "export")
        assert "Exporteren" in titles
        for query, expected in [
            ("nieuwe versie", "Nieuwe versie"),
            ("toepassing toe", "Toepassing toevoegen"),
            ("synchron", "Nu synchroniseren"),
            ("importeren", "Importeren"),
            ("thema", "Thema"),
        ]:
            assert expected in await _palette_titles(pilot, app, query), query
        # No English and a Dutch "nothing found".
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert palette.query_one(CommandInput).placeholder == "Zoek een opdracht…"
        palette.query_one(CommandInput).value = "qqqzzz"
        # Textual shows "nothing found" after a delay of its own: wait for it (up to 5 s
        # on a loaded machine; a fixed 0.8 s failed once in CI), not for a fixed time.
        options = palette.query_one(CommandList)
        prompts: list[str] = []
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
            prompts = [
                str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
            ]
            if any("Geen opdracht gevonden" in p for p in prompts):
                break
        assert any("Geen opdracht gevonden" in p for p in prompts), prompts


async def test_palette_runs_an_action_of_another_area(app):
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        app.screen.query_one(CommandInput).value = "Toepassing toevoegen"
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.current_mode == "applications"
        from elo_tui.screens.form import FormScreen

        assert isinstance(app.screen, FormScreen)


async def test_palette_on_a_screen_offers_its_own_actions_first(app):
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("7")
        await pilot.pause()
        titles = await _palette_titles(pilot, app, "")
        own = {"Nieuwe versie", "Exporteren", "Concept exporteren"}
        assert own <= set(titles)
        assert len(titles) == len({t.casefold() for t in titles})  # each title once


async def test_help_lists_binding_ids_in_dutch_without_textual_english(app):
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2", "f1")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        from elo_tui import keymap

        entries = keymap.screen_entries(help_screen.for_screen)
        ids = {e.id for e in entries}
        assert {"inventory.add", "inventory.import"} <= ids
        english = {"Focus Next", "Scroll Left", "Scroll Right", "Dismiss menu", "Quit"}
        assert not english & {e.description for e in entries}
        text = " ".join(str(s.render()) for s in help_screen.query("Static"))
        assert "inventory.add" in text and "Focus Next" not in text


async def test_key_remapped_in_settings_works_and_shows(settings, tmp_path):
    settings.save(keys={"inventory.add": "n"})
    again = Settings.resolve(str(settings.state_dir))
    assert again.keys == {"inventory.add": "n"}
    app = EloApp(again, open_demo(again))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert " n " in str(bar.render())
        await pilot.press("n")
        await pilot.pause()
        from elo_tui.screens.form import FormScreen

        assert isinstance(app.screen, FormScreen)


async def test_key_bar_shows_what_fits_and_points_to_help(app):
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        line = str(app.screen.query_one(KeyBar).render())
        assert len(line) <= 60
        assert line.rstrip().endswith("meer: F1")
        assert "Bewerken" in line  # the screen's own keys come first


async def test_chosen_theme_is_kept(settings):
    app = EloApp(settings, open_demo(settings))
    async with app.run_test() as pilot:
        app.theme = "textual-light"
        await pilot.pause()
    again = Settings.resolve(str(settings.state_dir))
    assert again.theme == "textual-light"
    assert EloApp(again).theme == "textual-light"


ENGLISH = [
    "Search for commands",
    "No matches found",
    "Dismiss menu",
    "Focus Next",
    "Focus Previous",
    "Scroll Left",
    "Scroll Right",
    "Exit the command palette",
    "Quit",
    " Help ",
    "Keys",
    "Screenshot",
]


def _screen_text(app) -> str:
    import re

    svg = app.export_screenshot()
    return re.sub(r"<[^>]+>", "", svg).replace("&#160;", " ")


async def test_no_english_from_textual_on_any_area_its_help_or_the_palette(app):
    async with app.run_test(size=(140, 40)) as pilot:
        for key, _mode in AREAS:
            await pilot.press(key)
            await pilot.pause()
            for opener in (None, "f1", "ctrl+p"):
                if opener:
                    await pilot.press(opener)
                    await pilot.pause()
                    await app.workers.wait_for_complete()
                    await pilot.pause()
                text = _screen_text(app)
                found = [word for word in ENGLISH if word in text]
                assert not found, f"English on area {key} ({opener or 'screen'}): {found}"
                if opener:
                    await pilot.press("escape")
                    await pilot.pause()


async def test_a_remapped_key_that_takes_another_bindings_key_is_reported(settings):
    settings.save(keys={"inventory.add": "e"})
    again = Settings.resolve(str(settings.state_dir))
    app = EloApp(again, open_demo(again))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        from elo_tui.screens.form import FormScreen

        assert isinstance(app.screen, FormScreen)  # the remapped "add" won
        messages = [n.message for n in app._notifications]
        assert any("'e'" in m and "inventory.add" in m for m in messages)


@pytest.mark.parametrize(("key", "mode"), AREAS)
async def test_palette_and_help_of_each_area_hold_all_its_keyed_actions(app, key, mode):
    from elo_tui import keymap

    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        label = next(item.label for item in app.nav if item.mode == mode)
        own = [e for e in keymap.screen_entries(screen) if e.id and e.enabled]
        assert own, f"area {mode} declares no keys"
        assert all(e.id.startswith(f"{mode}.") for e in own)
        expected = {keymap.palette_title(e.id, e.description, label)[0] for e in own}
        titles = set(await _palette_titles(pilot, app, ""))
        # A title that another command already uses is offered once (the first wins).
        assert expected <= titles, expected - titles
        await pilot.press("f1")
        await pilot.pause()
        text = _screen_text(app)
        assert all(e.id in text for e in own)


def test_a_form_without_submit_is_refused_when_defined():
    """Every form saves through submit(); one without it fails at import (here), not when
    someone presses F2. A shared base of forms says abstract=True."""
    import pytest

    from elo_tui.screens.form import FormScreen

    with pytest.raises(TypeError, match="NoSave"):

        class NoSave(FormScreen):
            pass

    class SharedBase(FormScreen, abstract=True):
        pass

    class Concrete(SharedBase):
        def submit(self, values):
            return values

    assert Concrete.submit is not None
