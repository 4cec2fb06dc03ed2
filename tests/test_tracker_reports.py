"""`elo-tracker report`: governance reports from a tracker filled through the real API (a
uvicorn server), on SQLite and PostgreSQL: content per kind, reproducibility, bad input."""

from __future__ import annotations

import uuid
import zipfile

import httpx
import pytest

pytest.importorskip("fastapi")  # before the imports that need it

from elo_tracker.cli import main  # noqa: E402
from elo_tracker.reports import GENERATED_PREFIX  # noqa: E402
from elo_tracker.store import TrackerStore  # noqa: E402
from tracker_testing import BACKENDS, ServerThread, fresh_database, tracker_app  # noqa: E402

A, B = "OVO000201", "OVO000202"


def rec(kind: str, rid: str, updated_at: str, **data) -> dict:
    return {
        "kind": kind,
        "id": rid,
        "base_rev": None,
        "updated_at": updated_at,
        "updated_by": "test",
        "data": data,
    }


def push(client, ovo, records):
    r = client.post(
        f"/workspaces/{ovo}/changes",
        json={"since": None, "records": records},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 200, r.text
    assert not r.json().get("rejected"), r.json()


@pytest.fixture(scope="module", params=BACKENDS)
def filled(request, tmp_path_factory):
    """Agency A: one conform product (its block parts went to production in Nov 2026), one
    lagging product with an overdue and a blocked step, a bottleneck, a delay VLAIO
    accepted, an exemption still requested, a baseline and a chosen plan. Agency B: empty."""
    db = fresh_database(request.param, tmp_path_factory.mktemp("reports"))
    store = TrackerStore.open(db)
    tokens = {
        "a": store.add_agency("Agentschap Alfa", A),
        "b": store.add_agency("Agentschap Bèta", B),
        "admin": store.add_admin("Vera VLAIO"),
    }
    store.close()
    _, app = tracker_app(db)
    with ServerThread(app) as server:
        c = {
            k: httpx.Client(
                base_url=server.url + "/v1", headers={"Authorization": f"Bearer {t}"}, timeout=10
            )
            for k, t in tokens.items()
        }
        oct_, nov = "2026-10-05T09:00:00Z", "2026-11-12T10:00:00Z"
        records = [
            rec("agency", "ag", oct_, name="Alfa", requested_cofinancing={"2026": 150000.0}),
            rec("application", "app1", oct_, name="Loket Alfa"),
            rec("product", "p1", oct_, name="Premie Zonnepanelen", on_elo="both",
                request_application_id="app1", followup_application_id="app1"),
            rec("product", "p2", oct_, name="Vergunning Mest", on_elo="none",
                request_application_id="app2"),
            rec("checklist_item", "c1", oct_, title="Testaccount aanvragen", status="open",
                due_date="2026-11-03", scope_kind="agency"),
            rec("checklist_item", "c2", oct_, title="Contract leverancier", status="blocked",
                owner="Jan", scope_kind="agency"),
            rec("bottleneck", "k1", oct_, description="Leverancier traag", status="open",
                bottleneck_kind="dependency", scope_kind="agency", reported_on="2026-10-01"),
            rec("delay", "d1", oct_, scope_kind="product", scope_id="p2", subject="dosis",
                original_date="2027-06-30", new_date="2027-12-31", requested_on="2026-10-02"),
            rec("exemption", "e1", oct_, scope_kind="product", scope_id="p2",
                subject="vms", requested_on="2026-10-03"),
            rec("baseline", "b1", oct_, product_id="p1", on_elo="both"),
            rec("baseline", "b2", oct_, product_id="p2", on_elo="none"),
            rec("plan_scenario", "s1", oct_, name="Snel", chosen=True),
            rec("plan_item", "i1", oct_, scenario_id="s1", scope_kind="application",
                scope_id="app1", block="acm_idm", quarter="2026-Q4"),
        ]  # fmt: skip
        from elo_contract import BLOCKS

        for code, scope, _, _ in BLOCKS:
            sid = "app1" if scope == "application" else "p1"
            records.append(
                rec("block_status", f"bs-{code}", nov, scope_kind=scope, scope_id=sid,
                    block=code, applicability="required", stage="production")
            )  # fmt: skip
        push(c["a"], A, records)
        r = c["admin"].post(
            f"/workspaces/{A}/reviews",
            json={"target_kind": "delay", "target_id": "d1", "verdict": "accepted"},
        )
        assert r.status_code in (200, 201), r.text
        for client in c.values():
            client.close()
        yield db


def report(db, tmp_path, kind, period, name="r.md") -> tuple[int, str]:
    out = tmp_path / name
    where = ["--database-url", db] if isinstance(db, str) else ["--db", str(db)]
    code = main(["report", "--kind", kind, "--period", period, "--out", str(out), *where])
    return code, out.read_text(encoding="utf-8") if out.exists() else ""


def test_kernwerkgroep_report_lists_what_changed_and_what_is_stuck_per_entity(filled, tmp_path):
    code, text = report(filled, tmp_path, "kernwerkgroep", "2026-11")
    assert code == 0
    alfa = text.split("## Agentschap Alfa")[1].split("## Agentschap Bèta")[0]
    assert (
        "2026-11-12: Loket Alfa – Toegangs- en gebruikersbeheer (ACM/IDM): aanmelden: productie"
        in alfa
    )
    new = alfa.split("### Nieuw ELO-conforme producten")[1].split("###")[0]
    assert "Premie Zonnepanelen" in new and "Vergunning Mest" not in new
    assert "2026-11-03: Testaccount aanvragen" in alfa  # overdue on 30 November
    assert "Contract leverancier (eigenaar: Jan)" in alfa
    assert "Leverancier traag (afhankelijk van een bouwsteen of leverancier)" in alfa
    assert "van 2027-06-30 naar 2027-12-31; aanvaard" in alfa
    assert "1.202 producten" in text and "VR 2025 1212 DOC.1191/1BIS" in text
    assert "€ 3.582.000 zonder het Mestbankloket" in text


def test_kernwerkgroep_of_an_earlier_month_shows_no_changes_from_later(filled, tmp_path):
    _, text = report(filled, tmp_path, "kernwerkgroep", "2026-09")
    alfa = text.split("## Agentschap Alfa")[1]
    assert "### Fasewijzigingen in de periode\n\nGeen." in alfa
    assert "### Nieuw ELO-conforme producten\n\nGeen." in alfa


def test_stuurgroep_report_counts_requirements_risks_exceptions_and_cofinancing(filled, tmp_path):
    code, text = report(filled, tmp_path, "stuurgroep", "2026-Q4")
    assert code == 0
    assert "Nog 181 dagen na de peildatum. 1 van 2 producten ELO-conform" in text
    assert "| Agentschap Alfa | 0 | 0 | 1 |" in text  # the exemption is still requested
    assert "| 2026 | € 150.000 | € 1.000.000 | € 850.000 | € 325.000 |" in text
    assert "onder voorbehoud" in text
    for label in ("## Vereisten", "## Producten met risico op vertraging", "30 juni 2027"):
        assert label in text


def test_evaluatie_report_sets_plan_against_realisation_and_leaves_proposals_open(filled, tmp_path):
    code, text = report(filled, tmp_path, "evaluatie", "2026-12")
    assert code == 0
    assert "| Agentschap Alfa | 2 | 1 | 1 | 1 | 1 |" in text
    assert "| Agentschap Bèta | 0 | 0 | 0 | 0 | 0 |" in text
    assert text.rstrip().endswith("## Voorstellen\n\n_(in te vullen)_")
    assert "## Budgetgebruik" in text


@pytest.mark.parametrize("kind,period", [("kernwerkgroep", "2026-11"), ("stuurgroep", "2026-Q4"),
                                         ("evaluatie", "2026-12")])  # fmt: skip
def test_same_data_and_period_give_the_same_bytes_except_the_generation_line(
    filled, tmp_path, kind, period
):
    _, first = report(filled, tmp_path, kind, period, "1.md")
    _, second = report(filled, tmp_path, kind, period, "2.md")

    def stable(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith(GENERATED_PREFIX)]

    assert sum(line.startswith(GENERATED_PREFIX) for line in first.splitlines()) == 1
    assert stable(first) == stable(second)
    store = TrackerStore.open(filled)
    try:  # the latest change is VLAIO's decision on the delay (stamped by the tracker)
        latest = store.records_of(A, ["review"], with_updated_at=["review"])["review"][0]
    finally:
        store.close()
    assert f"Gegevens tot en met: {latest['updated_at']} " in first  # the data cut-off


def test_xlsx_report_holds_the_markdown_lines_a_chart_and_is_reproducible(filled, tmp_path):
    from openpyxl import load_workbook

    where = ["--database-url", filled] if isinstance(filled, str) else ["--db", str(filled)]
    paths = [tmp_path / "1.xlsx", tmp_path / "2.xlsx"]
    for out in paths:
        argv = ["report", "--kind", "stuurgroep", "--period", "2026-Q4", "--format", "xlsx"]
        assert main([*argv, "--out", str(out), *where]) == 0
    sheets = [load_workbook(p).active for p in paths]
    rows = [[r for r in s.iter_rows(values_only=True)] for s in sheets]
    differing = [i for i, (a, b) in enumerate(zip(*rows, strict=True)) if a != b]
    assert all(str(rows[0][i][0]).startswith(GENERATED_PREFIX) for i in differing)
    assert ("Agentschap Alfa", 0, 0, 1, None) in rows[0]  # the exceptions table, in columns
    # Byte for byte, only the part holding the generation line may differ (the sheet, where
    # this openpyxl writes the cell's text, or the shared strings); the rows compared above
    # show that line is the only difference. Two runs within one second are identical.
    with zipfile.ZipFile(paths[0]) as one, zipfile.ZipFile(paths[1]) as two:
        names = one.namelist()
        assert names == two.namelist()
        differ = [n for n in names if one.read(n) != two.read(n)]
        assert set(differ) <= {"xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"}
        assert [i.date_time for i in one.infolist()] == [i.date_time for i in two.infolist()]
    assert len(sheets[0]._charts) == 1


@pytest.mark.parametrize(
    "kind,period,message",
    [
        ("stuurgroep", "2026-11", "per kwartaal"),
        ("kernwerkgroep", "2026-Q4", "per maand"),
        ("kernwerkgroep", "2026-13", "maand 13 bestaat niet"),
        ("evaluatie", "eind 2026", "ongeldig"),
    ],
)
def test_bad_period_is_a_dutch_message_and_writes_nothing(
    filled, tmp_path, capsys, kind, period, message
):
    code, text = report(filled, tmp_path, kind, period)
    assert code == 2 and text == ""
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# -- the same reports over the API (GET /v1/reports/{kind}) ------------------------------


@pytest.fixture(scope="module")
def served(filled):
    """The filled tracker behind a real server, with an admin's and an agency's client."""
    store = TrackerStore.open(filled)
    try:  # tokens only: the reports read records, not principals
        tokens = {
            "admin": store.add_admin("Rapport Test"),
            "agency": store.add_agency("Agentschap Alfa", A),
        }
    finally:
        store.close()
    _, app = tracker_app(filled)
    with ServerThread(app) as server:
        clients = {
            k: httpx.Client(
                base_url=server.url + "/v1", headers={"Authorization": f"Bearer {t}"}, timeout=30
            )
            for k, t in tokens.items()
        }
        yield clients
        for client in clients.values():
            client.close()


def _stable(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(GENERATED_PREFIX)]


@pytest.mark.parametrize("kind,period", [("kernwerkgroep", "2026-11"), ("stuurgroep", "2026-q4"),
                                         ("evaluatie", "2026-12")])  # fmt: skip
def test_the_report_route_answers_the_bytes_the_cli_writes(served, filled, tmp_path, kind, period):
    r = served["admin"].get(f"/reports/{kind}", params={"period": period})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    label = period.upper() if "q" in period else period
    assert r.headers["content-disposition"] == f'attachment; filename="elo-{kind}-{label}.md"'
    _, cli_text = report(filled, tmp_path, kind, period)
    assert cli_text and _stable(r.content.decode("utf-8")) == _stable(cli_text)
    assert r.content.decode("utf-8").count(GENERATED_PREFIX) == 1


def test_the_report_route_answers_the_cli_xlsx(served, filled, tmp_path):
    from openpyxl import load_workbook

    r = served["admin"].get("/reports/stuurgroep", params={"period": "2026-Q4", "format": "xlsx"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="elo-stuurgroep-2026-Q4.xlsx"' in r.headers["content-disposition"]
    (tmp_path / "api.xlsx").write_bytes(r.content)
    where = ["--database-url", filled] if isinstance(filled, str) else ["--db", str(filled)]
    argv = ["report", "--kind", "stuurgroep", "--period", "2026-Q4", "--format", "xlsx"]
    assert main([*argv, "--out", str(tmp_path / "cli.xlsx"), *where]) == 0
    rows = [
        [row for row in load_workbook(tmp_path / name).active.iter_rows(values_only=True)]
        for name in ("api.xlsx", "cli.xlsx")
    ]
    differing = [i for i, (a, b) in enumerate(zip(*rows, strict=True)) if a != b]
    assert all(str(rows[0][i][0]).startswith(GENERATED_PREFIX) for i in differing)
    with (
        zipfile.ZipFile(tmp_path / "api.xlsx") as one,
        zipfile.ZipFile(tmp_path / "cli.xlsx") as two,
    ):
        assert one.namelist() == two.namelist()
        differ = {n for n in one.namelist() if one.read(n) != two.read(n)}
        assert differ <= {"xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"}


@pytest.mark.parametrize(
    "path,params,field,message",
    [
        ("/reports/stuurgroep", {"period": "2026-11"}, "query.period", "per kwartaal"),
        ("/reports/kernwerkgroep", {"period": "2026-13"}, "query.period", "maand 13 bestaat niet"),
        ("/reports/evaluatie", {"period": "eind 2026"}, "query.period", "gebruik JJJJ-MM"),
        ("/reports/kernwerkgroep", {}, "query.period", "ontbreekt"),
        ("/reports/jaarverslag", {"period": "2026-11"}, "path.kind", "onbekende waarde"),
        ("/reports/kernwerkgroep", {"period": "2026-11", "format": "pdf"}, "query.format",
         "onbekende waarde"),
    ],
)  # fmt: skip
def test_a_bad_kind_or_period_is_a_dutch_422_naming_the_field(served, path, params, field, message):
    r = served["admin"].get(path, params=params)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid" and body["field"] == field
    assert body["detail"].startswith(f"Ongeldige invoer bij {field}: ")
    assert message in body["detail"]


def test_reports_are_for_vlaio_only(served):
    r = served["agency"].get("/reports/kernwerkgroep", params={"period": "2026-11"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert GENERATED_PREFIX not in r.text
    url = str(served["admin"].base_url).rstrip("/") + "/reports/kernwerkgroep"
    anonymous = httpx.get(url, params={"period": "2026-11"}, timeout=10)
    assert anonymous.status_code == 401
