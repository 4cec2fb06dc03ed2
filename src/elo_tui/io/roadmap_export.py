"""Exports of the roadmap (priorities, quick wins, bottlenecks, baseline, scenarios) and of
the IPDC-correcties for Digitaal Vlaanderen, as CSV, XLSX or Markdown.

Tables are built once (`*_table` -> headers and rows of plain values) and written by
format; XLSX goes through our own writer (io/xlsx_writer.py), CSV is the Belgian Excel
dialect: ';' between columns, a decimal comma in numbers (21,3; no thousands
separator, so Excel reads them as numbers), ISO dates and UTF-8 with a BOM.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from elo_tui.domain import codelists, formats
from elo_tui.domain import roadmap as rm
from elo_tui.domain.blocks import block_label
from elo_tui.domain.ipdc_corrections import HEADERS as CORRECTION_HEADERS
from elo_tui.domain.ipdc_corrections import Correction

Table = tuple[str, list[str], list[list[Any]]]  # title, headers, rows
FORMATS = ("csv", "xlsx", "md")


def corrections_table(items: list[Correction]) -> Table:
    return ("IPDC-correcties", list(CORRECTION_HEADERS), [c.as_row() for c in items])


def _blocks(codes: tuple[str, ...] | list[str]) -> str:
    return ", ".join(block_label(c) for c in codes)


def priorities_table(data: Any, *, quick: bool = False) -> Table:
    rows = data.quick_wins if quick else data.priorities
    out = []
    for i, r in enumerate(rows, start=1):
        p = r.product
        out.append(
            [
                i,
                p.ipdc_number,
                p.name,
                r.impact,
                r.effort_days
                if r.effort_known
                else f"{formats.format_number(r.effort_days, 1)} + onbekend",
                round(r.score, 2) if r.effort_known else "",
                "ja" if r.conform else "nee",
                "ja" if r.quick_win else "nee",
                _blocks(r.remaining_blocks),
                _blocks(r.unestimated_blocks),
                "; ".join(r.notes),
            ]
        )
    headers = [
        "Rang",
        "IPDC-productnummer",
        "Product",
        "Impact (0-100)",
        "Resterende dagen",
        "Prioriteit",
        "ELO-conform",
        "Snel resultaat",
        "Resterende bouwstenen",
        "Zonder raming",
        "Onbekend",
    ]
    return ("Snel resultaat" if quick else "Prioriteiten", headers, out)


def bottlenecks_table(data: Any) -> Table:
    rows = [
        [
            b.id[:8],
            rm.SCOPES.get(b.scope_kind, b.scope_kind),
            data.scope_name(b.scope_kind, b.scope_id),
            block_label(b.block) if b.block else "",
            b.description,
            rm.BOTTLENECK_KINDS.get(b.bottleneck_kind, b.bottleneck_kind),
            b.owner,
            rm.BOTTLENECK_STATUSES.get(b.status, b.status),
            b.reported_on,
            b.resolved_on,
            b.note,
        ]
        for b in data.bottlenecks
    ]
    headers = [
        "Id",
        "Bereik",
        "Voor",
        "Bouwsteen",
        "Knelpunt",
        "Soort",
        "Eigenaar",
        "Status",
        "Gemeld op",
        "Opgelost op",
        "Notitie",
    ]
    return ("Knelpunten", headers, rows)


def baseline_table(data: Any) -> Table:
    """Every product: its baseline (or none yet) next to today's state."""
    baselines = data.baseline_by_product()
    new_since = {p.id: new for p, _, new in data.progress.rows}
    rows = []
    for p in data.products_in_order():
        b = baselines.get(p.id)
        rows.append(
            [
                p.ipdc_number,
                p.name,
                codelists.ON_ELO.get(b.on_elo, b.on_elo) if b else "",
                _blocks(b.blocks_in_use) if b else "",
                codelists.ON_ELO.get(p.on_elo, p.on_elo),
                _blocks(new_since.get(p.id, ())),
                ("bevestigd" if b.confirmed else "ontwerp") if b else "geen nulmeting",
                b.note if b else "",
            ]
        )
    headers = [
        "IPDC-productnummer",
        "Product",
        "Op ELO (nulmeting)",
        "Bouwstenen in gebruik (nulmeting)",
        "Op ELO (nu)",
        "Sindsdien in gebruik genomen",
        "Nulmeting",
        "Notitie",
    ]
    return (f"Nulmeting {rm.BASELINE_DATE:%d/%m/%Y}", headers, rows)


def scenarios_table(data: Any) -> Table:
    qs = rm.quarters()
    headers = [
        "Scenario",
        "Gekozen",
        "Kost 2026",
        "Kost 2027",
        "Kost later",
        "Subsidiabel 2026",
        "Subsidiabel 2027",
        "Envelop 2026",
        "Envelop 2027",
        "Conform tegen 30/6/2027",
        "Producten",
        "Niet gepland",
        *[f"Conform {q}" for q in qs],
    ]
    rows = [
        [
            s.scenario.name,
            "ja" if s.scenario.chosen else "",
            round(s.cost_by_year.get("2026", 0.0), 2),
            round(s.cost_by_year.get("2027", 0.0), 2),
            round(s.cost_by_year.get("later", 0.0), 2),
            round(s.eligible_by_year.get("2026", 0.0), 2),
            round(s.eligible_by_year.get("2027", 0.0), 2),
            s.envelope_by_year["2026"],
            s.envelope_by_year["2027"],
            s.conform_at_milestone,
            s.products,
            s.unplanned,
            *[s.conform_by_quarter.get(q, 0) for q in qs],
        ]
        for s in data.scenarios
    ]
    return ("Scenario's", headers, rows)


def plan_table(data: Any) -> Table:
    """Every plan line: per scenario, which block of which application or product goes to
    production in which quarter."""
    names = {s.scenario.id: s.scenario.name for s in data.scenarios}
    rows = [
        [
            names.get(i.scenario_id, "(verwijderd)"),
            rm.SCOPES.get(i.scope_kind, i.scope_kind),
            data.scope_name(i.scope_kind, i.scope_id),
            block_label(i.block),
            i.quarter,
            rm.quarter_year(i.quarter),
        ]
        for i in data.plan_items
    ]
    headers = ["Scenario", "Bereik", "Voor", "Bouwsteen", "In productie", "Begrotingsjaar"]
    return ("Planning", headers, rows)


def scenario_comparison_table(data: Any) -> Table:
    """The scenarios side by side: one column per scenario, one row per figure."""

    eur = formats.euro

    scen = data.scenarios
    rows: list[list[Any]] = [
        ["Gekozen voor de indiening", *["ja" if s.scenario.chosen else "" for s in scen]],
    ]
    for y in ("2026", "2027", "later"):
        rows.append([f"Kost {y} (verwacht)", *[eur(s.cost_by_year.get(y, 0.0)) for s in scen]])
    for y in ("2026", "2027"):
        rows.append(
            [f"Subsidiabel {y} (aanname)", *[eur(s.eligible_by_year.get(y, 0.0)) for s in scen]]
        )
        rows.append(
            [
                f"Boven envelop {y} (lezing)",
                *[eur(s.over_envelope[y]) if y in s.over_envelope else "" for s in scen],
            ]
        )
    rows.append(
        [
            "Conform tegen 30 juni 2027",
            *[f"{s.conform_at_milestone} van {s.products}" for s in scen],
        ]
    )
    for q in rm.quarters():
        rows.append([f"Conform eind {q}", *[s.conform_by_quarter.get(q, 0) for s in scen]])
    rows.append(["Niet geplande bouwstenen", *[s.unplanned for s in scen]])
    rows.append(["Kostenlijnen naar ander jaar", *[s.moved_lines for s in scen]])
    return ("Scenario's naast elkaar", ["", *[s.scenario.name for s in scen]], rows)


def evaluation_table(data: Any, today: str = "") -> Table:
    """For the interim evaluation (end 2026): the baseline next to today and next to what
    the chosen plan promises for the end of 2026, over the products with a baseline."""
    from datetime import date

    pr = data.progress
    chosen = next((s for s in data.scenarios if s.scenario.chosen), None)
    plan_end_2026 = chosen.conform_by_quarter.get("2026-Q4", "") if chosen else ""
    now = today or date.today().isoformat()
    headers = [
        "",
        f"Nulmeting {rm.BASELINE_DATE:%d/%m/%Y}",
        f"Nu ({formats.format_date(now)})",
        "Plan eind 2026" + (f" ('{chosen.scenario.name}')" if chosen else " (geen plan gekozen)"),
    ]
    rows = [
        ["Producten met nulmeting", pr.with_baseline, pr.with_baseline, ""],
        ["Via ELO aan te vragen en op te volgen", pr.on_elo_then, pr.on_elo_now, ""],
        ["Bouwstenen in gebruik (product x bouwsteen)", pr.blocks_then, pr.blocks_now, ""],
        ["ELO-conform (alle producten)", "onbekend", _conform_now(data), plan_end_2026],
    ]
    return ("Tussentijdse evaluatie", headers, rows)


def _conform_now(data: Any) -> int:
    return sum(1 for r in data.priorities if r.conform)


def roadmap_tables(data: Any) -> list[Table]:
    return [
        priorities_table(data),
        priorities_table(data, quick=True),
        bottlenecks_table(data),
        baseline_table(data),
        evaluation_table(data),
        scenarios_table(data),
        scenario_comparison_table(data),
        plan_table(data),
        corrections_table(data.corrections),
    ]


NOTES = [
    rm.ASSUMPTION_NOTE,
    rm.QUICK_WIN_NOTE,
    rm.PLAN_CONFORM_NOTE,
    rm.ELIGIBLE_NOTE,
    rm.ENVELOPE_NOTE,
]


# -- writers ------------------------------------------------------------------


def write(
    tables: list[Table], path: Path | str, fmt: str, *, notes: Sequence[str] = ()
) -> list[Path]:
    """Write the tables; CSV makes one file per table next to `path` when there are several.
    Returns the files written. Only a regular file is replaced, through a temporary file
    beside it (a failed export leaves the old file); anything else raises OSError."""
    path = Path(path)
    if fmt == "xlsx":
        _replace(path, lambda tmp: _write_xlsx(tables, tmp, notes))
        return [path]
    if fmt == "md":
        _replace(path, lambda tmp: tmp.write_text(_markdown(tables, notes), encoding="utf-8"))
        return [path]
    if fmt == "csv":
        if len(tables) == 1:
            _write_csv(tables[0], path)
            return [path]
        out = []
        for title, headers, rows in tables:
            slug = "".join(c if c.isalnum() else "_" for c in title.casefold()).strip("_")
            p = path.with_name(f"{path.stem}_{slug}.csv")
            _write_csv((title, headers, rows), p)
            out.append(p)
        return out
    raise ValueError(fmt)


def _replace(path: Path, write_to: Any) -> None:
    if path.exists() and not path.is_file():
        raise OSError(21, "geen gewoon bestand", str(path))
    tmp = path.with_name(f".{path.name}.elo-export-{os.getpid()}.tmp")
    try:
        # Owner-only before any data goes in (the writers keep the mode of the file they
        # truncate) and after the rename, also over an existing 0644 file.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        os.close(fd)
        write_to(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula stays text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_number(value: Any) -> Any:
    """A number as Excel in a Belgian locale reads it from a ';' CSV: decimal comma
    (21.3 -> '21,3'), no thousands separator; anything else unchanged."""
    if isinstance(value, float) and not isinstance(value, bool):
        if value.is_integer():
            return int(value)
        # Six decimals at most: float noise (0.30000000000000004) is not a figure.
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    return value


def _write_csv(table: Table, path: Path) -> None:
    _, headers, rows = table
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(headers)
    w.writerows([_csv_number(_safe(v)) for v in row] for row in rows)
    _replace(path, lambda tmp: tmp.write_text(buf.getvalue(), encoding="utf-8-sig"))


def _write_xlsx(tables: list[Table], path: Path, notes: Sequence[str]) -> None:
    from elo_tui.io.xlsx_writer import Sheet, save

    sheets = []
    for title, headers, rows in tables:
        sheet = Sheet(title=title[:31].replace("/", "-"), freeze_rows=1)
        sheet.append(list(headers), bold=True)
        for row in rows:
            sheet.append(list(row))
        sheets.append(sheet)
    if notes:
        sheet = Sheet(title="Aannames")
        for n in notes:
            sheet.append([n])
        sheets.append(sheet)
    save(sheets, path, title="Roadmap")


def _md_cell(value: Any) -> str:
    # Markdown is read by people: Belgian numbers and dates (CSV/XLSX keep plain values).
    return formats.format_cell(value).replace("|", "\\|").replace("\n", " ")


def _markdown(tables: list[Table], notes: Sequence[str]) -> str:
    lines: list[str] = []
    for title, headers, rows in tables:
        lines += [f"## {title}", ""]
        if not rows:
            lines += ["(geen)", ""]
            continue
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "---|" * len(headers))
        lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
        lines.append("")
    if notes:
        lines += ["## Aannames en lezingen", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def format_of(path: Path | str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "md"
