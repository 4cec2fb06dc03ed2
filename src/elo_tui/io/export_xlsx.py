"""A submission as an XLSX workbook for finance people.

Sheets: Samenvatting, Cofinanciering, Producten, Bouwstenen, Raming, Checklist,
Uitzonderingen. Labels and ids side by side (a reader sees names, a tool can join on ids),
amounts as numbers in a EUR format, days with one decimal, dates as dates, header rows bold
and frozen, sensible column
widths. Values only, no formulas, so every total shows in any viewer; text starting with
'=' stays text. Written with `xlsx_writer` (see there why not openpyxl).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, count, repeat
from operator import add, itemgetter, mul
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, Any, TypeVar

from elo_tui.domain import codelists
from elo_tui.domain import estimate as est
from elo_tui.domain.completeness import APPLICABILITY, STAGES
from elo_tui.domain.submission import CHECKLIST_STATUSES, NAME_FIELDS, field_rows, scope_names
from elo_tui.io.page_spool import SortedSpool
from elo_tui.io.xlsx_writer import BOLD, DATE, DAYS, EUR, PLAIN, Later, Sheet, save

if TYPE_CHECKING:
    from elo_tui.store import Workspace

SHEETS = (
    "Samenvatting",
    "Cofinanciering",
    "Producten",
    "Bouwstenen",
    "Raming",
    "Checklist",
    "Uitzonderingen",
)
P, E, D, T = PLAIN, EUR, DAYS, DATE  # short names for the per-column style rows
_T = TypeVar("_T")


def _date(value: str) -> date | str:
    try:
        return date.fromisoformat(value) if value else ""
    except ValueError:
        return value  # shown as typed rather than lost


def write(document: dict[str, Any], path: Path | str) -> None:
    names = scope_names(document)
    # The long sheets are built one at a time, when their turn comes, and dropped once
    # written (all held at once: ~110 MB more at 20,000 products).
    sheets: list[Sheet | Later] = [
        _summary(document),
        _cofinancing(document),
        Later("Producten", lambda: _products(document, names)),
        Later("Bouwstenen", lambda: _blocks(document, names)),
        Later("Raming", lambda: _estimate(document, names)),
        Later("Checklist", lambda: _checklist(document, names)),
        _decisions(document, names),
    ]
    agency = document.get("agency", {}).get("name", "")
    version = document.get("submission", {}).get("version", "")
    save(sheets, path, title=f"Indiening cofinanciering {agency} v{version}")


def _scope(kind: str, scope_id: str, names: dict[str, str]) -> list[str]:
    if kind == "agency":
        return [est.SCOPE_KINDS["agency"], "(entiteitsbreed)", ""]
    return [est.SCOPE_KINDS.get(kind, kind), names.get(scope_id, "(verwijderd)"), scope_id]


class _Memo(dict[Any, Any]):
    """`memo[x]` is `f(x)`, computed once per distinct x (a sheet of a large agency has
    ~50,000 rows over a few thousand scopes, a few blocks and dates)."""

    def __init__(self, f: Callable[[Any], Any]) -> None:
        super().__init__()
        self.f = f

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.f(key)
        return value


def _folded(names: dict[str, str]) -> Callable[[str], str]:
    """A scope id's name as the sheets sort it. (Casefolded per row: a casefolded copy of
    every name and a memo of every scope's cells were ~2.6 MB of the workbook's peak at
    20,000 products, for ~40 ms; RESULTS.md, round 14.)"""
    return lambda scope_id: names.get(scope_id, "").casefold()


def _sorted(records: Sequence[_T], keys: list[tuple[Any, ...]]) -> list[_T]:
    """`records` ordered by `keys` (one tuple per record), stably: the order
    `sorted(records, key=...)` gives. (Comparing ~50,000 tuples of long texts is slow:
    each key column's distinct values are sorted once instead, and the records by one
    integer built from their ranks.)"""
    order = range(len(keys))
    try:
        ranked = [0] * len(keys)
        for column in zip(*keys, strict=True):
            distinct = sorted(set(column))
            rank = dict(zip(distinct, count()))
            ranked = list(
                map(add, map(mul, ranked, repeat(len(distinct))), map(rank.__getitem__, column))
            )
    except TypeError:  # values that do not order with each other: as sorted does it
        return list(map(records.__getitem__, sorted(order, key=keys.__getitem__)))
    return list(map(records.__getitem__, sorted(order, key=ranked.__getitem__)))


class _SortedRows:
    """`rows` (tuples of plain values) in the order `sorted(rows, key=key)` gives,
    without holding them all: a SortedSpool of runs of _RUN rows, each sorted by the
    ranks of its keys (`_sorted`). Readable more than once. (The long sheets held all
    their rows sorted: ~20 MB at 20,000 products.)"""

    def __init__(self, rows: Iterable[tuple], key: Callable[[tuple], tuple]) -> None:
        def by_rank(run: list[tuple]) -> list[tuple]:
            return _sorted(run, list(map(key, run)))

        self._rows: SortedSpool[tuple] = SortedSpool(key, sort=by_rank, run=_RUN, read=_READ)
        self._rows.extend(rows)

    @classmethod
    def joined(
        cls,
        rows: Callable[[], Iterable[tuple]],
        runs: Callable[[], list[Iterable[dict[str, Any]]]],
        id_key: str,
        keys: tuple[str, ...],
        key: Callable[[tuple], tuple],
        *,
        missing: tuple | None = None,
    ) -> _SortedRows:
        """Each of `rows` (its id first) with the values of `keys` of the item of the
        same id (`missing`, else None each, when there is none; the last one when there
        are more), sorted by `key`. The rows and each run of items (`runs()`: a
        section's figures, kept by id) come in id order, as a content holds them: they
        are joined as they are read. Out of order (a content made otherwise), they are
        read again and joined by an index of the items (the figures of 34,000 lines
        were ~11 MB of the workbook's peak at 20,000 products)."""
        missing = (None,) * len(keys) if missing is None else missing
        try:
            return cls(_merge_join(rows(), runs(), id_key, keys, missing), key)
        except _Unordered:
            index = _by_id(chain.from_iterable(runs()), id_key, keys)
            return cls((r + index.get(r[0], missing) for r in rows()), key)

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._rows)


class _Unordered(Exception):
    """Rows or items to join are not in id order."""


def _ascending(items: Iterable[dict[str, Any]], id_key: str) -> Iterator[dict[str, Any]]:
    last = None
    for d in items:
        item_id = d[id_key]
        if type(item_id) is not str or (last is not None and item_id < last):
            raise _Unordered
        last = item_id
        yield d


def _merge_join(
    rows: Iterable[tuple],
    runs: list[Iterable[dict[str, Any]]],
    id_key: str,
    keys: tuple[str, ...],
    missing: tuple,
) -> Iterator[tuple]:
    """`_SortedRows.joined`'s join of rows and items both in id order (_Unordered if not)."""
    items = heapq.merge(*(_ascending(run, id_key) for run in runs), key=itemgetter(id_key))
    item = next(items, None)
    last = None
    for r in rows:
        row_id = r[0]
        if type(row_id) is not str or (last is not None and row_id <= last):
            raise _Unordered
        last = row_id
        while item is not None and item[id_key] < row_id:
            item = next(items, None)
        found = None
        while item is not None and item[id_key] == row_id:  # (the last of equal ids counts)
            found, item = item, next(items, None)
        yield r + (missing if found is None else tuple([found.get(k) for k in keys]))


# Rows of a long sheet sorted in memory at a time, and of each run read back at a time
# while merging (~50 runs of the 47,000 statuses at 20,000 products). With 4,096 and 64,
# a run of the checklist's groups being sorted was ~5.7 MB of the workbook's peak, which
# was the export's: 1,024 and 16 took it ~3.5 MiB lower (bench/RESULTS.md, round 17).
_RUN = 1024
_READ = 16


def _summary(doc: dict[str, Any]) -> Sheet:
    s = Sheet("Samenvatting", widths=[36, 18, 18, 18, 18, 18, 18, 22, 22, 18, 18, 18, 22])
    meta = doc.get("submission", {})
    agency = doc.get("agency", {})
    e = doc.get("estimate", {})
    s.append(["Indiening cofinanciering – e-loketondernemers"], bold=True)
    s.append([])
    for label, value in (
        ("Entiteit (agentschap of departement)", agency.get("name", "")),
        ("OVO-code", agency.get("ovo_code", "")),
        ("Contactpersoon", agency.get("contact_name", "")),
        ("E-mail", agency.get("contact_email", "")),
        ("Telefoon", agency.get("contact_phone", "")),
        ("Versie", meta.get("version", "")),
        ("Aangemaakt op (UTC)", meta.get("created_at", "")),
        ("Door", meta.get("author", "")),
        ("SHA-256", doc.get("sha256", "")),
        ("Toelichting", agency.get("justification", "")),
    ):
        s.append([label, value], [BOLD])
    s.append([])
    s.append(["Kerncijfer", "Bedrag"], bold=True)
    for label, key in (
        ("Verwachte kost (PERT-gemiddelde)", "mean"),
        ("Raming P50 (budget)", "p50"),
        ("Raming P80 (plafond)", "p80"),
        ("Reserve (P80 − P50)", "contingency"),
        ("Gevraagde cofinanciering", "requested_total"),
        ("Eigen bijdrage", "own_contribution_total"),
    ):
        s.append([label, float(e.get(key, 0.0))], [P, E])
    s.append([])
    s.append(
        [
            "Begrotingsjaar",
            "Verwachte kost",
            "P50",
            "P80",
            "Reserve",
            "Eenmalig",
            "Terugkerend",
            "Gevraagd door agentschap",
            "Gevraagde cofinanciering",
            "Eigen bijdrage",
            "Eigen budget",
            "Tekort eigen budget",
            "Enveloppe (alle entiteiten)",
        ],
        bold=True,
    )
    money = [P] + [E] * 12
    by_year = {r["year"]: r for r in e.get("by_year", [])}
    year_keys = ("mean", "p50", "p80", "contingency", "one_off", "recurring")
    cofin_keys = ("asked", "requested", "own_contribution", "own_budget", "shortfall", "envelope")
    totals = dict.fromkeys(("mean", "one_off", "recurring", *cofin_keys), 0.0)
    for r in e.get("cofinancing", []):
        y = by_year.get(r["year"], {})
        values: list[Any] = [est.YEAR_LABELS.get(r["year"], r["year"])]
        values += [float(y.get(k, 0.0)) for k in year_keys]
        values += [float(r.get(k, 0.0)) for k in cofin_keys]
        s.append(values, money)
        for k in ("mean", "one_off", "recurring"):
            totals[k] += float(y.get(k, 0.0))
        for k in cofin_keys:
            totals[k] += float(r.get(k, 0.0))
    s.append(
        [
            "Totaal (P50, P80 en eigen bijdrage: portefeuille)",
            totals["mean"],
            float(e.get("p50", 0.0)),
            float(e.get("p80", 0.0)),
            float(e.get("contingency", 0.0)),
            totals["one_off"],
            totals["recurring"],
            # The own contribution is the portfolio P50 minus the request, as in the
            # key figures: the years' P50s do not add up to the portfolio P50.
            *(
                float(e.get("own_contribution_total", 0.0))
                if k == "own_contribution"
                else totals[k]
                for k in cofin_keys
            ),
        ],
        money,
        bold=True,
    )
    tables = (
        (
            ["Bouwsteen", "Code", "Verwachte kost"],
            [
                (b.get("label", ""), b.get("block", ""), b.get("mean", 0.0))
                for b in e.get("by_block", [])
            ],
        ),
        (
            ["Categorie", "Code", "Verwachte kost"],
            [
                (c.get("label", ""), c.get("category", ""), c.get("mean", 0.0))
                for c in e.get("by_category", [])
            ],
        ),
        (
            ["Toepassing", "Toepassing-id", "Verwachte kost"],
            [
                (a.get("name", ""), a.get("application_id", ""), a.get("mean", 0.0))
                for a in sorted(e.get("by_application", []), key=lambda a: -a.get("mean", 0.0))
            ],
        ),
    )
    for header, rows in tables:
        s.append([])
        s.append(header, bold=True)
        for label, code, mean in rows:
            s.append([label, code, float(mean)], [P, P, E])
    s.append([])
    s.append(
        [
            f"Methode: {e.get('method', '')}; {e.get('draws', '')} trekkingen, "
            f"zaad {e.get('seed', '')}. "
            "Gevraagde cofinanciering = gevraagd bedrag, begrensd tot de P50 van de kosten die "
            "in aanmerking komen in dat jaar (zie blad Cofinanciering)."
        ]
    )
    return s


def _cofinancing(doc: dict[str, Any]) -> Sheet:
    """What may be asked and on which conditions: envelope reading with quotes, budget
    articles, eligible vs not per year, the statements, the BVCO threshold and the
    applications left out (the content's "cofinancing" section)."""
    s = Sheet("Cofinanciering", widths=[44, 18, 18, 18, 60, 90])
    c = doc.get("cofinancing", {})
    s.append(["Cofinanciering – enveloppe, voorwaarden en drempel"], bold=True)
    if not c:
        s.append(["(deze indiening bevat nog geen cofinancieringsgegevens)"])
        return s
    env = c.get("envelope", {})
    s.append([])
    s.append(["Enveloppe (lezing toegepast)", env.get("reading", "")], [BOLD])
    for q in env.get("quotes", []):
        s.append([q.get("reference", ""), f"“{q.get('text', '')}”"])
    s.append([])
    s.append(["Bron", "Jaar", "Bedrag", "Status", "Begrotingsartikel", "Citaat"], bold=True)
    for e in env.get("lines", []):
        s.append(
            [
                e.get("source", ""),
                e.get("year", ""),
                float(e.get("amount", 0.0)),
                "vast"
                if e.get("in_firm_envelope")
                else "onder voorbehoud (niet in de vaste enveloppe)",
                e.get("article", ""),
                f"“{e.get('quote', '')}” ({e.get('reference', '')})",
            ],
            [P, P, E],
        )
    elig = c.get("eligibility", {})
    s.append([])
    s.append(["Kosten die in aanmerking komen", elig.get("rule", "")], [BOLD])
    s.append(["Citaat", f"“{elig.get('quote', '')}”"])
    s.append(["Criteria later", f"“{elig.get('criteria_later', '')}”"])
    s.append(
        [
            "Begrotingsjaar",
            "In aanmerking (verwacht)",
            "Niet in aanmerking (verwacht)",
            "In aanmerking P50 (plafond gevraagd)",
        ],
        bold=True,
    )
    for row in elig.get("by_year", []):
        s.append(
            [
                est.YEAR_LABELS.get(row.get("year", ""), row.get("year", "")),
                float(row.get("eligible_mean", 0.0)),
                float(row.get("not_eligible_mean", 0.0)),
                float(row.get("eligible_p50", 0.0)),
            ],
            [P, E, E, E],
        )
    s.append(
        [
            "Totaal",
            float(elig.get("eligible_total", 0.0)),
            float(elig.get("not_eligible_total", 0.0)),
        ],
        [P, E, E],
        bold=True,
    )
    s.append([])
    s.append(["Voorwaarde", "Verklaard", "", "", "Bron", "Citaat"], bold=True)
    for st in c.get("statements", []):
        s.append(
            [
                st.get("label", ""),
                "ja" if st.get("stated") else "nee – niet verklaard",
                "",
                "",
                st.get("reference", ""),
                f"“{st.get('quote', '')}”",
            ]
        )
    t = c.get("bvco_threshold", {})
    s.append([])
    s.append(
        [
            "Interventiedrempel BVCO",
            float(t["value"]) if t.get("known") and "value" in t else "onbekend",
        ],
        [BOLD, E],
    )
    s.append(["Gevraagde cofinanciering (totaal)", float(t.get("requested_total", 0.0))], [P, E])
    exceeded = t.get("exceeded")
    s.append(
        [
            "Boven de drempel?",
            "onbekend" if exceeded is None else ("ja: " + t.get("flag", "") if exceeded else "nee"),
        ]
    )
    s.append(["Citaat", f"“{t.get('quote', '')}”"])
    excluded = c.get("excluded_applications", [])
    s.append([])
    s.append(
        [
            "Buiten beschouwing in onderling overleg",
            "Verwachte kost (niet meegeteld)",
            "Lijnen",
            "",
            "Reden",
        ],
        bold=True,
    )
    for x in excluded:
        s.append(
            [
                x.get("name", ""),
                float(x.get("mean", 0.0)),
                x.get("lines", 0),
                "",
                x.get("reason", ""),
            ],
            [P, E],
        )
    if not excluded:
        s.append(["(geen)"])
    s.append(["Citaat", f"“{c.get('excluded_quote', '')}”"])
    s.append([])
    s.append(["Begrotingsartikelen"], bold=True)
    for a in c.get("budget_articles", []):
        s.append([a.get("source", ""), a.get("article", "")])
    forms = c.get("forms_tool_threshold", {})
    if forms:
        s.append([])
        s.append(["Drempel formulieren- en opvolgingstool", forms.get("value", "")], [BOLD])
        s.append(["", forms.get("assumption", "")])
    return s


def _products(doc: dict[str, Any], names: dict[str, str]) -> Sheet:
    s = Sheet(
        "Producten",
        widths=[38, 12, 40, 22, 24, 30, 26, 30, 38, 30, 38, 12, 22, 12, 16, 16, 16, 18, 18, 50],
        freeze_rows=1,
        freeze_cols=3,
    )
    s.append(
        [
            "Product-id",
            "IPDC-nummer",
            "Naam",
            "Type",
            "Type (code)",
            "Thema's",
            "Doelgroepen",
            "Toepassing aanvragen",
            "Toepassing aanvragen (id)",
            "Toepassing opvolgen",
            "Toepassing opvolgen (id)",
            "Jaarvolume",
            "Vandaag op ELO",
            "Op ELO (code)",
            "Kost eigen lijnen",
            "Aandeel toepassingen",
            "Totale kost",
            "Formulieren- en opvolgingstool (raming; drempel is een AANNAME)",
            "Verschil eigen − formulieren- en opvolgingstool",
            "IPDC-record (URI)",
        ],
        bold=True,
    )
    styles = [P] * 14 + [E] * 5 + [P]
    e = doc.get("estimate", {})
    forms = {r["product_id"]: r for r in e.get("forms_tool", {}).get("rows", [])}
    label, on_elo_labels = codelists.label_for, codelists.ON_ELO
    products = _SortedRows.joined(
        lambda: field_rows(doc.get("products", []), *_PRODUCT_FIELDS),
        lambda: [e.get("products", [])],
        "product_id",
        ("own", "shared", "total"),
        lambda p: (p[2].casefold(), p[0]),  # name, id
        missing=(0.0, 0.0, 0.0),
    )

    def row(values: tuple) -> list[Any]:
        pid, number, name, type_uri, themes, groups, req, fol, volume, on_elo, uri = values[:11]
        own, shared, total = values[11:]
        f = forms.get(pid)
        return [
            pid,
            number,
            name,
            label(type_uri) if type_uri else "",
            type_uri.rsplit("/", 1)[-1],
            ", ".join(label(t) for t in themes),
            ", ".join(label(t) for t in groups),
            names.get(req, "") if req else "",
            req,
            names.get(fol, "") if fol else "",
            fol,
            volume,
            on_elo_labels.get(on_elo, on_elo),
            on_elo,
            _amount(own),
            _amount(shared),
            _amount(total),
            float(f["forms_tool"]) if f else None,
            float(f["saving"]) if f else None,
            uri,
        ]

    s.append_later(map(row, products), len(products), 20, styles)
    return s


# (fields, defaults) of the records a sheet reads: field_rows
_PRODUCT_FIELDS: tuple[tuple[str, ...], tuple[Any, ...]] = (
    (
        "id",
        "ipdc_number",
        "name",
        "ipdc_type",
        "themes",
        "target_groups",
        "request_application_id",
        "followup_application_id",
        "yearly_volume",
        "on_elo",
        "ipdc_uri",
    ),
    (None, "", "", "", [], [], "", "", None, "", ""),
)
_STATUS_FIELDS: tuple[tuple[str, ...], tuple[Any, ...]] = (
    (
        "id",
        "scope_kind",
        "scope_id",
        "block",
        "applicability",
        "stage",
        "target_date",
        "reason",
        "evidence",
        "verified_central",
    ),
    (None, "", "", "", "", "", "", "", "", None),
)
_LINE_FIELDS: tuple[tuple[str, ...], tuple[Any, ...]] = (
    (
        "id",
        "scope_kind",
        "scope_id",
        "block",
        "description",
        "method",
        "optimistic_days",
        "likely_days",
        "pessimistic_days",
        "fixed_amount",
        "budget_year",
        "recurrence",
        "category",
        "assumed",
        "basis",
    ),
    (None, "", "", "", "", "", None, None, None, None, "", "", "", None, ""),
)
# What the sheets read of each record section (field_rows). A concept spools these
# values page by page as it reads the records (services/submission.HeldSection), so no
# record is held while the files are written.
SHEET_FIELDS: dict[str, tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...]] = {
    "products": (_PRODUCT_FIELDS, NAME_FIELDS),
    "block_statuses": (_STATUS_FIELDS,),
    "estimate_lines": (_LINE_FIELDS,),
}


# What the Raming sheet shows of a line's cost (the estimate section's "lines"), in order.
_LINE_COST_KEYS = (
    "rate",
    "low",
    "likely",
    "high",
    "mean",
    "sd",
    "eligible",
    "eligible_default",
    "excluded",
)
_MEAN, _EXCLUDED = _LINE_COST_KEYS.index("mean"), _LINE_COST_KEYS.index("excluded")


def _by_id(items: Iterable[dict[str, Any]], id_key: str, keys: tuple[str, ...]) -> dict:
    """id -> the values of `keys` (None where missing) of each item: an index of a long
    list that holds its values, not its dicts (~3x smaller: 34,000 line costs)."""
    return {d[id_key]: tuple([d.get(k) for k in keys]) for d in items}


def _amount(value: Any) -> float:
    """A money value of the estimate section as a number; a missing one as 0."""
    return 0.0 if value is None else float(value)


def _blocks(doc: dict[str, Any], names: dict[str, str]) -> Sheet:
    s = Sheet(
        "Bouwstenen",
        widths=[12, 36, 38, 40, 18, 20, 16, 26, 12, 14, 40, 30, 12, 38],
        freeze_rows=1,
        freeze_cols=2,
    )
    s.append(
        [
            "Scope",
            "Naam",
            "Scope-id",
            "Bouwsteen",
            "Bouwsteen (code)",
            "Toepasbaarheid",
            "Toepasbaarheid (code)",
            "Fase",
            "Fase (code)",
            "Streefdatum",
            "Motivering",
            "Bewijs",
            "Centraal gecontroleerd",
            "Status-id",
        ],
        bold=True,
    )
    styles = [P] * 9 + [T]
    folded = _folded(names)
    rows = _SortedRows(
        field_rows(doc.get("block_statuses", []), *_STATUS_FIELDS),
        lambda r: (r[1], folded(r[2]), r[3]),
    )
    block_labels, dates = _Memo(est.block_label), _Memo(_date)

    def row(values: tuple) -> list[Any]:
        sid, kind, scope_id, block, applicability, stage, day, reason, evidence, checked = values
        return [
            *_scope(kind, scope_id, names),
            block_labels[block],
            block,
            APPLICABILITY.get(applicability, applicability),
            applicability,
            STAGES.get(stage, stage),
            stage,
            dates[day],
            reason,
            evidence,
            "ja" if checked else "nee",
            sid,
        ]

    s.append_later(map(row, rows), len(rows), 14, styles)
    return s


def _estimate(doc: dict[str, Any], names: dict[str, str]) -> Sheet:
    s = Sheet(
        "Raming",
        widths=[
            38,
            12,
            34,
            38,
            36,
            18,
            44,
            22,
            12,
            12,
            12,
            14,
            14,
            14,
            14,
            14,
            16,
            14,
            14,
            20,
            18,
            12,
            10,
            16,
            16,
            14,
            60,
        ],
        freeze_rows=1,
        freeze_cols=3,
    )
    s.append(
        [
            "Lijn-id",
            "Scope",
            "Naam",
            "Scope-id",
            "Bouwsteen",
            "Bouwsteen (code)",
            "Omschrijving",
            "Methode",
            "Optimistisch (dagen)",
            "Meest waarschijnlijk (dagen)",
            "Pessimistisch (dagen)",
            "Dagtarief",
            "Vast bedrag",
            "Laag",
            "Meest waarschijnlijk",
            "Hoog",
            "Verwachte kost (PERT)",
            "Spreiding (sd)",
            "Begrotingsjaar",
            "Eenmalig/terugkerend",
            "Categorie",
            "Categorie (code)",
            "Aanname",
            "In aanmerking voor cofinanciering",
            "Standaardregel (AANNAME)",
            "Buiten beschouwing (niet meegeteld)",
            "Onderbouwing",
        ],
        bold=True,
    )
    styles = [P] * 8 + [D] * 3 + [E] * 7
    cost_list = doc.get("estimate", {}).get("lines", [])
    folded = _folded(names)
    at = len(_LINE_FIELDS[0])  # where a row's cost values start
    lines = _SortedRows.joined(
        lambda: field_rows(doc.get("estimate_lines", []), *_LINE_FIELDS),
        # (counted lines by id, then excluded ones by id: two runs)
        lambda: [
            (d for d in cost_list if not d.get("excluded")),
            (d for d in cost_list if d.get("excluded")),
        ],
        "line_id",
        _LINE_COST_KEYS,
        lambda r: (r[1], folded(r[2]), r[3], r[0]),
    )
    total = 0.0
    for r in lines:  # in the sheet's order: the sum its rows show
        if not r[at + _EXCLUDED]:
            total += _amount(r[at + _MEAN])
    block_labels = _Memo(est.block_label)

    def num(value: Any) -> float | None:
        return None if value is None else float(value)

    def row(r: tuple) -> list[Any]:
        lid, kind, scope_id, block, description, method = r[:6]
        low_days, likely_days, high_days, fixed, year, recurrence, category = r[6:13]
        assumed, basis = r[13:at]
        rate, low, likely, high, mean, sd, eligible, eligible_default, excluded = r[at:]
        return [
            lid,
            *_scope(kind, scope_id, names)[:2],
            scope_id,
            block_labels[block],
            block,
            description,
            est.METHODS.get(method, method),
            num(low_days),
            num(likely_days),
            num(high_days),
            num(rate),
            num(fixed),
            num(low),
            num(likely),
            num(high),
            _amount(mean),
            num(sd),
            est.YEAR_LABELS.get(year, year),
            est.RECURRENCES.get(recurrence, recurrence),
            est.CATEGORIES.get(category, category),
            category,
            "ja" if assumed else "nee",
            "ja" if eligible else "nee",
            "ja" if eligible_default else "nee",
            "ja" if excluded else "nee",
            basis,
        ]

    s.append_later(map(row, lines), len(lines), 27, styles)
    s.append(["Totaal", *([None] * 15), total], styles, bold=True)
    return s


def _checklist(doc: dict[str, Any], names: dict[str, str]) -> Sheet:
    """One row per scope and checklist: how many steps stand where, and what is next.

    Finance people need the state, not every step (a large agency has 10,000+ steps);
    the steps themselves are in the TOML and JSON exports and in the TUI.
    """
    s = Sheet(
        "Checklist",
        widths=[12, 34, 38, 34, 30, 10, 10, 10, 12, 10, 12, 12, 14, 50, 38],
        freeze_rows=1,
        freeze_cols=2,
    )
    s.append(
        [
            "Scope",
            "Naam",
            "Scope-id",
            "Bouwsteen",
            "Checklist",
            "Stappen",
            *(CHECKLIST_STATUSES[k] for k in CHECKLIST_STATUSES),
            "% afgerond",
            "Eerstvolgende vervaldatum",
            "Eerstvolgende open stap",
            "Bouwsteen (code)",
        ],
        bold=True,
    )
    items = doc.get("checklist_items", [])
    # A concept streamed from the store brings its groups, counted by the store
    # (Workspace.checklist_groups), and a stored version's, counted while it was read
    # (group_rows); both spooled.
    groups = getattr(items, "xlsx_groups", None)
    if groups is None:
        found: dict[tuple[str, str, str, str], list[Any]] = {}
        checklist_groups(items, found)
        groups = list(group_rows(found))
    styles = [P] * 12 + [T]
    folded = _folded(names)
    ordered = _SortedRows(groups, lambda g: (g[0], folded(g[1]), g[2], g[3]))
    block_labels = _Memo(lambda block: est.block_label(block) if block else "")
    dates = _Memo(_date)
    done, na = 4 + _STATUS_SLOT["done"], 4 + _STATUS_SLOT["na"]  # (after the 4 of the key)

    def row(group: tuple) -> list[Any]:
        kind, scope_id, block, template, total = group[:5]
        pending = group[-1]
        applicable = total - group[na]
        due = "" if pending is None or pending[0] == NO_DUE else pending[0]
        return [
            *_scope(kind, scope_id, names),
            block_labels[block],
            template,
            total,
            *group[5:-1],
            round(100 * group[done] / applicable) if applicable else None,
            dates[due],
            pending[2] if pending else "",
            block,
        ]

    s.append_later(map(row, ordered), len(ordered), 15, styles)
    return s


def group_rows(groups: dict[tuple[str, str, str, str], list[Any]]) -> Iterator[tuple]:
    """The groups `checklist_groups` counted, one flat tuple each, in the order first seen:
    (scope kind, scope id, block, checklist, step count, a count per status, first
    pending step or None). Plain values: a concept spools them (40,000 groups of a
    large agency were ~11 MB held from its reading to its workbook)."""
    for key, entry in groups.items():
        yield (*key, *entry)


# A step is pending unless one of these; a pending step without a due date sorts last.
FINISHED = ("done", "na")
NO_DUE = "9999-12-31"


def stored_checklist_groups(ws: Workspace) -> Iterator[tuple]:
    """`group_rows` of `checklist_groups` of the workspace's live steps read by id, counted
    by the store in SQL (`Workspace.checklist_groups`: the same rule, given from here)."""
    return ws.checklist_groups(tuple(CHECKLIST_STATUSES), finished=FINISHED, no_due=NO_DUE)


# A group's entry: [step count, one count per status of CHECKLIST_STATUSES (in its order;
# another status counts in the steps only), first pending step or None].
_STATUS_SLOT = {status: i for i, status in enumerate(CHECKLIST_STATUSES, 1)}
_PENDING = len(CHECKLIST_STATUSES) + 1


def checklist_groups(
    items: Iterable[dict[str, Any]], groups: dict[tuple[str, str, str, str], list[Any]]
) -> None:
    """Add `items` (checklist steps) to `groups`: per (scope kind, scope id, block,
    checklist), in the order first seen, [step count, a count per status of
    CHECKLIST_STATUSES, first pending step as (due date or "9999-12-31", step, title) or
    None]. Obsolete steps are left out. Feeding the steps in several calls gives what one
    call with all gives. (A flat list per group, not a dict of counts: the streamed
    checklist of a large agency is 170,000 steps over 40,000 groups.)"""
    # One pass: per (scope, block, checklist) the step count, counts per status and the
    # first pending step (earliest due date) - 10,000+ steps for a large agency.
    for item in items:
        g = item.get
        if g("obsolete"):
            continue
        key = (g("scope_kind", ""), g("scope_id", ""), g("block", ""), g("template", ""))
        entry = groups.get(key)
        if entry is None:
            # (texts shared: a stored version's steps are decoded JSON, a copy of every
            # text per step, ~19 MB of a 20,000-product version's groups; RESULTS.md,
            # round 13)
            entry = groups[_shared(key)] = [0] * _PENDING + [None]
        entry[0] += 1
        status = g("status", "open")
        slot = _STATUS_SLOT.get(status)
        if slot is not None:
            entry[slot] += 1
        if status not in FINISHED:
            candidate = (g("due_date") or NO_DUE, g("step", ""), g("title", ""))
            pending = entry[_PENDING]
            if pending is None or candidate < pending:
                entry[_PENDING] = _shared(candidate)


def _decisions(doc: dict[str, Any], names: dict[str, str]) -> Sheet:
    """Exemptions ("behoudens gegronde redenen") and justified delays, each with VLAIO's
    decision as it stood when the snapshot was made."""
    from elo_tui.domain.blocks import subject_label
    from elo_tui.domain.decisions import DECISION_BODIES, DELAY_KINDS

    s = Sheet(
        "Uitzonderingen",
        widths=[14, 12, 34, 38, 36, 20, 12, 12, 50, 16, 12, 18, 40, 38],
        freeze_rows=1,
        freeze_cols=2,
    )
    s.append(
        [
            "Soort",
            "Scope",
            "Naam",
            "Scope-id",
            "Vereiste of bouwsteen",
            "Code",
            "Oorspr. datum",
            "Nieuwe datum",
            "Gegronde reden / reden",
            "Beslist door / soort",
            "Gevraagd op",
            "Status (VLAIO)",
            "Opmerking VLAIO",
            "Id",
        ],
        bold=True,
    )
    decided = doc.get("decisions", {})
    status = {
        r["id"]: r
        for key in ("exemptions", "delays")
        for r in decided.get(key, [])
        if isinstance(r, dict) and "id" in r
    }
    styles = [P] * 6 + [T, T, P, P, T, P, P, P]
    for key, label in (("exemptions", "Uitzondering"), ("delays", "Vertraging")):
        for r in doc.get(key, []):
            d = status.get(r["id"], {})
            is_delay = key == "delays"
            kind, scope = _scope(r.get("scope_kind", ""), r.get("scope_id", ""), names)[:2]
            s.append(
                [
                    label,
                    kind,
                    scope,
                    r.get("scope_id", ""),
                    subject_label(r.get("subject", "")),
                    r.get("subject", ""),
                    _date(r.get("original_date", "")) if is_delay else "",
                    _date(r.get("new_date", "")) if is_delay else "",
                    r.get("reason", "") if is_delay else r.get("ground", ""),
                    DELAY_KINDS.get(r.get("delay_kind", ""), r.get("delay_kind", ""))
                    if is_delay
                    else DECISION_BODIES.get(r.get("decision_body", ""), ""),
                    _date(r.get("requested_on", "")),
                    d.get("status_label", "gevraagd"),
                    d.get("comment", ""),
                    r["id"],
                ],
                styles,
            )
    return s


def _shared(values: tuple) -> tuple:
    """`values` with each text replaced by its one shared copy (sys.intern)."""
    return tuple([intern(v) if type(v) is str else v for v in values])
