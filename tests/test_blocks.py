"""The block catalogue, applicability suggestions and validation of a cell edit."""

from __future__ import annotations

import pytest

from blocks_support import CHECKLISTS, app, product
from elo_tui.domain import blocks
from elo_tui.domain.applicability import (
    suggest_all,
    suggest_for_application,
    suggest_for_product,
)

# -- suggestions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "has_products", "expected"),
    [
        ("own_application", True, "required"),
        ("own_application", False, None),
        ("forms_tool", True, "forms_tool"),
        ("forms_tool", False, "forms_tool"),
        ("website", True, "not_applicable"),
    ],
)
def test_application_block_suggestions(kind, has_products, expected):
    a = app(kind=kind)
    products = [product(req=a, fol=a)] if has_products else []
    got = suggest_for_application(a, products)
    for code in blocks.APPLICATION_BLOCKS:
        assert (got[code].applicability if code in got else None) == expected


@pytest.mark.parametrize(
    ("type", "groups", "app_kind", "rights", "vms", "toelatingen"),
    [
        ("Toelating", ("Onderneming",), "own_application", "required", "required", "required"),
        (
            "FinancieelVoordeel",
            ("Onderneming",),
            "own_application",
            "required",
            "required",
            "not_applicable",
        ),
        (
            "FinancieleVerplichting",
            ("Onderneming",),
            "own_application",
            "required",
            "required",
            "not_applicable",
        ),
        (
            "AdviesBegeleiding",
            ("Onderneming",),
            "own_application",
            "required",
            None,
            "not_applicable",
        ),
        ("Toelating", ("Burger",), "own_application", "required", None, "required"),
        ("", ("Onderneming",), "own_application", "required", None, None),
        ("Toelating", ("Onderneming",), "forms_tool", "forms_tool", "forms_tool", "forms_tool"),
    ],
)
def test_product_block_suggestions(type, groups, app_kind, rights, vms, toelatingen):
    a = app(kind=app_kind)
    p = product(req=a, fol=a, type=type, groups=groups)
    got = suggest_for_product(p, [a])
    assert {k: v.applicability for k, v in got.items()} == {
        k: v
        for k, v in {"product_rights": rights, "vms": vms, "toelatingen": toelatingen}.items()
        if v is not None
    }


def test_not_applicable_suggestion_proposes_a_reason_to_confirm():
    a = app()
    p = product(req=a, fol=a, type="Bewijs")
    s = suggest_for_product(p, [a])["toelatingen"]
    assert s.applicability == "not_applicable"
    assert "Bewijs" in s.reason


def test_assumed_rules_are_flagged_as_not_sourced():
    a = app()
    p = product(req=a, fol=a, type="Toelating")
    got = suggest_for_product(p, [a])
    assert got["toelatingen"].sourced is True
    assert got["vms"].sourced is False
    assert suggest_for_application(app(kind="website"), [])["acm_idm"].sourced is False


def test_suggest_all_keys_like_block_statuses_and_skips_deleted():
    a = app()
    p = product(req=a, fol=a, type="Toelating")
    gone = product(req=a, fol=a)
    gone.deleted = True
    got = suggest_all([a], [p, gone])
    assert ("application", a.id, "acm_idm") in got
    assert ("product", p.id, "toelatingen") in got
    assert not any(k[1] == gone.id for k in got)


def test_product_in_mixed_applications_is_not_treated_as_forms_tool():
    own, forms = app(kind="own_application"), app(kind="forms_tool")
    p = product(req=forms, fol=own)
    assert suggest_for_product(p, [forms, own])["product_rights"].applicability == "required"


# -- validation of an edit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "bad_fields"),
    [
        ({"applicability": "required", "stage": "test"}, set()),
        ({"applicability": "not_applicable", "reason": ""}, {"reason"}),
        ({"applicability": "not_applicable", "reason": "   "}, {"reason"}),
        ({"applicability": "not_applicable", "reason": "Geen aanmelding nodig."}, set()),
        ({"applicability": "forms_tool"}, set()),
        ({"applicability": "maybe"}, {"applicability"}),
        ({"applicability": "required", "stage": "done"}, {"stage"}),
        ({"applicability": "required", "target_date": "2026-02-30"}, {"target_date"}),
        ({"applicability": "required", "target_date": "31/12/2026"}, {"target_date"}),
        ({"applicability": "required", "target_date": "2026-12-31"}, set()),
        ({"applicability": "required", "evidence": "https://jira.voorbeeld.invalid/X-1"}, set()),
        ({"applicability": "required", "evidence": "ftp://x"}, {"evidence"}),
        ({"applicability": "required", "evidence": "https://"}, {"evidence"}),
        ({"applicability": "required", "evidence": "G:/dossiers/acm.pdf"}, set()),
        ({"applicability": "required", "note": "x" * 10_001}, {"note"}),
    ],
)
def test_validate_block_status(values, bad_fields):
    clean, errors = blocks.validate_block_status(values)
    assert set(errors) == bad_fields
    for message in errors.values():
        assert message.endswith(".") and " " in message  # a sentence, not a code


def test_validation_trims_reason_and_date():
    clean, errors = blocks.validate_block_status(
        {
            "applicability": "not_applicable",
            "reason": "  Geen login  ",
            "target_date": " 2026-05-01 ",
        }
    )
    assert not errors
    assert clean["reason"] == "Geen login"
    assert clean["target_date"] == "2026-05-01"


# -- display --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("applicability", "stage", "suggestion", "text"),
    [
        ("required", "not_started", "", "○ niet"),
        ("required", "analysis", "", "◔ anal"),
        ("required", "filed", "", "◑ ingd"),
        ("required", "test", "", "◕ test"),
        ("required", "production", "", "● prod"),
        ("not_applicable", "test", "", "– nvt"),
        ("forms_tool", "not_started", "", "▣ plan"),
        ("forms_tool", "production", "", "▣ form"),
        ("undecided", "not_started", "", "?"),
        ("undecided", "not_started", "required", "? ver"),
        ("undecided", "not_started", "not_applicable", "? nvt"),
    ],
)
def test_cells_are_readable_without_colour(applicability, stage, suggestion, text):
    assert blocks.cell_text(applicability, stage, suggestion) == text


def test_every_stage_has_a_distinct_symbol_and_word():
    assert len(set(blocks.STAGE_SYMBOLS.values())) == len(blocks.STAGES)
    assert len(set(blocks.STAGE_SHORT.values())) == len(blocks.STAGES)
    assert set(blocks.STAGE_LABELS) == set(blocks.STAGES)


def test_block_contract_codes_and_scopes():
    assert blocks.BLOCK_CODES == (
        "acm_idm",
        "product_rights",
        "vms",
        "dosis",
        "toelatingen",
        "global_header",
        "capacity_switch",
    )
    assert blocks.APPLICATION_BLOCKS == ("acm_idm", "dosis", "global_header", "capacity_switch")
    assert all(len(b.short) <= 8 for b in blocks.BLOCKS)


def test_catalogue_file_matches_the_built_in_contract():
    from elo_tui.domain.templates import load_catalogue

    entries, problems = load_catalogue(CHECKLISTS / "blocks.toml")
    assert problems == []
    assert [e.code for e in entries] == list(blocks.BLOCK_CODES)
    assert all(e.sources for e in entries)


def test_catalogue_with_a_wrong_scope_or_unknown_block_is_reported(tmp_path):
    from elo_tui.domain.templates import load_catalogue

    text = (CHECKLISTS / "blocks.toml").read_text(encoding="utf-8")
    text = text.replace(
        'code = "dosis"\nlabel = "Dossierstatusinformatiesysteem (DOSIS)"\nscope = "application"',
        'code = "dosis"\nlabel = "Dossierstatusinformatiesysteem (DOSIS)"\nscope = "product"',
    )
    text = text.replace('code = "vms"', 'code = "vmz"')
    path = tmp_path / "blocks.toml"
    path.write_text(text, encoding="utf-8")
    _, problems = load_catalogue(path)
    messages = [str(p) for p in problems]
    assert any("blocks[4] (dosis).scope" in m for m in messages)
    assert any("blocks[3] (vmz).code" in m and "onbekende bouwsteen" in m for m in messages)
    assert any("'vms' ontbreekt" in m for m in messages)
