"""Conflict choices from a file, for `elo-tui sync --resolve-file` (no interface needed).

TOML (or JSON: the same entries as a list, or under "choice"):

    [[choice]]
    record = "product/0b6c…"   # "kind/id" as `--list-conflicts` shows it, or the id alone
    field = "name"             # a field name; "*" or left out: the whole record
    use = "theirs"             # "mine" or "theirs"

A conflict is settled when every field both sides changed (see `--list-conflicts`,
"te kiezen") has a choice; fields only one side changed merge by themselves. A wrong entry
is reported with its number and skipped; the other entries are still applied.
Stdlib only.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from elo_tui.sync import conflicts

WHOLE = "*"
USES = ("mine", "theirs")


@dataclass(frozen=True)
class Choice:
    record: str
    field: str
    use: str
    where: str  # "keuze 3" for messages


@dataclass
class ApplyReport:
    resolved: int = 0
    lines: list[str] = field(default_factory=list)  # what happened, per conflict
    problems: list[str] = field(default_factory=list)  # wrong entries (Dutch, with where)


def read_choices(path: str | Path) -> tuple[list[Choice], list[str]]:
    """The valid entries of the file and a Dutch problem per wrong one."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [f"Kan '{path}' niet lezen: {exc.strerror}."]
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(raw.decode("utf-8"))
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        # TOMLDecodeError and JSONDecodeError are ValueErrors and say line and column.
        return [], [f"'{path}' is geen geldig {_format(path)}-bestand: {exc}."]
    entries = data.get("choice") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return [], [
            f"'{path}' bevat geen keuzes: verwacht een lijst [[choice]] met record, field en use."
        ]
    choices, problems = [], []
    for n, entry in enumerate(entries, start=1):
        where = f"{path.name}, keuze {n}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: geen tabel met record, field en use.")
            continue
        record = str(entry.get("record") or entry.get("id") or "").strip()
        name = str(entry.get("field") or WHOLE).strip()
        use = str(entry.get("use") or "").strip().lower()
        if not record:
            problems.append(f"{where}: 'record' ontbreekt (soort/id of id).")
        elif use not in USES:
            problems.append(
                f"{where}: 'use' moet \"mine\" of \"theirs\" zijn, niet '{entry.get('use', '')}'."
            )
        else:
            choices.append(Choice(record, name, use, where))
    return choices, problems


def _format(path: Path) -> str:
    return "JSON" if path.suffix.lower() == ".json" else "TOML"


def apply_choices(ws, choices: list[Choice]) -> ApplyReport:
    """Settle the conflicts the choices fully decide, in one transaction."""
    report = ApplyReport()
    waiting = conflicts.pending(ws)
    by_key = {c.key: c for c in waiting}
    by_id = {c.id: c for c in waiting}
    grouped: dict[str, list[Choice]] = {}
    for choice in choices:
        found = by_key.get(choice.record) or by_id.get(choice.record)
        if found is None:
            report.lines.append(
                f"{choice.where}: geen conflict voor '{choice.record}' (al beslist?)."
            )
            continue
        grouped.setdefault(found.key, []).append(choice)
    with ws.transaction(), conflicts.Batch(ws) as batch:
        for key, items in grouped.items():
            decision = _decision(ws, by_key[key], items, report)
            if decision is None:
                continue
            conflicts.resolve(ws, by_key[key], decision, batch)
            report.resolved += 1
            report.lines.append(f"{key}: beslist.")
    return report


def _decision(ws, conflict: conflicts.Conflict, items: list[Choice], report: ApplyReport):
    """ "mine", "theirs" or {field: use} for one conflict; None when it stays open."""
    whole = {c.use for c in items if c.field == WHOLE}
    picks: dict[str, str] = {}
    known = {d.name: d for d in conflicts.field_diffs(ws, conflict)}
    ok = True
    for c in items:
        if c.field == WHOLE:
            continue
        if c.field not in known:
            report.problems.append(
                f"{c.where}: {conflict.kind} heeft geen veld '{c.field}' "
                f"(velden: {', '.join(sorted(known))})."
            )
            ok = False
        elif picks.get(c.field, c.use) != c.use:
            report.problems.append(f"{c.where}: veld '{c.field}' kreeg al een andere keuze.")
            ok = False
        else:
            picks[c.field] = c.use
    if len(whole) > 1 or (whole and picks):
        report.problems.append(
            f"{conflict.key}: tegenstrijdige keuzes (het hele record én per veld, of mine én "
            "theirs); dit conflict blijft open."
        )
        return None
    if not ok:
        report.lines.append(f"{conflict.key}: blijft open (zie de fouten hieronder).")
        return None
    if whole:
        return whole.pop()
    clashes = conflicts.clashing_fields(ws, conflict)
    needed = set(clashes) if clashes is not None else {d.name for d in known.values() if d.differs}
    missing = sorted(needed - set(picks))
    if missing:
        labels = ", ".join(f"{known[n].label} ({n})" for n in missing if n in known)
        report.lines.append(f"{conflict.key}: blijft open; kies nog voor {labels}.")
        return None
    return picks
