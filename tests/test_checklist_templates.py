"""Loading checklist templates: the shipped ones are valid, broken ones are named and skipped."""

from __future__ import annotations

import shutil

import pytest

from blocks_support import CHECKLISTS
from elo_tui.domain.blocks import BLOCK_CODES
from elo_tui.domain.templates import load_all

GOOD = """
id = "extra"
title = "Extra stappen"
scope = "application"
trigger = "block_required"
block = "dosis"

[[steps]]
key = "een"
title = "Eerste stap"
owner = "agency"
milestone = "block_target"
offset_days = -10
sourced = false
"""


@pytest.fixture
def folder(tmp_path):
    shutil.copy(CHECKLISTS / "blocks.toml", tmp_path / "blocks.toml")
    return tmp_path


def test_shipped_templates_are_valid_and_cover_every_block():
    templates, problems = load_all(CHECKLISTS)
    assert problems == []
    covered = {t.block for t in templates if t.trigger == "block_required"}
    assert covered == set(BLOCK_CODES)
    ids = {t.id for t in templates}
    assert {"programme", "aftoetsing"} <= ids


def test_shipped_templates_carry_the_steps_the_domain_names():
    templates = {t.id: t for t in load_all(CHECKLISTS)[0]}
    assert {"integration_dossier", "setup_ti", "production"} <= {
        s.key for s in templates["acm_idm"].steps
    }
    assert {"onboarding_form", "widget_id", "papi_scope"} <= {
        s.key for s in templates["global_header"].steps
    }
    # the capacity switch is its own part of the global header (gericht aanmelden)
    assert {"switch_capacity_url", "login_hint", "check_organisation"} <= {
        s.key for s in templates["capacity_switch"].steps
    }
    assert {"status_mapping", "test_tni", "production"} <= {s.key for s in templates["dosis"].steps}
    assert {"inventory", "cofinancing_info", "cooperation_agreement", "monthly_report"} <= {
        s.key for s in templates["programme"].steps
    }
    aftoetsing = templates["aftoetsing"]
    assert (aftoetsing.scope, aftoetsing.trigger) == ("application", "new_application")
    assert [s.key for s in aftoetsing.steps] == [
        "instrument",
        "standaard_digitaal",
        "gebruiker_centraal",
        "digitaal_herdacht",
        "datagedreven",
        "betrouwbaar",
        "pas_toe_of_leg_uit",
    ]
    # both perspectives of the strategy's criteria, in every principle
    for s in aftoetsing.steps[1:6]:
        assert "Gebruikerscriteria" in s.description
        assert "Digitale inclusiecriteria" in s.description
    assert "niet in onze bronnen" in aftoetsing.description
    for t in templates.values():
        for s in t.steps:
            assert s.owner in ("agency", "digitaal_vlaanderen", "vlaio")
            assert s.sourced is False or s.source, f"{t.id}.{s.key} sourced without source"


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("id = 'x'\ntitle = \n", "", "geen geldige TOML"),
        (
            GOOD.replace('owner = "agency"', 'owner = "baas"'),
            "steps[1] (een).owner",
            "moet een van",
        ),
        (
            GOOD.replace("sourced = false", 'sourced = "ja"'),
            "steps[1] (een).sourced",
            "true of false",
        ),
        (GOOD.replace("sourced = false", "sourced = true"), "steps[1] (een).source", "bron"),
        (
            GOOD.replace("offset_days = -10", "offset_days = 'tien'"),
            "steps[1] (een).offset_days",
            "geheel getal",
        ),
        (GOOD.replace('block = "dosis"', 'block = "dossier"'), "block", "onbekende bouwsteen"),
        (GOOD.replace('block = "dosis"', 'block = "vms"'), "scope", "geldt per product"),
        (
            GOOD.replace('trigger = "block_required"', 'trigger = "altijd"'),
            "trigger",
            "moet een van",
        ),
        (
            GOOD.replace('title = "Extra stappen"', 'title = "Extra stappen"\ncolour = "rood"'),
            "colour",
            "onbekende sleutel",
        ),
        (GOOD.replace('milestone = "block_target"\n', ""), "steps[1] (een).milestone", "ontbreekt"),
        (GOOD + GOOD[GOOD.index("[[steps]]") :], "steps[2] (een).key", "twee keer"),
        (GOOD[: GOOD.index("[[steps]]")], "steps", "ontbreekt"),
        (GOOD.replace('id = "extra"', 'id = "Extra Stappen"'), "id", "kleine letters"),
    ],
)
def test_broken_template_is_named_with_file_key_and_problem(folder, text, key, words):
    (folder / "broken.toml").write_text(text, encoding="utf-8")
    (folder / "good.toml").write_text(GOOD.replace('id = "extra"', 'id = "goed"'), encoding="utf-8")
    templates, problems = load_all(folder)
    assert [t.id for t in templates] == ["goed"]  # the valid one still loads
    assert len(problems) >= 1
    p = problems[0]
    assert p.file == "broken.toml"
    assert p.key == key
    assert words in p.message
    assert str(p).startswith("broken.toml: ")


def test_duplicate_template_id_keeps_the_first(folder):
    (folder / "a.toml").write_text(GOOD, encoding="utf-8")
    (folder / "b.toml").write_text(GOOD, encoding="utf-8")
    templates, problems = load_all(folder)
    assert [t.file for t in templates] == ["a.toml"]
    assert [(p.file, p.key) for p in problems] == [("b.toml", "id")]
    assert "a.toml" in problems[0].message


def test_binary_and_missing_catalogue_are_problems_not_crashes(tmp_path):
    (tmp_path / "junk.toml").write_bytes(b"\xff\xfe\x00garbage")
    templates, problems = load_all(tmp_path)
    assert templates == []
    files = {p.file for p in problems}
    assert {"junk.toml", "blocks.toml"} <= files


def test_missing_folder_is_one_problem(tmp_path):
    templates, problems = load_all(tmp_path / "nergens")
    assert templates == []
    assert len(problems) == 1 and "niet gevonden" in problems[0].message


def test_checklists_folder_can_be_overridden(monkeypatch, tmp_path):
    from elo_tui import paths

    assert paths.checklists_dir({}) == CHECKLISTS
    assert paths.checklists_dir({paths.ENV_CHECKLISTS: str(tmp_path)}) == tmp_path
