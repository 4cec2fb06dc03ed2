"""The tracker's API contract is checked in (docs/openapi.json) and must match the
service: regenerate with `elo-tracker openapi -o docs/openapi.json` after a change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

CHECKED_IN = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def test_checked_in_openapi_matches_the_service():
    from elo_tracker.cli import openapi_text

    assert CHECKED_IN.exists(), "docs/openapi.json is missing"
    assert json.loads(CHECKED_IN.read_text(encoding="utf-8")) == json.loads(openapi_text()), (
        "docs/openapi.json drifted from the tracker; run "
        "`elo-tracker openapi -o docs/openapi.json` and review the diff"
    )


def test_openapi_is_served_at_the_usual_path_and_versioned(tmp_path):
    import httpx

    from elo_tracker.app import create_app
    from tracker_testing import ServerThread

    with ServerThread(create_app(tmp_path / "t.db")) as server:
        doc = httpx.get(server.url + "/openapi.json").json()
    assert all(path.startswith("/v1/") for path in doc["paths"])
    push = doc["paths"]["/v1/workspaces/{ovo}/changes"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in push["parameters"])
    assert "bearer" in json.dumps(doc["components"]["securitySchemes"]).lower()
    assert set(push["responses"]) >= {"200", "401", "403", "404", "413", "422"}


def test_the_documented_422_example_is_what_the_tracker_answers(tmp_path):
    import uuid

    import httpx

    from elo_tracker.app import create_app
    from elo_tracker.store import TrackerStore
    from tracker_testing import ServerThread

    store = TrackerStore.open(tmp_path / "t.db")
    token = store.add_agency("Agentschap", "OVO000901")
    store.close()
    with ServerThread(create_app(tmp_path / "t.db")) as server:
        doc = httpx.get(server.url + "/openapi.json").json()
        answer = httpx.post(
            server.url + "/v1/workspaces/OVO000901/changes",
            json={"records": [{"kind": "product", "id": "p1", "data": {"yearly_volume": 10**30}}]},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        )
    documented = doc["paths"]["/v1/workspaces/{ovo}/changes"]["post"]["responses"]["422"]
    example = documented["content"]["application/json"]["example"]
    assert answer.status_code == 422
    assert {k: answer.json()[k] for k in ("detail", "code", "field")} == example
