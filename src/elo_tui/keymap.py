"""Keys as data: every binding has an id, people remap keys by id, and the key bar, the
help (F1) and the command palette are all generated from the same bindings.

A binding's id is `<scope>.<action>` (e.g. `inventory.add`, `sync.sync`, `app.help`); the
scope is a screen's MODE (areas) or KEY_SCOPE. Screens keep declaring plain Textual
`Binding`s; `KeyedBindings` (a base of AreaScreen and FormScreen) gives each one its id,
so a new screen action gets an id, a help line and a palette entry without more work.
Remapping uses Textual's own keymap (`App.set_keymap`) with the `[keys]` table of the
user's settings file, e.g. `"inventory.add" = "n"` (as Harlequin and Posting do).

This module imports nothing heavy: it is on the start path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from textual.binding import Binding

# Dutch palette titles for screen actions whose key-bar word alone says too little
# ("Nieuw" on the Toepassingen screen is "Toepassing toevoegen" in the palette). An
# action missing here still appears, as "<key-bar word> (<area>)".
PALETTE_TITLES: dict[str, tuple[str, str]] = {
    "dashboard.refresh": ("Overzicht vernieuwen", "Gereedheid opnieuw berekenen"),
    "inventory.add": ("Product toevoegen", "Een nieuw product in de inventaris"),
    "inventory.edit": ("Product bewerken", "Het geselecteerde product bewerken"),
    "inventory.delete": ("Product verwijderen", "Het geselecteerde product verwijderen"),
    "inventory.import": ("Importeren", "Productlijst uit CSV of XLSX inlezen"),
    "inventory.focus_filter": ("Producten zoeken", "Zoeken in de inventaris"),
    "inventory.filters": ("Producten filteren", "Filters op de inventaris"),
    "inventory.sort_next": ("Producten sorteren", "Volgende sorteervolgorde"),
    "applications.add": ("Toepassing toevoegen", "Een nieuwe toepassing of een nieuw loket"),
    "applications.edit": ("Toepassing bewerken", "De geselecteerde toepassing bewerken"),
    "applications.delete": ("Toepassing verwijderen", "De geselecteerde toepassing verwijderen"),
    "matrix.accept_suggestion": ("Voorstel overnemen", "Het voorstel voor deze cel overnemen"),
    "matrix.accept_all": (
        "Alle voorstellen overnemen",
        "Voorstellen van een product, een toepassing of alles, met voorbeeld",
    ),
    "matrix.filters": ("Bouwstenen filteren", "Filters op de matrix"),
    "checklist.done": ("Checklist-stap klaar", "De geselecteerde stap als klaar markeren"),
    "checklist.focus_search": ("Checklist zoeken", "Zoeken in de checklist"),
    "costs.add": ("Kostenlijn toevoegen", "Een nieuwe lijn in de raming"),
    "costs.propose": ("Raming voorstellen", "Lijnen voorstellen uit het sjabloon"),
    "costs.forms_tool": ("Formulierentool vergelijken", "Vergelijking met de formulierentool"),
    "costs.request_data": ("Aanvraaggegevens", "Gegevens voor de cofinancieringsaanvraag"),
    "submission.create": ("Nieuwe versie", "Een versie van de indiening bevriezen (SHA-256)"),
    "submission.export": ("Exporteren", "De laatste versie van de indiening exporteren"),
    "submission.export_concept": ("Concept exporteren", "Een concept exporteren (geen versie)"),
    "submission.refresh": ("Indiening nakijken", "Volledigheid opnieuw nakijken"),
    "submission.request_data": ("Aanvraaggegevens", "Gegevens voor de cofinancieringsaanvraag"),
    "sync.sync": (
        "Nu synchroniseren",
        "Wijzigingen versturen en ophalen bij de centrale opvolging",
    ),
    "sync.conflicts": ("Conflicten bekijken", "Conflicten per veld beslissen"),
    "sync.check": ("Verbinding testen", "Nagaan of de tracker antwoordt"),
    "sync.save_settings": ("Sync-instellingen bewaren", "Adres en token bewaren"),
}

# Textual's own binding descriptions, in Dutch. A built-in binding that is not listed
# here is left out of the help rather than shown in English.
TEXTUAL_DUTCH: dict[str, str] = {
    "Focus Next": "Naar het volgende veld",
    "Focus Previous": "Naar het vorige veld",
    "Scroll Up": "Omhoog schuiven",
    "Scroll Down": "Omlaag schuiven",
    "Scroll Left": "Naar links schuiven",
    "Scroll Right": "Naar rechts schuiven",
    "Scroll Home": "Naar het begin",
    "Scroll End": "Naar het einde",
    "Page Up": "Pagina omhoog",
    "Page Down": "Pagina omlaag",
    "Page Left": "Pagina naar links",
    "Page Right": "Pagina naar rechts",
    "Dismiss menu": "Menu sluiten",
    "Show menu": "Menu openen",
    "Toggle": "Aan/uit",
    "Press button": "Knop indrukken",
    "Select": "Kiezen",
    "Copy": "Kopiëren",
    "Paste": "Plakken",
    "Cut": "Knippen",
    "Undo": "Ongedaan maken",
    "Redo": "Opnieuw",
    "Select all": "Alles selecteren",
    "Quit": "Afsluiten",
    "Cursor up": "Omhoog",
    "Cursor down": "Omlaag",
    "First": "Eerste",
    "Last": "Laatste",
    "Toggle option": "Optie aan/uit",
    "Submit": "Bevestigen",
    "Exit the command palette": "Opdrachtenpalet sluiten",
    "Next command": "Volgende opdracht",
    "Previous command": "Vorige opdracht",
    "Next page": "Volgende pagina",
    "Previous page": "Vorige pagina",
}

APP_SCOPE = "app"


def action_slug(action: str) -> str:
    """`pick('mine')` -> `pick_mine`: an action (with its arguments) as part of an id."""
    return re.sub(r"\W+", "_", action).strip("_")


def binding_id(scope: str, binding: Binding) -> str:
    return binding.id or f"{scope}.{action_slug(binding.action)}"


def scope_of(cls: type) -> str:
    """The id scope of a screen class: KEY_SCOPE, else its MODE, else its class name."""
    scope = getattr(cls, "KEY_SCOPE", "") or getattr(cls, "MODE", "")
    if not scope:
        name = re.sub(r"(Screen|Dialog)$", "", cls.__name__) or cls.__name__
        scope = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return scope


def with_ids(scope: str, bindings: list) -> list:
    """The same bindings, each with an id (`<scope>.<action>` unless it has one)."""
    result = []
    for b in bindings:
        if isinstance(b, tuple):
            b = Binding(*b)
        result.append(b if b.id else replace(b, id=binding_id(scope, b)))
    return result


class KeyedBindings:
    """Mixin for screens: gives every binding declared in BINDINGS an id (see module doc).

    Textual merges BINDINGS when the class is created, so the ids are set then and the
    merged map is rebuilt."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("BINDINGS")
        if own:
            # A mixin: the Textual class it is combined with declares BINDINGS.
            cls.BINDINGS = with_ids(scope_of(cls), list(own))  # type: ignore[attr-defined]
            cls._merged_bindings = cls._merge_bindings()  # type: ignore[attr-defined]


def dutch(description: str) -> str | None:
    """A binding description as shown: ours as is, Textual's translated, else None."""
    if description in TEXTUAL_DUTCH:
        return TEXTUAL_DUTCH[description]
    return description or None


@dataclass(frozen=True)
class KeyEntry:
    """One line of the help: the keys, the Dutch description and the id to remap
    ('' for a widget's built-in key, which cannot be remapped)."""

    id: str
    keys: str
    description: str
    action: str
    enabled: bool = True


def screen_entries(screen, app_level: bool = False) -> list[KeyEntry]:
    """The bindings that work on `screen` now, one entry per binding, in Dutch: the
    screen's own first, then Textual's built-ins, then those of the focused widget.

    `app_level` False: the screen's and its widgets' own bindings; True: the app's."""
    by_key: dict[tuple[int, str], KeyEntry] = {}
    keys: dict[tuple[int, str], list[str]] = {}
    app = screen.app
    for key, active in screen.active_bindings.items():
        if (active.node is app) != app_level:
            continue
        binding = active.binding
        if binding.system:
            continue
        text = dutch(binding.description)
        if not text or (_from_textual(active.node, binding) and text == binding.description):
            continue  # Textual's own, untranslated: leave out rather than show English
        # ours (with an id) first, then the screen's built-ins, then the widget's
        rank = 0 if binding.id else (1 if active.node is screen else 2)
        entry_key = (rank, binding.id or f"{id(active.node)}.{binding.action}")
        keys.setdefault(entry_key, []).append(app.get_key_display(binding) if binding.key else key)
        if entry_key not in by_key:
            by_key[entry_key] = KeyEntry(binding.id or "", "", text, binding.action, active.enabled)
    ordered = sorted(by_key, key=lambda k: k[0])  # stable: declaration order within
    return [replace(by_key[k], keys=" / ".join(dict.fromkeys(keys[k]))) for k in ordered]


def _from_textual(node, binding: Binding) -> bool:
    for cls in type(node).__mro__:
        if any(
            b is binding or getattr(b, "action", None) == binding.action for b in _declared(cls)
        ):
            return cls.__module__.startswith("textual.")
    return False


def _declared(cls: type) -> list:
    return [Binding(*b) if isinstance(b, tuple) else b for b in cls.__dict__.get("BINDINGS", [])]


def class_bindings(cls: type) -> list[tuple[str, Binding]]:
    """(id, binding) for the bindings a screen class declares itself (no instance)."""
    scope = scope_of(cls)
    seen: dict[str, Binding] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.startswith("elo_tui."):
            for b in _declared(klass):
                seen.setdefault(binding_id(scope, b), b)
    return list(seen.items())


def palette_title(bid: str, description: str, area_label: str) -> tuple[str, str]:
    """The palette's title and help for a screen action."""
    if bid in PALETTE_TITLES:
        title, help_text = PALETTE_TITLES[bid]
        return title, f"{help_text} ({area_label})"
    return f"{description} ({area_label})", f"Op het scherm {area_label}"
