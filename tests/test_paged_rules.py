"""A concept's block statuses and estimate lines go through the rules a page at a time, as
they are read, and none is kept (services/submission.PagedRules): the lines costed and
rolled up (est.LineTally), checked (completeness.LineFindings), their costs' dicts
spooled; the statuses read once more, by scope, for their own rules and the readiness
(completeness.StatusFindings, readiness.summarize_pages). Everything must be what the
rules give the whole lists: the summary, the shares, the issues and the content, byte
for byte. The XLSX sheets join the lines with their costs as both are
read in id order, and by an index when they are not."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import astuple
from datetime import date

import pytest

from elo_tui.domain import completeness
from elo_tui.domain import estimate as est
from elo_tui.domain import submission as sub
from elo_tui.domain.records import Application, BlockStatus, EstimateLine, Product
from elo_tui.io import export_toml, export_xlsx
from elo_tui.services import submission as service
from submission_support import plain_document
from test_completeness_paced import reference, workspaces  # noqa: F401 - a fixture

READ = tuple(n for n in sub.SECTIONS if n not in service.STREAMED_SECTIONS)


def _records(ws):
    agency = ws.agency()
    applications = [Application(**d) for d in ws.list_data(Application)]
    products = [Product(**d) for d in ws.list_data(Product)]
    lines = [EstimateLine(**d) for d in ws.list_data(EstimateLine)]  # (in id order)
    return agency, applications, products, lines


def _pages(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def test_the_line_tally_fed_in_pages_is_summarize(workspaces):  # noqa: F811 - the fixture
    for ws in workspaces:
        agency, applications, products, lines = _records(ws)
        whole = est.summarize(lines, products, agency, applications=applications)
        assert whole.costs and whole.simulation.exact_lines, ws.path  # something to compare
        for size in (1, 7, 1000):
            for keep in (True, False):
                tally = est.LineTally(products, agency, applications=applications, keep_costs=keep)
                counted: list[est.LineCost] = []
                excluded: list[est.LineCost] = []
                for page in _pages(lines, size):
                    c, x = tally.add(page)
                    counted += c
                    excluded += x
                summary = tally.summary()
                assert counted == whole.costs and excluded == whole.excluded
                if keep:
                    assert summary == whole, (ws.path, size)
                else:
                    assert summary.costs == [] and summary.excluded == []
                    kept = dataclasses.replace(summary, costs=counted, excluded=excluded)
                    assert kept == whole, (ws.path, size)
                assert tally.counted == len(whole.costs)
                assert tally.invalid == len(whole.invalid)
                assert tally.by_default_rule == sum(
                    1 for c in whole.costs if c.line.eligible is None
                )
                assert tally.shares(products) == est.product_shares(products, whole)


def test_a_tally_with_its_own_costs_spooled_gives_the_shares_a_page_of_products_at_a_time(
    workspaces,  # noqa: F811 - the fixture
):
    """A concept's tally spools each product line's (product id, mean) instead of a sum
    per product (`spool_own`: runs of 3 here, merged as read), and sums them as the
    products come, in id order, a page at a time: the shares of the whole tally, to
    the last bit. Products out of id order, or a line after the shares, are mistakes."""
    from elo_tui.io.page_spool import SortedSpool

    def spool(key):
        return SortedSpool(key, run=3, read=2)

    checked = 0
    for ws in workspaces:
        agency, applications, products, lines = _records(ws)
        whole = est.LineTally(products, agency, applications=applications, keep_costs=False)
        whole.add(lines)
        expected = whole.shares(products)
        live = sorted((p for p in products if not p.deleted), key=lambda p: p.id)
        for size in (1, 7, 1000):
            tally = est.LineTally(
                products, agency, applications=applications, keep_costs=False, spool_own=spool
            )
            for page in _pages(lines, 5):
                tally.add(page)
            shares: dict[str, est.ProductShare] = {}
            for page in _pages(live, size):
                shares.update(tally.shares(page))
            assert shares == {p.id: expected[p.id] for p in live}, (ws.path, size)
            checked += sum(1 for s in shares.values() if s.own)
            with pytest.raises(ValueError, match="komt na"):
                tally.shares(live[:1])
            late = EstimateLine(
                id="~ (after every id)",
                scope_kind="product",
                scope_id="~ (no product)",
                block="vms",
                optimistic_days=1.0,
                likely_days=2.0,
                pessimistic_days=3.0,
                day_rate=800.0,
            )
            with pytest.raises(ValueError, match="na het lezen"):
                tally.add([late])
    assert checked  # (products with lines of their own)


def test_a_tally_that_keeps_no_lines_refuses_them_out_of_id_order(workspaces):  # noqa: F811
    agency, applications, products, lines = _records(workspaces[0])
    tally = est.LineTally(products, agency, applications=applications, keep_costs=False)
    with pytest.raises(ValueError, match="komt na"):
        tally.add(list(reversed(lines)))
    kept = est.LineTally(products, agency, applications=applications)  # keeps: sorts
    kept.add(list(reversed(lines)))
    whole = est.summarize(lines, products, agency, applications=applications)
    assert kept.summary().simulation == whole.simulation


def _state(ws, paged: bool) -> service.State:
    return service.read_state(ws, only=READ, held=service.HELD_SECTIONS, paged_rules=paged)


def test_the_check_of_paged_rules_finds_what_the_former_check_found(workspaces):  # noqa: F811
    for ws in workspaces:
        agency, applications, products, lines = _records(ws)
        for size in (1, 500):
            paged = service.PagedRules(ws, agency, applications, products)
            for page in _pages(lines, size):
                paged.add(page)
            try:
                paged.finish()
            except sub.SubmissionFormatError:  # (a NaN amount is checked, not exported)
                pass
            paged.read_statuses(ws, applications, products, date(2026, 12, 3))
            # (no statuses held: their rules ran as they were read again, by scope)
            state = service.State(
                agency, applications, products, [], [], paged.tally.summary(), {}, paged
            )
            assert [astuple(i) for i in service.check(ws, state)] == reference(ws), ws.path


def test_findings_of_paged_rules_need_their_summary(workspaces):  # noqa: F811
    agency, applications, products, _lines = _records(workspaces[0])
    findings = completeness.LineFindings(applications, products, [])
    with pytest.raises(ValueError, match="summary"):
        completeness.check(agency, applications, products, [], [], None, findings=findings)


def _content_texts(ws, paged: bool) -> tuple[str, str]:
    """The canonical JSON and the TOML of a concept's content."""
    with ws.read_snapshot():
        state = _state(ws, paged)
        if paged:  # nothing held
            assert state.lines == state.block_statuses == [] and state.summary.costs == []
        content = service.build_content(
            ws,
            version=0,
            author="An",
            created_at="2026-12-03T08:00:00Z",
            state=state,
            issues=service.check(ws, state),
            spool=True,
        )
        return "".join(sub.canonical_json_chunks(content)), export_toml.dumps(content)


@pytest.mark.parametrize("run", [2, 4096])
def test_a_concept_of_paged_rules_is_the_concept_of_held_lines(
    workspaces,  # noqa: F811 - the fixture
    monkeypatch,
    run,
):
    """Paged rules spool the statuses and products with issues and the products at risk
    (sorted in runs of `run`, merged as read) and read the products from the store a
    page at a time (here 3, or 500): the same text, JSON and TOML, as the held records."""
    monkeypatch.setattr(service, "_FOUND_RUN", run)
    monkeypatch.setattr(service, "_AT_RISK_RUN", run)
    monkeypatch.setattr(service, "CHECK_PAGE", 3 if run == 2 else 500)
    built = at_risk = 0
    for ws in workspaces:
        try:
            texts = _content_texts(ws, paged=True)
        except sub.SubmissionFormatError:  # (a NaN amount: no concept either way)
            with pytest.raises(sub.SubmissionFormatError):
                _content_texts(ws, paged=False)
            continue
        assert texts == _content_texts(ws, paged=False), ws.path
        built += '"excluded":true' in texts[0]  # (counted lines, then the excluded ones)
        at_risk += texts[0].count('"product_id"') > 2 * run  # (more than one run)
    assert built and (at_risk or run > 2)  # (a small run: some merge runs of each)


def test_a_spooled_list_added_to_in_pieces_is_the_list_given_at_once():
    items = [{"line_id": f"l{i:04d}", "mean": i * 1.5, "valid": i % 3 > 0} for i in range(4500)]
    whole = service.SpooledList(items)
    pieces = service.SpooledList()
    rng = random.Random(7)
    at = 0
    while at < len(items):
        step = rng.choice([1, 13, 1999, 2000, 2001])
        pieces.extend(items[at : at + step])
        at += step
    assert len(pieces) == len(items)  # (the last piece not spooled yet)
    assert list(pieces) == items
    assert "".join(pieces.json_pieces()) == "".join(whole.json_pieces())
    assert "".join(pieces.toml_text("lines")) == "".join(whole.toml_text("lines"))
    assert pieces[2999] == items[2999] and pieces[-1] == items[-1]
    assert pieces[10:20] == items[10:20]


def _join(rows, items, keys):
    """The sheets' join of rows and costs by an index of the costs (the plain way)."""
    index = {d["id"]: tuple(d.get(k) for k in keys) for d in items}
    return sorted((r + index.get(r[0], (None,) * len(keys)) for r in rows), key=lambda r: r[1])


@pytest.mark.parametrize("ordered", [True, False])
def test_the_sheets_join_rows_and_costs_read_in_id_order_as_an_index_would(ordered):
    rng = random.Random(11)
    ids = sorted(f"{rng.getrandbits(64):016x}" for _ in range(3000))
    rows = [(i, rng.random()) for i in ids if rng.random() > 0.1]  # some costs have no row
    costs = [{"id": i, "mean": rng.random()} for i in ids if rng.random() > 0.1]  # nor a row
    twice = costs[500]["id"]
    costs.insert(500, {"id": twice, "mean": -1.0})  # twice: the last counts
    if twice not in {r[0] for r in rows}:
        rows.append((twice, 0.5))
        rows.sort()
    counted, apart = costs[::2], costs[1::2]  # two runs, each in id order
    if not ordered:
        rng.shuffle(rows)
    joined = export_xlsx._SortedRows.joined(
        lambda: rows, lambda: [counted, apart], "id", ("mean",), lambda r: (r[1],)
    )
    expected = _join(rows, counted + apart, ("mean",))
    assert list(joined) == expected
    assert any(r[2] is None for r in expected) and len(joined) == len(rows)
    assert [r[2] for r in joined if r[0] == twice] == [costs[501]["mean"]]


@pytest.mark.parametrize("last_not_needed", [True, False])
def test_of_two_statuses_of_one_block_the_last_says_whether_a_line_is_needed(last_not_needed):
    """A line warns "is deze kost nog nodig?" by the last status of its scope and block
    (the former check kept an index of every status; the findings keep only those that
    can warn, and forget one when a later status of its key cannot)."""
    import frozen_completeness as frozen

    app = Application(name="Loket")
    product = Product(name="Premie", request_application_id=app.id, ipdc_type="x")
    production = BlockStatus(
        scope_id=product.id, block="vms", applicability="required", stage="production"
    )
    building = BlockStatus(scope_id=product.id, block="vms", applicability="required", stage="test")
    statuses = [building, production] if last_not_needed else [production, building]
    line = EstimateLine(
        scope_kind="product",
        scope_id=product.id,
        block="vms",
        optimistic_days=1.0,
        likely_days=2.0,
        pessimistic_days=3.0,
        day_rate=600.0,
    )
    args = (None, [app], [product], statuses, [line])
    found = [astuple(i) for i in completeness.check(*args)]
    assert found == [astuple(i) for i in frozen.check(*args)]
    assert any(i[1] == "line_not_needed" for i in found) == last_not_needed


def test_statuses_of_no_live_product_are_checked_as_the_held_ones_are(demo_ws):
    """The export reads the statuses by scope, a page of products at a time: those of a
    product that is gone (before the first product, between two, after the last) are
    still checked, and the readiness leaves them out as before."""
    products = sorted(p.id for p in demo_ws.list(Product))
    gone = ["0" + products[0], products[0] + "0", "z" + products[-1]]
    for scope_id in gone:
        demo_ws.save(
            BlockStatus(scope_id=scope_id, block="vms", applicability="not_applicable"), by="An"
        )
    with demo_ws.read_snapshot():
        held, paged = _state(demo_ws, False), _state(demo_ws, True)
        issues = [astuple(i) for i in service.check(demo_ws, paged)]
        assert issues == [astuple(i) for i in service.check(demo_ws, held)]
        # (the paged section's products at risk are spooled: compared as the list they hold)
        assert plain_document(
            service.readiness_section(paged, service._today(), demo_ws), demo_ws
        ) == (service.readiness_section(held, service._today(), demo_ws))
    reasons = {i[4] for i in issues if i[1] == "reason"}
    assert len({s.id for s in demo_ws.find(BlockStatus, scope_id=gone)} & reasons) == 3


def test_the_statuses_by_scope_refuse_products_out_of_id_order(demo_ws):
    """The merge of products and statuses by scope holds only for products in id order
    (a concept reads them so): anything else is a mistake, not a wrong readiness."""
    products = sorted(demo_ws.list(Product), key=lambda p: p.id)
    pages = service._StatusesByScope(demo_ws).pages(products)
    assert sum(len(statuses) for _page, statuses in pages) > 0
    with pytest.raises(ValueError, match="komt na .*op id gesorteerd"):
        list(service._StatusesByScope(demo_ws).pages(products[::-1]))


@pytest.mark.parametrize("last_not_needed", [True, False])
def test_a_page_of_lines_looks_up_its_scopes_in_the_store(tmp_path, last_not_needed):
    """A concept's lines look up, a page at a time, what their rules read of their
    scopes (PagedRules.line_scopes): the last status of each line's block, last in stored
    order (by id: here not the order they were saved in), the names of their live
    products (a NULL name read as the record's default) and the application a product
    is counted under ("buiten beschouwing": its lines left out). The same issues as the
    former check of every record held."""
    from elo_tui.domain.records import Agency
    from elo_tui.store import Workspace

    app, gone_app = Application(name="Loket"), Application(name="Oud loket", excluded=True)
    product = Product(name="Premie", request_application_id=app.id, ipdc_type="x")
    unnamed = Product(name="Naamloos", followup_application_id=app.id, ipdc_type="x")
    left_out = Product(name="Vergunning", request_application_id=gone_app.id, ipdc_type="x")
    deleted = Product(name="Weg", request_application_id=app.id, ipdc_type="x")
    needed, not_needed = ("required", "test"), ("required", "production")
    first, last = (needed, not_needed) if last_not_needed else (not_needed, needed)
    statuses = [  # (saved last first; a deleted one after the last: not read)
        BlockStatus(
            id="s-zz", scope_id=product.id, block="vms", applicability=first[0], stage=first[1]
        ),
        BlockStatus(
            id="s-z", scope_id=product.id, block="vms", applicability=last[0], stage=last[1]
        ),
        BlockStatus(
            id="s-a", scope_id=product.id, block="vms", applicability=first[0], stage=first[1]
        ),
        BlockStatus(scope_kind="application", scope_id=app.id, block="vms", stage="production"),
        BlockStatus(scope_id=left_out.id, block="vms", stage="production"),
    ]

    def line(scope: Application | Product, **fields) -> EstimateLine:
        kind = "application" if isinstance(scope, Application) else "product"
        days = {"optimistic_days": 1.0, "likely_days": 2.0, "pessimistic_days": 3.0}
        return EstimateLine(
            scope_kind=kind, scope_id=scope.id, block="vms", day_rate=600.0, **(days | fields)
        )

    lines = [
        line(product),
        line(app),
        line(unnamed, optimistic_days=5.0),  # (above the pessimistic: not costed)
        line(left_out, optimistic_days=5.0),
        line(deleted),
    ]
    ws = Workspace.create(
        tmp_path / "scopes.sqlite",
        [Agency(name="Agentschap"), app, gone_app, product, unnamed, left_out, deleted],
        user="t",
    )
    try:
        ws.save_many([*statuses, *lines])
        ws.delete(Product, deleted.id)
        ws.delete(BlockStatus, "s-zz")
        with ws.transaction() as conn:
            conn.execute("UPDATE product SET name = NULL WHERE id = ?", (unnamed.id,))
        with ws.read_snapshot():
            issues = [astuple(i) for i in service.check(ws, _state(ws, True))]
            assert issues == [astuple(i) for i in service.check(ws, _state(ws, False))]
        assert issues == reference(ws)
        warned = {i[4] for i in issues if i[1] == "line_not_needed"}
        assert warned == ({lines[0].id, lines[1].id} if last_not_needed else {lines[1].id})
        invalid = [i[2] for i in issues if i[4] == lines[2].id and i[1] == "line_invalid"]
        assert invalid and all("(product '')" in message for message in invalid)
        assert not any(i[4] == lines[3].id for i in issues)  # (left out of the request)
        assert any(i[1] == "line_scope" for i in issues if i[4] == lines[4].id)
    finally:
        ws.close()
