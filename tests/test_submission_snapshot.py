"""Creating submissions: frozen snapshots, versions, SHA-256 and readable diffs."""

from __future__ import annotations

import hashlib
import json

import pytest

from elo_tui.domain import submission as sub
from elo_tui.domain.records import Agency, Application, EstimateLine, Product, Submission
from elo_tui.services import submission as service
from submission_support import freeze


def test_demo_is_complete_and_creates_version_one(demo_ws):
    assert service.completeness.blocking(service.check(demo_ws)) == []
    record = freeze(demo_ws, author="An", now="2026-02-01T10:00:00.000000Z")
    assert (record.version, record.author, record.created_at) == (
        1,
        "An",
        "2026-02-01T10:00:00.000000Z",
    )
    assert record.sha256 == hashlib.sha256(record.content.encode()).hexdigest()
    content = json.loads(record.content)
    assert content["submission"] == {
        "version": 1,
        "created_at": "2026-02-01T10:00:00.000000Z",
        "author": "An",
        "generator": content["submission"]["generator"],
    }
    assert len(content["products"]) == demo_ws.count(Product)
    assert len(content["estimate_lines"]) == demo_ws.count(EstimateLine)
    assert content["estimate"]["p80"] >= content["estimate"]["p50"] > 0
    # the excluded application's product is in the snapshot but not in the readiness total
    assert "readiness" in content and content["readiness"]["products_total"] == demo_ws.count(
        Product
    ) - len(content["readiness"]["excluded"])
    assert service.verify(record)


def test_snapshot_is_canonical_without_nulls(demo_ws):
    text = freeze(demo_ws).content
    assert "null" not in text.replace('"null"', "")
    assert sub.canonical_json(json.loads(text)) == text


def test_later_edits_do_not_change_a_submission(demo_ws):
    first = freeze(demo_ws)
    product = demo_ws.list(Product)[0]
    old_name = product.name
    product.name = "Nieuwe naam"
    demo_ws.save(product)
    second = freeze(demo_ws)
    stored = demo_ws.get(Submission, first.id)
    assert stored.content == first.content and stored.sha256 == first.sha256
    assert service.verify(stored)
    assert second.version == 2 and second.sha256 != first.sha256
    names = {p["name"] for p in service.content_of(stored)["products"]}
    assert old_name in names and "Nieuwe naam" not in names


def test_tampered_content_fails_verification(demo_ws):
    record = freeze(demo_ws)
    record.content = record.content.replace('"version":1', '"version":7')
    assert not service.verify(record)


def test_diff_between_versions_is_readable_dutch(demo_ws):
    freeze(demo_ws)
    product = next(p for p in demo_ws.list(Product) if p.name == "Groeisubsidie (voorbeeld)")
    product.name = "Groeisubsidie 2.0"
    product.yearly_volume = 800
    demo_ws.save(product)
    demo_ws.save(
        Product(
            name="Nieuw product",
            ipdc_type=product.ipdc_type,
            request_application_id=product.request_application_id,
        )
    )
    # A line that counts: not one of the application the demo leaves out (nor its products).
    excluded = {a.id for a in demo_ws.list(Application) if a.excluded}
    excluded |= {
        p.id
        for p in demo_ws.list(Product)
        if {p.request_application_id, p.followup_application_id} & excluded
    }
    line = next(
        line
        for line in demo_ws.list(EstimateLine)
        if line.method == "three_point" and line.scope_id not in excluded
    )
    line.likely_days = (line.likely_days or 0) + 1
    line.pessimistic_days = (line.pessimistic_days or 0) + 1
    demo_ws.save(line)
    agency = demo_ws.agency()
    agency.contact_name = "Bert"
    demo_ws.save(agency)
    freeze(demo_ws)
    diff = service.diff_versions(demo_ws, 1, 2)
    assert diff[0] == "Wijzigingen van versie 1 naar versie 2:"
    assert "Entiteit: contactpersoon 'An Voorbeeld' → 'Bert'" in diff
    assert "Product toegevoegd: 'Nieuw product'" in diff
    assert (
        "Product 'Groeisubsidie 2.0': naam 'Groeisubsidie (voorbeeld)' → 'Groeisubsidie 2.0'; "
        "jaarvolume 650 → 800" in diff
    )
    assert any("meest waarschijnlijk (dagen)" in d for d in diff)
    assert any(d.startswith("Verwachte kost (gemiddelde): ") for d in diff)
    assert service.diff_latest(demo_ws) == diff


def test_diff_of_identical_content_says_nothing_changed(demo_ws):
    content = service.content_of(freeze(demo_ws))
    assert sub.diff(content, content)[1] == "Geen inhoudelijke wijzigingen."


def test_incomplete_request_is_refused_with_the_list(demo_ws):
    agency = demo_ws.agency()
    agency.contact_name = ""
    agency.own_budget = {}
    demo_ws.save(agency)
    with pytest.raises(service.IncompleteError) as err:
        freeze(demo_ws)
    assert {i.code for i in err.value.issues if i.blocking} == {"contact_name", "own_budget"}
    assert demo_ws.count(Submission) == 0
    assert "2 blokkerende punten" in str(err.value)


def test_a_concept_carries_the_checks_warnings_and_says_what_blocks(demo_ws):
    """An incomplete concept is still exported: its completeness section holds the
    check's warnings (no blocking issue), its co-financing says the information is not
    delivered, and the export source keeps the check's counts."""
    agency = demo_ws.agency()
    agency.contact_name = ""
    demo_ws.save(agency)
    issues = service.check(demo_ws)
    warnings = [i for i in issues if not i.blocking]
    assert warnings and len(warnings) < len(issues)
    source = service.concept_source(demo_ws, author="An")
    doc = source.document
    assert list(doc["completeness"]["warnings"]) == list(sub.warning_dicts(warnings))
    (delivered,) = [
        s["stated"] for s in doc["cofinancing"]["statements"] if s["key"] == "information_delivered"
    ]
    assert delivered is False
    assert source.check is not None
    assert source.check.n_blocking == len(issues) - len(warnings)
    # (tallied as the warnings were spooled: the first issues and counts of the check)
    assert source.check == service.LastCheck.of(issues)
    assert source.check.n_warnings == len(warnings) and source.check.issues == issues[:200]


def test_versions_keep_counting_after_a_deleted_one(demo_ws):
    first = freeze(demo_ws)
    demo_ws.delete(Submission, first.id)
    assert freeze(demo_ws).version == 2


def test_readiness_is_left_out_when_the_module_is_missing(demo_ws, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "elo_tui.domain.readiness":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    content = service.content_of(freeze(demo_ws))
    assert "readiness" not in content and content["block_statuses"]


def test_records_from_content_refuse_unknown_fields():
    content = {
        "format": sub.FORMAT,
        "format_version": 1,
        "agency": {"id": "a", "name": "X"},
        "products": [{"id": "p", "name": "Y", "colour": "red"}],
    }
    with pytest.raises(sub.SubmissionFormatError, match=r"products\[1\]: onbekende velden colour"):
        sub.records_from_content(content)
    agency, sections = sub.records_from_content({**content, "products": [{"id": "p", "name": "Y"}]})
    assert isinstance(agency, Agency) and sections["products"][0].name == "Y"
