"""Read the cost template (checklists/costs/default.toml) into a `CostTemplate`.

Plain tomllib and hand-written checks (no pydantic: this runs when the costs screen first
proposes lines, and the checks are few). Every problem is reported in Dutch with the file
and the key, e.g. "costs/default.toml: line[3].likely_days: ...".
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from elo_tui.domain.estimate import BLOCKS, CATEGORIES, LOW_VOLUME_THRESHOLD, RECURRENCES, YEARS
from elo_tui.domain.estimate_template import CostTemplate, TemplateLine
from elo_tui.domain.formats import word

TEMPLATE_FOLDER = "costs"
TEMPLATE_FILE = "default.toml"
_LINE_KEYS = {
    "block",
    "description",
    "category",
    "optimistic_days",
    "likely_days",
    "pessimistic_days",
    "budget_year",
    "recurrence",
    "basis",
}


class CostTemplateError(Exception):
    """The cost template cannot be used; the message (Dutch) names file and key."""


def default_path() -> Path:
    from elo_tui.paths import checklists_dir

    return checklists_dir() / TEMPLATE_FOLDER / TEMPLATE_FILE


def load_cost_template(path: Path | str | None = None) -> CostTemplate:
    path = Path(path) if path is not None else default_path()
    name = f"{path.parent.name}/{path.name}"
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise CostTemplateError(f"Kostensjabloon '{path}' niet gevonden.") from None
    except OSError as exc:
        raise CostTemplateError(
            f"Kan kostensjabloon '{path}' niet lezen: {exc.strerror}."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise CostTemplateError(f"{name}: geen geldige TOML ({exc}).") from None
    return parse_cost_template(data, name)


def parse_cost_template(data: dict[str, Any], name: str = "kostensjabloon") -> CostTemplate:
    problems: list[str] = []
    unknown = set(data) - {"version", "low_volume_threshold", "basis", "line", "forms_tool"}
    if unknown:
        problems.append(
            f"{name}: onbekende {word(len(unknown), 'sleutel', 'sleutels')} "
            f"{', '.join(sorted(unknown))}"
        )
    if data.get("version", 1) != 1:
        problems.append(f"{name}: version: alleen versie 1 wordt ondersteund")
    threshold = data.get("low_volume_threshold", LOW_VOLUME_THRESHOLD)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        problems.append(f"{name}: low_volume_threshold: moet een geheel getal >= 0 zijn")
        threshold = LOW_VOLUME_THRESHOLD
    basis = data.get("basis", "")
    if not isinstance(basis, str):
        problems.append(f"{name}: basis: moet tekst zijn")
        basis = ""
    raw_lines = data.get("line", [])
    if not isinstance(raw_lines, list):
        problems.append(f"{name}: line: verwacht een lijst [[line]]")
        raw_lines = []
    lines = []
    for i, raw in enumerate(raw_lines, 1):
        line = _parse_line(raw, f"{name}: line[{i}]", problems, block_required=True)
        if line is not None:
            lines.append(line)
    forms = None
    if "forms_tool" in data:
        forms = _parse_line(
            data["forms_tool"], f"{name}: forms_tool", problems, block_required=False
        )
    if problems:
        raise CostTemplateError("Het kostensjabloon klopt niet:\n" + "\n".join(problems))
    return CostTemplate(tuple(lines), forms, threshold, basis, name)


def _parse_line(
    raw: Any, where: str, problems: list[str], *, block_required: bool
) -> TemplateLine | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: verwacht een tabel")
        return None
    before = len(problems)
    unknown = set(raw) - _LINE_KEYS
    if unknown:
        problems.append(
            f"{where}: onbekende {word(len(unknown), 'sleutel', 'sleutels')} "
            f"{', '.join(sorted(unknown))}"
        )
    block = raw.get("block", "")
    if block_required and block not in BLOCKS:
        problems.append(
            f"{where}.block: onbekende bouwsteen '{block}' (kies uit {', '.join(BLOCKS)})"
        )
    if not block_required and block not in ("", *BLOCKS):
        problems.append(f"{where}.block: onbekende bouwsteen '{block}'")
    texts = {}
    for key in ("description", "basis"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            problems.append(f"{where}.{key}: moet tekst zijn")
        texts[key] = str(value)
    if not texts["description"].strip():
        problems.append(f"{where}.description: omschrijving is verplicht")
    choices = {
        "category": (CATEGORIES, "internal"),
        "budget_year": (YEARS, "2026"),
        "recurrence": (RECURRENCES, "one_off"),
    }
    picked = {}
    for key, (allowed, default) in choices.items():
        value = raw.get(key, default)
        if value not in allowed:
            problems.append(
                f"{where}.{key}: '{value}' is niet toegelaten (kies uit {', '.join(allowed)})"
            )
        picked[key] = value
    if picked["category"] == "licence":
        problems.append(
            f"{where}.category: een licentie is een vast bedrag, geen inspanning in dagen"
        )
    days = {}
    for key in ("optimistic_days", "likely_days", "pessimistic_days"):
        value = raw.get(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            problems.append(f"{where}.{key}: verplicht getal (persoonsdagen)")
            days[key] = 0.0
        elif value < 0:
            problems.append(f"{where}.{key}: kan niet negatief zijn")
            days[key] = 0.0
        else:
            days[key] = float(value)
    o, m, p = days["optimistic_days"], days["likely_days"], days["pessimistic_days"]
    if not o <= m <= p:
        problems.append(f"{where}: optimistisch <= meest waarschijnlijk <= pessimistisch vereist")
    if len(problems) > before:
        return None
    return TemplateLine(
        block=block,
        description=texts["description"].strip(),
        category=picked["category"],
        optimistic_days=o,
        likely_days=m,
        pessimistic_days=p,
        budget_year=picked["budget_year"],
        recurrence=picked["recurrence"],
        basis=texts["basis"].strip(),
    )
