"""Roadmap: priority list and quick wins, bottlenecks, the baseline (nulmeting), plan
scenarios and IPDC corrections. Thin: the rules are in domain/roadmap.py, the use cases
in services/roadmap.py, the tables are those of the export (io/roadmap_export.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Input, Select, Static, TextArea

from elo_tui.domain import codelists
from elo_tui.domain import roadmap as rm
from elo_tui.domain.blocks import BLOCK_CODES, block_label
from elo_tui.domain.formats import format_cell, format_number, plural
from elo_tui.domain.records import Baseline, Bottleneck, PlanItem, Product
from elo_tui.io import roadmap_export as rx
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.form import FormScreen
from elo_tui.services import roadmap as svc
from elo_tui.widgets.virtual_table import Column, VirtualTable

VIEWS = {
    "priorities": ("Prioriteiten", rm.ASSUMPTION_NOTE),
    "quick": ("Snel resultaat", rm.QUICK_WIN_NOTE),
    "bottlenecks": ("Knelpunten", "Per product, toepassing of bouwsteen; gesynchroniseerd."),
    "baseline": (
        f"Nulmeting {rm.BASELINE_DATE:%d/%m/%Y}",
        "Toestand per product op 1 april 2025; alleen-lezen na bevestiging ('b').",
    ),
    "scenarios": (
        "Scenario's",
        f"{rm.ENVELOPE_NOTE} {rm.ELIGIBLE_NOTE} {rm.PLAN_CONFORM_NOTE}",
    ),
    "plan": (
        "Planning per toepassing en product",
        "Het kwartaal waarin elke bouwsteen in productie gaat, per scenario ('a' plant een "
        "bouwsteen, 'e' wijzigt het kwartaal); de kostenlijnen volgen bij het kiezen ('g').",
    ),
    "corrections": (
        "IPDC-correcties",
        "Wat ontbreekt of fout is in IPDC, voor Digitaal Vlaanderen ('x' exporteert).",
    ),
}


class Row:
    __slots__ = ("ref", "values")

    def __init__(self, values: list[Any], ref: Any = None) -> None:
        self.values = values
        self.ref = ref


class RoadmapScreen(AreaScreen):
    MODE = "roadmap"
    BINDINGS = [
        Binding("p", "view('priorities')", "Prioriteiten"),
        Binding("w", "view('quick')", "Snel resultaat"),
        Binding("k", "view('bottlenecks')", "Knelpunten"),
        Binding("n", "view('baseline')", "Nulmeting"),
        Binding("s", "view('scenarios')", "Scenario's"),
        Binding("q", "view('plan')", "Planning"),
        Binding("c", "view('corrections')", "IPDC-correcties"),
        Binding("a", "add", "Nieuw"),
        Binding("e", "edit", "Bewerken"),
        Binding("b", "confirm_baseline", "Nulmeting bevestigen"),
        Binding("l", "import_baseline", "Nulmeting inlezen"),
        Binding("g", "choose", "Scenario kiezen"),
        Binding("i", "import_ipdc", "IPDC importeren"),
        Binding("x", "export", "Exporteren"),
    ]
    DEFAULT_CSS = """
    RoadmapScreen #roadmap-head { height: auto; padding: 0 1; }
    RoadmapScreen #roadmap-detail { height: auto; max-height: 8; padding: 0 1;
        border-top: solid $panel; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.view = "priorities"
        self.data: svc.RoadmapData | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="roadmap-head")
        yield VirtualTable([Column("0", "")], _cell, id="roadmap-table")
        yield Static("", id="roadmap-detail")

    def load(self) -> None:
        self.data = svc.load(self.app.ws)
        self._show()

    # -- views ---------------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.view = view
        self._show()

    def _table(self) -> tuple[list[str], list[Row]]:
        d = self.data
        assert d is not None
        if self.view in ("priorities", "quick"):
            _, headers, rows = rx.priorities_table(d, quick=self.view == "quick")
            refs = d.quick_wins if self.view == "quick" else d.priorities
            rows = [_fixed_decimals(v, PRIORITY_DECIMALS) for v in rows]
            return headers, [Row(v, r.product) for v, r in zip(rows, refs, strict=True)]
        if self.view == "bottlenecks":
            _, headers, rows = rx.bottlenecks_table(d)
            return headers, [Row(v, b) for v, b in zip(rows, d.bottlenecks, strict=True)]
        if self.view == "baseline":
            _, headers, rows = rx.baseline_table(d)
            return headers, [Row(v, p) for v, p in zip(rows, d.products_in_order(), strict=True)]
        if self.view == "scenarios":
            _, headers, rows = rx.scenario_comparison_table(d)
            return headers, [Row(v) for v in rows]
        if self.view == "plan":
            _, headers, rows = rx.plan_table(d)
            return headers, [Row(v, i) for v, i in zip(rows, d.plan_items, strict=True)]
        _, headers, rows = rx.corrections_table(d.corrections)
        return headers, [Row(v) for v in rows]

    def _show(self) -> None:
        if self.data is None:
            return
        title, note = VIEWS[self.view]
        headers, rows = self._table()
        head = Text()
        head.append(title, style="bold")
        head.append(f"  ({len(rows)})\n")
        head.append(note, style="dim italic")
        if self.view == "baseline":
            pr = self.data.progress
            head.append(
                f"\nSinds de nulmeting: via ELO aan te vragen en op te volgen {pr.on_elo_then} "
                f"-> {pr.on_elo_now}; bouwstenen in gebruik {pr.blocks_then} -> "
                f"{pr.blocks_now}; ELO-conform nu {pr.conform_now} "
                f"({pr.with_baseline} van {pr.products} producten met nulmeting, "
                f"{pr.confirmed} bevestigd)."
            )
        if self.view == "bottlenecks":
            counts = rm.bottleneck_counts(self.data.bottlenecks)
            head.append(
                "\nOpen: "
                + ", ".join(f"{rm.BOTTLENECK_KINDS[k].lower()} {n}" for k, n in counts.items())
            )
        self.query_one("#roadmap-head", Static).update(head)
        table = self.query_one(VirtualTable)
        fixed = _fixed(self.view)
        columns = [
            Column(
                str(i),
                h,
                width=fixed.get(i, 0),
                flex=3 if i in _wide(self.view) else 1,
                min_width=6,
            )
            for i, h in enumerate(headers)
        ]
        table.columns = columns
        table._layout_columns(table._content_width)  # the widget has no column setter
        table.set_rows(rows)
        table.focus()
        self._detail(table.current)

    @on(VirtualTable.Highlighted, "#roadmap-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._detail(event.row)

    def _detail(self, row: Row | None) -> None:
        panel = self.query_one("#roadmap-detail", Static)
        if row is None or self.data is None:
            panel.update("")
            return
        ref = row.ref
        text = Text()
        if isinstance(ref, Product):
            text.append(ref.name, style="bold")
            text.append(f"  {codelists.ON_ELO.get(ref.on_elo, ref.on_elo)}\n")
            for line in ref.to_check[:4]:
                text.append(f"te controleren: {line}\n", style="yellow")
            if ref.ipdc_uri:
                text.append(f"IPDC: {ref.ipdc_uri}\n", style="dim")
        elif isinstance(ref, Bottleneck):
            text.append(ref.description, style="bold")
            if ref.note:
                text.append(f"\n{ref.note}")
        else:
            text.append(" · ".join(str(v) for v in row.values if v not in ("", None)))
        panel.update(text)

    def _current(self) -> Any:
        row = self.query_one(VirtualTable).current
        return row.ref if row is not None else None

    # -- actions ---------------------------------------------------------------------------

    def action_add(self) -> None:
        if self.view == "plan":
            if not self.data or not self.data.scenarios:
                self.notify("Maak eerst een scenario (toets s, dan a).", markup=False)
                return
            self.app.push_screen(PlanItemForm(self.data, None), self._after)
        elif self.view == "scenarios" and self.data is not None:  # loaded on mount
            self.app.push_screen(ScenarioForm(self.data), self._after)
        else:
            self.view = "bottlenecks"
            self._show()
            self.app.push_screen(BottleneckForm(None, self.data), self._after)

    def action_edit(self) -> None:
        ref = self._current()
        if isinstance(ref, PlanItem):
            assert self.data is not None  # a plan row is shown only once the data is loaded
            self.app.push_screen(PlanItemForm(self.data, ref), self._after)
        elif isinstance(ref, Bottleneck):
            self.app.push_screen(BottleneckForm(ref, self.data), self._after)
        elif isinstance(ref, Product) and self.view == "baseline":
            baseline = svc.baseline_of(self.app.ws, ref.id)
            if baseline is not None and baseline.confirmed:
                self.notify(
                    "Deze nulmeting is bevestigd en kan niet meer gewijzigd worden.",
                    severity="warning",
                    markup=False,
                )
                return
            self.app.push_screen(BaselineForm(ref, baseline), self._after)
        elif isinstance(ref, Product):
            self.app.push_screen(BottleneckForm(None, self.data, product=ref), self._after)

    @on(VirtualTable.Selected, "#roadmap-table")
    def _selected(self) -> None:
        self.action_edit()

    def _after(self, result: Any) -> None:
        if result is not None:
            self.saved()
            self.load()

    def action_confirm_baseline(self) -> None:
        from elo_tui.screens.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                n = svc.confirm_baselines(self.app.ws)
                self.notify(f"{plural(n, 'nulmeting', 'nulmetingen')} bevestigd.", markup=False)
                self._after(n)

        self.app.push_screen(
            ConfirmScreen(
                Text("Alle nulmetingen bevestigen? Daarna zijn ze alleen-lezen."), "Bevestigen"
            ),
            done,
        )

    def action_import_baseline(self) -> None:
        self.app.push_screen(
            PathForm(
                "Nulmeting inlezen",
                "CSV of XLSX met de kolommen Product (of IPDC-productnummer), Op ELO en "
                "Bouwstenen in gebruik",
                "",
            ),
            self._import_baseline,
        )

    def _import_baseline(self, path: str | None) -> None:
        if not path:
            return
        from elo_tui.io.tabular import TabularError

        try:
            result = svc.import_baseline(self.app.ws, path)
        except (TabularError, svc.RoadmapError) as exc:
            self.notify(str(exc), title="Nulmeting", severity="error", markup=False)
            return
        problems = "\n".join(result.problems[:8])
        self.notify(
            f"Nulmeting ingelezen voor {plural(result.saved, 'product', 'producten')}."
            + (f"\nNiet ingelezen:\n{problems}" if problems else ""),
            title="Nulmeting",
            severity="warning" if result.problems else "information",
            timeout=12,
            markup=False,
        )
        self.view = "baseline"
        self._after(result)

    def action_choose(self) -> None:
        if self.data is None or not self.data.scenarios:
            self.notify("Nog geen scenario's: maak er een met 'a' (in Scenario's).", markup=False)
            return
        self.app.push_screen(ChooseScenarioForm(self.data), self._chosen)

    def _chosen(self, result: tuple[str, int] | None) -> None:
        if result is None:
            return
        name, moved = result
        self.notify(
            f"'{name}' gekozen voor de indiening; "
            f"{plural(moved, 'kostenlijn', 'kostenlijnen')} naar het "
            "begrotingsjaar van hun kwartaal verschoven.",
            markup=False,
        )
        self._after(result)

    def action_import_ipdc(self) -> None:
        self.app.push_screen(
            PathForm("IPDC importeren", "JSON-LD-bestand uit IPDC (pad)", ""), self._import
        )

    def _import(self, path: str | None) -> None:
        if path:
            run_ipdc_import(self.app, path)

    def action_export(self) -> None:
        default = "ipdc-correcties.xlsx" if self.view == "corrections" else "roadmap.xlsx"
        self.app.push_screen(
            PathForm("Exporteren", "Bestand (.xlsx, .csv of .md)", default), self._export
        )

    def _export(self, path: str | None) -> None:
        if not path or self.data is None:
            return
        tables = (
            [rx.corrections_table(self.data.corrections)]
            if self.view == "corrections"
            else rx.roadmap_tables(self.data)
        )
        try:
            files = rx.write(tables, path, rx.format_of(path, None), notes=rx.NOTES)
        except OSError as exc:
            self.notify(
                f"Kan '{path}' niet schrijven: {exc.strerror}.", severity="error", markup=False
            )
            return
        self.notify(f"Geschreven: {', '.join(map(str, files))}", markup=False)


def run_ipdc_import(app: Any, path: str) -> None:
    """Import an IPDC JSON-LD file in a worker thread (its own connection) and say what
    happened; the screens reload afterwards. Used by the Roadmap ('i'), the palette and
    the import wizard (which hands a JSON file over)."""

    def job() -> None:
        from elo_tui.io.ipdc_jsonld import IpdcError
        from elo_tui.services import ipdc_import as ii

        ws = app.ws.writer()  # a worker never uses the app's connection
        try:
            plan = ii.import_file(ws, path)
        except IpdcError as exc:
            app.call_from_thread(app.notify, str(exc), title="IPDC", severity="error", markup=False)
            return
        finally:
            ws.close()
        lines = "\n".join(plan.report_lines()[:8])
        app.call_from_thread(
            app.notify, f"{plan.summary()}.\n{lines}", title="IPDC", timeout=12, markup=False
        )
        app.call_from_thread(_reload_after_import, app)

    app.run_worker(job, thread=True, group="ipdc", exit_on_error=False)


def _reload_after_import(app: Any) -> None:
    app.data_changed()
    screen = app.screen
    if isinstance(screen, AreaScreen) and screen.is_current:
        screen._reload()


def import_from_wizard(wizard: Any, path: Any) -> bool:
    """The import wizard's hook: a JSON file is IPDC JSON-LD, not a table; close the
    wizard and import it here. False when the file is not JSON (the wizard goes on)."""
    from elo_tui.io.ipdc_jsonld import looks_like_json

    if not looks_like_json(path):
        return False
    app = wizard.app
    wizard.dismiss(None)
    run_ipdc_import(app, str(path))
    return True


# Impact and remaining days with one decimal, the priority with two: a column of figures
# reads evenly ("70,0" next to "66,1", not "70").
PRIORITY_DECIMALS = {3: 1, 4: 1, 5: 2}


def _fixed_decimals(values: list[Any], decimals: dict[int, int]) -> list[Any]:
    return [
        format_number(v, decimals[i])
        if i in decimals and isinstance(v, int | float) and not isinstance(v, bool)
        else v
        for i, v in enumerate(values)
    ]


def _cell(row: Row, key: str) -> str:
    i = int(key)
    value = row.values[i] if i < len(row.values) else ""
    # The tables hold plain values (for CSV/XLSX); on screen they read the Belgian way.
    return format_cell(value)


def _fixed(view: str) -> dict[int, int]:
    return {
        # Remaining days read "21.3 + onbekend": wide enough never to cut the figure.
        "priorities": {0: 5, 1: 10, 3: 6, 4: 15, 5: 10},
        "quick": {0: 5, 1: 10, 3: 6, 4: 15, 5: 10},
        "bottlenecks": {0: 9},
        "scenarios": {0: 30},
        "plan": {1: 11, 4: 12, 5: 14},
    }.get(view, {})


def _wide(view: str) -> set[int]:
    return {
        "priorities": {2, 8},
        "quick": {2, 8},
        "bottlenecks": {2, 4},
        "baseline": {1, 3, 5},
        "corrections": {1, 6},
        "plan": {0, 2, 3},
    }.get(view, set())


# -- forms ------------------------------------------------------------------------------------


class PathForm(FormScreen):
    def __init__(self, title: str, label: str, default: str) -> None:
        super().__init__()
        self.TITLE_TEXT = title
        self.label, self.default = label, default

    def compose_fields(self) -> ComposeResult:
        yield from self.field("path", self.label, Input(self.default))

    def values(self) -> dict[str, Any]:
        return {"path": self.value("path").strip()}

    def submit(self, values: dict[str, Any]) -> Any:
        return values["path"] or {"path": "Geef een bestand op."}


def _scope_options(data: svc.RoadmapData | None) -> list[tuple[str, str]]:
    out = [("Entiteit (algemeen)", "agency:")]
    if data is not None:
        out += [(f"Toepassing: {a.name}", f"application:{a.id}") for a in data.applications]
        out += [(f"Product: {p.name}", f"product:{p.id}") for p in data.products]
    return out


class BottleneckForm(FormScreen):
    def __init__(
        self,
        bottleneck: Bottleneck | None,
        data: svc.RoadmapData | None,
        product: Product | None = None,
    ) -> None:
        super().__init__()
        self.bottleneck = bottleneck
        self.data = data
        self.product = product
        self.TITLE_TEXT = "Knelpunt bewerken" if bottleneck else "Nieuw knelpunt"

    def compose_fields(self) -> ComposeResult:
        b = self.bottleneck or Bottleneck(
            scope_kind="product" if self.product else "agency",
            scope_id=self.product.id if self.product else "",
        )
        yield from self.field("description", "Knelpunt *", TextArea(b.description))
        yield from self.field(
            "bottleneck_kind",
            "Soort",
            Select(
                [(v, k) for k, v in rm.BOTTLENECK_KINDS.items()],
                allow_blank=False,
                value=b.bottleneck_kind,
            ),
        )
        options = _scope_options(self.data)
        scope = f"{b.scope_kind}:{b.scope_id}"
        yield from self.field(
            "scope",
            "Voor",
            Select(
                options,
                allow_blank=False,
                value=scope if scope in {v for _, v in options} else "agency:",
            ),
        )
        yield from self.field(
            "block",
            "Bouwsteen",
            Select([(block_label(c), c) for c in BLOCK_CODES], value=b.block or Select.NULL),
        )
        yield from self.field("owner", "Eigenaar", Input(b.owner))
        yield from self.field(
            "status",
            "Status",
            Select(
                [(v, k) for k, v in rm.BOTTLENECK_STATUSES.items()],
                allow_blank=False,
                value=b.status,
            ),
        )
        yield from self.field("note", "Notitie", TextArea(b.note))

    def values(self) -> dict[str, Any]:
        scope_kind, _, scope_id = str(self.value("scope")).partition(":")
        return {
            "description": self.value("description"),
            "bottleneck_kind": self.value("bottleneck_kind"),
            "scope_kind": scope_kind,
            "scope_id": scope_id,
            "block": self.value("block"),
            "owner": self.value("owner"),
            "status": self.value("status"),
            "note": self.value("note"),
        }

    def submit(self, values: dict[str, Any]) -> Any:
        errors, _ = rm.validate_bottleneck(values, _ids(self.data))
        if errors:
            return {("scope" if k == "scope_id" else k): v for k, v in errors.items()}
        try:
            return svc.save_bottleneck(self.app.ws, values, self.bottleneck)
        except svc.RoadmapError as exc:
            return {"description": str(exc)}


def _ids(data: svc.RoadmapData | None) -> dict[str, set[str]]:
    if data is None:
        return {}
    return {
        "product": {p.id for p in data.products},
        "application": {a.id for a in data.applications},
    }


class BaselineForm(FormScreen):
    def __init__(self, product: Product, baseline: Baseline | None) -> None:
        super().__init__()
        self.product = product
        self.baseline = baseline
        self.TITLE_TEXT = f"Nulmeting (1 april 2025): {product.name}"

    def compose_fields(self) -> ComposeResult:
        from textual.widgets import SelectionList

        b = self.baseline or Baseline(product_id=self.product.id)
        yield from self.field(
            "on_elo",
            "Op ELO op 1 april 2025",
            Select(
                [(v, k) for k, v in codelists.ON_ELO.items()], allow_blank=False, value=b.on_elo
            ),
        )
        yield from self.field(
            "blocks_in_use",
            "Bouwstenen in gebruik op 1 april 2025",
            SelectionList(*[(block_label(c), c, c in b.blocks_in_use) for c in BLOCK_CODES]),
        )
        yield from self.field("note", "Notitie", TextArea(b.note))

    def values(self) -> dict[str, Any]:
        return {k: self.value(k) for k in ("on_elo", "blocks_in_use", "note")}

    def submit(self, values: dict[str, Any]) -> Any:
        try:
            return svc.set_baseline(self.app.ws, self.product, values)
        except svc.RoadmapError as exc:
            return {"on_elo": str(exc)}


class ScenarioForm(FormScreen):
    TITLE_TEXT = "Nieuw planscenario"

    def __init__(self, data: svc.RoadmapData) -> None:
        super().__init__()
        self.data = data

    def compose_fields(self) -> ComposeResult:
        yield from self.field("name", "Naam * (bv. 'alles in 2026' of 'gespreid')", Input())
        options = [("(leeg beginnen)", "")]
        if self.data is not None:
            options += [(s.scenario.name, s.scenario.id) for s in self.data.scenarios]
        yield from self.field("copy_of", "Kopie van", Select(options, allow_blank=False, value=""))
        yield from self.field(
            "quarter",
            "Plan elke nog open bouwsteen in kwartaal (leeg = niet)",
            Input(placeholder="2026-Q4"),
        )

    def values(self) -> dict[str, Any]:
        return {k: self.value(k) for k in ("name", "copy_of", "quarter")}

    def submit(self, values: dict[str, Any]) -> Any:
        ws = self.app.ws
        quarter = values["quarter"].strip()
        if quarter and rm.parse_quarter(quarter) is None:
            return {"quarter": f"'{quarter}' is geen kwartaal (bv. 2026-Q3)."}
        source = None
        if values["copy_of"]:
            source = next(
                (s.scenario for s in self.data.scenarios if s.scenario.id == values["copy_of"]),
                None,
            )
        try:
            scenario = svc.create_scenario(ws, values["name"], copy_of=source)
        except svc.RoadmapError as exc:
            return {"name": str(exc)}
        if quarter:
            svc.plan_open_blocks(ws, scenario, quarter)
        return scenario


class PlanItemForm(FormScreen):
    """Plan one block of an application or product in a quarter of a scenario."""

    def __init__(self, data: svc.RoadmapData, item: PlanItem | None) -> None:
        super().__init__()
        self.data = data
        self.item = item
        self.TITLE_TEXT = "Planning wijzigen" if item else "Bouwsteen plannen"

    def compose_fields(self) -> ComposeResult:
        i = self.item
        scenarios = [(s.scenario.name, s.scenario.id) for s in self.data.scenarios]
        chosen = next((s.scenario.id for s in self.data.scenarios if s.scenario.chosen), None)
        yield from self.field(
            "scenario",
            "Scenario",
            Select(
                scenarios,
                allow_blank=False,
                value=i.scenario_id if i else chosen or scenarios[0][1],
            ),
        )
        scopes = [o for o in _scope_options(self.data) if not o[1].startswith("agency")]
        yield from self.field(
            "scope",
            "Toepassing of product",
            Select(scopes, value=f"{i.scope_kind}:{i.scope_id}" if i else Select.NULL),
        )
        yield from self.field(
            "block",
            "Bouwsteen",
            Select([(block_label(c), c) for c in BLOCK_CODES], value=i.block if i else Select.NULL),
        )
        yield from self.field(
            "quarter",
            "In productie in kwartaal (bv. 2026-Q4)",
            Input(i.quarter if i else "", placeholder="2026-Q4"),
        )

    def values(self) -> dict[str, Any]:
        return {k: self.value(k) for k in ("scenario", "scope", "block", "quarter")}

    def submit(self, values: dict[str, Any]) -> Any:
        scope_kind, _, scope_id = str(values["scope"]).partition(":")
        scenario = next(
            (s.scenario for s in self.data.scenarios if s.scenario.id == values["scenario"]),
            None,
        )
        if scenario is None:
            return {"scenario": "Kies een scenario."}
        errors, _ = rm.validate_plan_item(
            {
                "scope_kind": scope_kind,
                "scope_id": scope_id,
                "block": values["block"],
                "quarter": values["quarter"],
            },
            _ids(self.data),
            BLOCK_CODES,
        )
        if errors:
            return {
                ("scope" if k in ("scope_id", "scope_kind") else k): v for k, v in errors.items()
            }
        if self.item is not None and (
            self.item.scenario_id,
            self.item.scope_kind,
            self.item.scope_id,
            self.item.block,
        ) != (scenario.id, scope_kind, scope_id, values["block"]):
            self.app.ws.delete(PlanItem, self.item.id)  # moved to another scope or block
        try:
            return svc.plan_block(
                self.app.ws, scenario, scope_kind, scope_id, values["block"], values["quarter"]
            )
        except svc.RoadmapError as exc:
            return {"quarter": str(exc)}


class ChooseScenarioForm(FormScreen):
    TITLE_TEXT = "Scenario kiezen voor de indiening"

    def __init__(self, data: svc.RoadmapData) -> None:
        super().__init__()
        self.data = data

    def compose_fields(self) -> ComposeResult:
        options = [(s.scenario.name, s.scenario.id) for s in self.data.scenarios]
        current = next((s.scenario.id for s in self.data.scenarios if s.scenario.chosen), None)
        yield from self.field(
            "scenario",
            "Scenario (de kostenlijnen volgen het plan naar de begrotingsjaren)",
            Select(options, allow_blank=False, value=current or options[0][1]),
        )

    def values(self) -> dict[str, Any]:
        return {"scenario": self.value("scenario")}

    def submit(self, values: dict[str, Any]) -> Any:
        scenario = next(
            s.scenario for s in self.data.scenarios if s.scenario.id == values["scenario"]
        )
        return scenario.name, svc.choose_scenario(self.app.ws, scenario)


# -- the command palette ---------------------------------------------------------------------


def roadmap_commands(app: Any) -> Iterable[SystemCommand]:
    """The Roadmap's actions in the command palette (from app.get_system_commands)."""

    def run(action: str):
        def go() -> None:
            app.action_goto("roadmap")
            app.call_after_refresh(lambda: app.screen.run_action(action))

        return go

    for action, title, help_text in (
        ("view('priorities')", "Roadmap: prioriteiten", "Prioriteitenlijst (impact en inspanning)"),
        ("view('quick')", "Roadmap: snel resultaat", "Wat het snelst conform kan"),
        ("view('bottlenecks')", "Roadmap: knelpunten", "Knelpunten per product en bouwsteen"),
        ("view('baseline')", "Roadmap: nulmeting", "Toestand op 1 april 2025 en voortgang"),
        ("import_baseline", "Nulmeting inlezen", "Nulmeting uit CSV of XLSX"),
        ("view('scenarios')", "Roadmap: scenario's", "Planscenario's naast elkaar"),
        ("view('plan')", "Roadmap: planning", "Kwartaal per bouwsteen, toepassing en product"),
        ("view('corrections')", "Roadmap: IPDC-correcties", "Wat fout of onvolledig is in IPDC"),
        ("add", "Knelpunt toevoegen", "Een nieuw knelpunt in de roadmap"),
        ("choose", "Scenario kiezen", "Het planscenario voor de indiening"),
        ("import_ipdc", "IPDC importeren", "Producten uit IPDC (JSON-LD) inlezen"),
        ("export", "Roadmap exporteren", "Roadmap of IPDC-correcties als XLSX, CSV of Markdown"),
    ):
        yield SystemCommand(title, help_text, run(action))
