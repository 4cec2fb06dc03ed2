"""The summary's shared readiness (domain/readiness.py: SharedReadiness, the shared risk
tables of `to_dict`) gives exactly what `product_readiness`, computed product by product,
gives: every product's readiness, every count and every reported risk."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date

import pytest

from elo_tui.domain.blocks import (
    APPLICATION_BLOCKS,
    BLOCK_CODES,
    DEADLINES,
    PRODUCT_BLOCKS,
    READING_ALL_PRODUCTS,
    READING_NEW_LISTING,
    READING_NOT_APPLIED,
    REQUIREMENT_CODES,
    STAGES,
)
from elo_tui.domain.decisions import Overrides
from elo_tui.domain.readiness import (
    EXEMPT,
    MET,
    NOT_APPLICABLE_REQ,
    OPEN,
    Cell,
    ReadinessSummary,
    application_parts,
    cell_of,
    index_statuses,
    product_application_ids,
    product_readiness,
    summarize,
    summarize_pages,
)
from elo_tui.domain.records import Application, BlockStatus, Delay, Product

TODAYS = (date(2026, 11, 22), date(2027, 3, 1), date(2027, 7, 1))
READINGS = (READING_NEW_LISTING, READING_ALL_PRODUCTS, READING_NOT_APPLIED)


def reference(products, applications, statuses, today, overrides, reading) -> ReadinessSummary:
    """The summary with every product's readiness from `product_readiness` alone (no memo
    shared between products), counted one product at a time."""
    index = index_statuses(statuses)
    cache = {
        p.id: product_readiness(p, index, today, DEADLINES, None, overrides, reading)
        for p in products
        if not p.deleted
    }
    return summarize(
        products, applications, statuses, today, cache=cache, overrides=overrides, reading=reading
    )


def reported_risks(summary: ReadinessSummary) -> list[list[dict]]:
    """What `to_dict` reported per milestone before its tables were shared."""
    return [
        [
            {
                "product_id": r.product_id,
                "product": r.product_name,
                "risks": [
                    {
                        "block": x.block,
                        "problem": x.problem,
                        "target_date": x.target_date,
                        "waiting_on_block": x.waiting,
                        "delayed_to": x.delayed_to,
                        "text": x.describe(d),
                    }
                    for x in r.risks
                ],
            }
            for r in summary.at_risk.get(d.key, [])
        ]
        for d in DEADLINES
    ]


def assert_same_as_reference(products, applications, statuses, today, overrides, reading):
    fast = summarize(products, applications, statuses, today, overrides=overrides, reading=reading)
    slow = reference(products, applications, statuses, today, overrides, reading)
    assert fast.products.keys() == slow.products.keys()
    for pid, readiness in slow.products.items():
        assert fast.products[pid] == readiness, pid
    assert fast == slow  # every count, flag, list of producten met risico, in order
    as_dict = fast.to_dict()
    assert as_dict == slow.to_dict()
    assert json.dumps(as_dict) == json.dumps(slow.to_dict())
    assert [d["at_risk"] for d in as_dict["deadlines"]] == reported_risks(slow)
    return fast


def assert_shared(summary: ReadinessSummary) -> None:
    """The fast path really ran: products share their requirements and risks."""
    counted = [r for r in summary.products.values() if r.excluded is None]
    assert len({id(r.requirements) for r in counted}) < len(counted)
    assert len({id(r.risks) for r in counted}) < len(counted)


# -- generated at random, every kind of input ---------------------------------------------

APPLICABILITIES = ("undecided", "required", "not_applicable", "forms_tool")
TARGETS = ("", "", "2026-10-01", "2026-12-15", "2027-03-01", "2027-06-30", "2027-09-15", "?")


def _status(rng: random.Random, kind: str, scope_id: str, block: str) -> BlockStatus:
    return BlockStatus(
        scope_kind=kind,
        scope_id=scope_id,
        block=block,
        applicability=rng.choice(APPLICABILITIES),
        reason=rng.choice(("", "geen mandaten")),
        stage=rng.choice((*STAGES, "production", "development")),
        target_date=rng.choice(TARGETS),
        waiting_on_block=rng.choice(("", "", "DOSIS")),
        verified_central=rng.choice(("", "", "2026-11-01")),
        deleted=rng.random() < 0.05,
    )


def random_workspace(seed: int, n_products: int = 300, n_apps: int = 12):
    """Products over a few applications (some request and follow-up in different ones,
    some in none), a few distinct statuses each so that many products repeat their
    inputs, tombstones, odd names."""
    rng = random.Random(seed)
    apps = [Application(name=f"Loket {i}") for i in range(n_apps)]
    apps.append(Application(name="Verwijderd", deleted=True))
    ids = [a.id for a in apps] + [""]
    products = []
    for i in range(n_products):
        request = rng.choice(ids if rng.random() < 0.6 else ids[:3])
        followup = request if rng.random() < 0.7 else rng.choice(ids)
        products.append(
            Product(
                name=rng.choice(("Premie", "premie", "Ätt€st ‘x’", "", "Z\n")) + f" {i % 50}",
                request_application_id=request,
                followup_application_id=followup,
                on_elo=rng.choice(("none", "request", "follow_up", "both", "both")),
                deleted=rng.random() < 0.03,
            )
        )
    statuses = []
    for i, a in enumerate(apps):
        for block in APPLICATION_BLOCKS:
            if i < 3:  # ready, so that some products are ELO-conform
                statuses.append(_done(rng, "application", a.id, block))
                statuses[-1].verified_central *= i != 2 or block != APPLICATION_BLOCKS[0]
            elif rng.random() < 0.85:
                statuses.append(_status(rng, "application", a.id, block))
    # Few distinct product statuses: products sharing them is what the fast path uses.
    templates = [
        [_status(rng, "product", "", b) for b in PRODUCT_BLOCKS] for _ in range(rng.randint(3, 8))
    ]
    templates += [[_done(rng, "product", "", b) for b in PRODUCT_BLOCKS] for _ in range(2)]
    for t in templates[-1]:  # ready, not verified centrally
        t.verified_central = ""
    for p in products:
        template = rng.choice(templates if rng.random() < 0.6 else templates[-2:])
        for t in template:
            if rng.random() < 0.9:
                statuses.append(_copy(t, p.id))
        if rng.random() < 0.05:  # an application part recorded on a product: not read
            statuses.append(_status(rng, "product", p.id, APPLICATION_BLOCKS[0]))
    return products, apps, statuses, rng


def _done(rng: random.Random, kind: str, scope_id: str, block: str) -> BlockStatus:
    st = _status(rng, kind, scope_id, block)
    st.applicability, st.stage, st.deleted = "required", "production", False
    st.verified_central = "2026-11-01"
    return st


def _copy(template: BlockStatus, scope_id: str) -> BlockStatus:
    data = template.data()
    data.pop("id", None)
    return BlockStatus(**{**data, "scope_id": scope_id})


def random_overrides(rng: random.Random, products, apps, kinds: str) -> Overrides:
    out = Overrides()
    subjects = (*BLOCK_CODES, *REQUIREMENT_CODES)
    live_apps = [a.id for a in apps[:-1]]
    if "e" in kinds:
        for _ in range(6):
            scope = rng.choice(
                (("application", rng.choice(live_apps)),) * 2
                + (("product", rng.choice(products).id),)
            )
            out.exempt.add((*scope, rng.choice(subjects)))
    if "d" in kinds:
        for _ in range(6):
            kind, scope_id = rng.choice(
                (("application", rng.choice(live_apps)), ("product", rng.choice(products).id))
            )
            subject = rng.choice(subjects)
            out.delays[(kind, scope_id, subject)] = Delay(
                scope_kind=kind,
                scope_id=scope_id,
                subject=subject,
                original_date=rng.choice(("", "2027-06-30")),
                new_date=rng.choice(("2027-03-01", "2027-09-30", "2028-01-31")),
            )
    if "x" in kinds:
        out.excluded_apps[live_apps[0]] = "valt buiten het decreet"
    if "n" in kinds:
        out.new_apps.update(live_apps[1:3])
    return out


@pytest.mark.parametrize("kinds", ["", "e", "d", "x", "n", "edxn"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summary_equals_product_readiness_one_by_one(seed, kinds):
    products, apps, statuses, rng = random_workspace(seed)
    overrides = random_overrides(rng, products, apps, kinds)
    for today in TODAYS:
        for reading in READINGS:
            fast = assert_same_as_reference(products, apps, statuses, today, overrides, reading)
            assert_shared(fast)
            if "x" in kinds:
                assert fast.excluded
            if "e" in kinds:
                assert fast.exempt_products


def _paged(products, statuses, rng: random.Random):
    """The products in pages of random sizes, each with its products' statuses (in the
    order given, tombstones too), and the applications' statuses apart."""
    at, pages = 0, []
    while at < len(products):
        page = products[at : at + rng.choice((1, 3, 17, 60, 250))]
        ids = {p.id for p in page}
        pages.append(
            (page, [s for s in statuses if s.scope_kind == "product" and s.scope_id in ids])
        )
        at += len(page)
    return pages, [s for s in statuses if s.scope_kind == "application"]


@pytest.mark.parametrize("kinds", ["", "edxn"])
@pytest.mark.parametrize("keep", [True, False])
def test_the_summary_made_a_page_of_products_at_a_time_is_the_summary(kinds, keep):
    """An export reads the statuses of one page of products at a time: the counts, the
    lists of products at risk and excluded (their order too) are the whole list's."""
    products, apps, statuses, rng = random_workspace(4, n_products=700)
    overrides = random_overrides(rng, products, apps, kinds)
    # An application that only follows up a product: counted by that product too.
    followup = Application(name="Opvolging")
    apps.append(followup)
    products.insert(
        5, Product(request_application_id=apps[3].id, followup_application_id=followup.id)
    )
    statuses += [_done(rng, "application", followup.id, b) for b in APPLICATION_BLOCKS]
    for today, reading in ((TODAYS[0], READINGS[0]), (TODAYS[1], READINGS[1])):
        whole = summarize(
            products,
            apps,
            statuses,
            today,
            overrides=overrides,
            reading=reading,
            keep_products=keep,
        )
        for i in range(3):
            pages, of_apps = _paged(products, statuses, rng)
            assert len(pages) >= 3
            if i == 1:  # a page may hold other statuses too: the applications' in the first
                pages[0] = (pages[0][0], of_apps + pages[0][1])
                of_apps = []
            paged = summarize_pages(
                pages,
                apps,
                of_apps,
                today,
                overrides=overrides,
                reading=reading,
                keep_products=keep,
            )
            assert paged == whole
            assert json.dumps(paged.to_dict()) == json.dumps(whole.to_dict())
        assert len(whole.products) == (sum(not p.deleted for p in products) if keep else 0)
        if keep:  # the counts, from the products' own readiness
            _assert_counted(whole, products, apps, statuses, overrides, bool(kinds))
        if kinds:
            assert whole.excluded and whole.exempt_products
        assert whole.at_risk[DEADLINES[0].key] and whole.elo_conform


FLAG_KEYS = ("yes", "no", "not_applicable", "exempt")


def _assert_counted(summary, products, apps, statuses, overrides, exempt: bool) -> None:
    counted = [r for r in summary.products.values() if r.excluded is None]
    slot = {MET: "yes", OPEN: "no", EXEMPT: "exempt"}
    for code in ("sso", "gericht_aanmelden", "product_rights"):
        states = Counter(slot.get(r.requirements[code], "not_applicable") for r in counted)
        assert summary.requirement(code).to_dict() == {k: states[k] for k in FLAG_KEYS}, code
    seen = {r.requirements[c] for r in counted for c in REQUIREMENT_CODES}
    assert {MET, OPEN, NOT_APPLICABLE_REQ, *[EXEMPT] * exempt} <= seen  # (each kind counted)
    by_id = {p.id: p for p in products}
    served = {i for r in counted for i in product_application_ids(by_id[r.product_id])}
    served &= {a.id for a in apps if not a.deleted} - set(overrides.excluded_apps)
    index = index_statuses(statuses)
    for code in APPLICATION_BLOCKS:
        parts = [application_parts(a, index, overrides) for a in served]
        assert summary.block(code).applications_total == sum(code in p for p in parts), code
    assert any(p.request_application_id != p.followup_application_id for p in products)


def test_the_random_workspaces_hold_the_cases():
    """What the comparison above relies on is really there."""
    products, apps, statuses, rng = random_workspace(1)
    s = reference(products, apps, statuses, TODAYS[0], Overrides(), READING_ALL_PRODUCTS)
    problems = {x.problem for items in s.at_risk.values() for r in items for x in r.risks}
    assert problems == {"undecided", "no_target", "target_late", "target_passed"}
    assert 0 < s.elo_conform_verified < s.elo_conform
    assert any(p.request_application_id != p.followup_application_id for p in products)
    assert any(st.deleted for st in statuses) and any(p.deleted for p in products)


def test_a_plain_cell_is_the_cell_of_its_status():
    st = BlockStatus(
        scope_kind="product",
        scope_id="p",
        block="vms",
        applicability="required",
        stage="test",
        target_date="2027-01-01",
        waiting_on_block="VMS",
    )
    made = cell_of(st)
    assert type(made) is Cell
    assert made == Cell("required", "test", "2027-01-01", waiting=True, verified=False)
    assert made.done is False and made.blocking is True
    st.waiting_on_block, st.verified_central = "", "2026-11-01"
    assert cell_of(st) == Cell("required", "test", "2027-01-01", waiting=False, verified=True)
    assert cell_of(None) == Cell()


# -- seeded workspaces ----------------------------------------------------------------------


def _workspace_inputs(ws):
    from elo_tui.services.mapping import load_overrides, load_reading
    from elo_tui.services.submission import read_state

    state = read_state(ws, only=("applications", "products", "block_statuses", "estimate_lines"))
    overrides = load_overrides(ws, state.applications)
    return state.products, state.applications, state.block_statuses, overrides, load_reading(ws)


def _check_workspace(ws) -> None:
    products, apps, statuses, overrides, _reading = _workspace_inputs(ws)
    for today in (TODAYS[0], TODAYS[2]):
        for reading in READINGS:
            assert_same_as_reference(products, apps, statuses, today, overrides, reading)


def test_the_demo_summary_equals_product_readiness_one_by_one(demo_ws):
    _check_workspace(demo_ws)


def test_the_edge_cases_summary_equals_product_readiness_one_by_one(tmp_path):
    from test_summary_cache import edge_cases

    with edge_cases(tmp_path / "e.sqlite") as ws:
        _check_workspace(ws)


@pytest.mark.parametrize("n", [40, 250])
def test_generated_summaries_equal_product_readiness_one_by_one(tmp_path, n):
    from test_summary_cache import generated

    with generated(tmp_path / f"g{n}.sqlite", n) as ws:
        _check_workspace(ws)
        products, apps, statuses, overrides, reading = _workspace_inputs(ws)
        assert_shared(summarize(products, apps, statuses, TODAYS[0], overrides=overrides))
