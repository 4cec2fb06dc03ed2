"""Conflicts settled without the interface: `elo-tui sync --list-conflicts [--json]` and
`--resolve-file`, two workspaces against one real tracker."""

from __future__ import annotations

import itertools
import json

import pytest

pytest.importorskip("fastapi")  # before the imports that need it

from elo_tracker.store import TrackerStore  # noqa: E402
from elo_tui.cli import main
from elo_tui.domain.records import Agency, Product
from elo_tui.store import Workspace
from elo_tui.sync import config
from tracker_testing import ServerThread, tracker_app  # noqa: E402

_ovo = itertools.count(500)


@pytest.fixture(scope="module")
def server_and_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("tracker") / "tracker.db"
    store = TrackerStore.open(db)
    with ServerThread(tracker_app(db)[0]) as server:
        yield server, store
    store.close()


@pytest.fixture
def laptops(server_and_store, tmp_path, monkeypatch):
    """Two laptops of one agency; each edits product P0 offline, one syncs first, so the
    second has a conflict: name changed on both, notes only by An, volume only by Bo."""
    server, store = server_and_store
    ovo = f"OVO{next(_ovo):06d}"
    monkeypatch.setenv(config.ENV_URL, server.url)
    monkeypatch.setenv(config.ENV_TOKEN, store.add_agency("Agentschap Conflict", ovo))
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    ws = Workspace.open(one / "a.sqlite", create=True, user="an")
    ws.save(Agency(name="Agentschap Conflict", ovo_code=ovo))
    ws.save_many(Product(name=f"P{i}") for i in range(3))
    ws.close()
    Workspace.open(two / "a.sqlite", create=True, user="bo").close()
    assert cli(one, "-q") == 0 and cli(two, "-q") == 0
    for state, change in (
        (one, {"name": "Naam van An", "notes": "notitie van An"}),
        (two, {"name": "Naam van Bo", "yearly_volume": 77}),
    ):
        with Workspace.open(state / "a.sqlite") as w:
            p = w.list(Product, order_by="name")[0]
            for k, v in change.items():
                setattr(p, k, v)
            w.save(p)
            pid = p.id
    assert cli(one, "-q") == 0
    assert cli(two, "-q") == 1
    return one, two, pid


def cli(state, *args) -> int:
    return main(["--state-dir", str(state), "--workspace", "a", "sync", *args])


def product(state, pid) -> Product:
    with Workspace.open(state / "a.sqlite") as ws:
        return ws.get(Product, pid)


def test_list_conflicts_shows_which_fields_need_a_choice(laptops, capsys):
    _, two, pid = laptops
    capsys.readouterr()
    assert cli(two, "--list-conflicts", "--json") == 1
    (row,) = json.loads(capsys.readouterr().out)
    assert row["record"] == f"product/{pid}" and row["label"] == "Naam van Bo"
    fields = {f["field"]: f for f in row["fields"]}
    assert set(fields) == {"name", "notes", "yearly_volume"}
    assert (fields["name"]["mine"], fields["name"]["theirs"]) == ("Naam van Bo", "Naam van An")
    assert {n for n, f in fields.items() if f["choose"]} == {"name"}
    assert cli(two, "--list-conflicts") == 1
    text = capsys.readouterr().out
    assert "Naam [name], te kiezen" in text and "Notities [notes], samenvoegbaar" in text


def test_resolve_file_settles_per_field_and_the_rest_merges(laptops, tmp_path, capsys):
    one, two, pid = laptops
    choices = tmp_path / "keuzes.toml"
    choices.write_text(f'[[choice]]\nrecord = "product/{pid}"\nfield = "name"\nuse = "theirs"\n')
    assert cli(two, "-q", "--resolve-file", str(choices)) == 0
    assert cli(one, "-q") == 0
    for state in (one, two):
        p = product(state, pid)
        assert (p.name, p.notes, p.yearly_volume) == ("Naam van An", "notitie van An", 77)
    assert cli(two, "--list-conflicts") == 0


def test_resolve_file_in_json_with_the_whole_record(laptops, tmp_path):
    one, two, pid = laptops
    choices = tmp_path / "keuzes.json"
    choices.write_text(json.dumps([{"record": pid, "use": "mine"}]))
    assert cli(two, "-q", "--resolve-file", str(choices)) == 0
    assert cli(one, "-q") == 0
    assert product(one, pid).name == "Naam van Bo"


def test_a_choice_missing_for_a_clashing_field_leaves_the_conflict_open(laptops, tmp_path, capsys):
    _, two, pid = laptops
    choices = tmp_path / "keuzes.toml"
    choices.write_text(f'[[choice]]\nrecord = "product/{pid}"\nfield = "notes"\nuse = "mine"\n')
    capsys.readouterr()
    assert cli(two, "-q", "--resolve-file", str(choices)) == 1  # synced; conflict still open
    assert "kies nog voor Naam (name)" in capsys.readouterr().err
    assert product(two, pid).name == "Naam van Bo"


def test_wrong_entries_are_named_and_the_valid_ones_still_apply(laptops, tmp_path, capsys):
    _, two, pid = laptops
    choices = tmp_path / "keuzes.toml"
    choices.write_text(
        f'[[choice]]\nrecord = "product/{pid}"\nfield = "name"\nuse = "theirs"\n'
        '[[choice]]\nrecord = "product/onbekend"\nuse = "mine"\n'
        '[[choice]]\nrecord = "x"\nuse = "allebei"\n'
    )
    capsys.readouterr()
    assert cli(two, "-q", "--resolve-file", str(choices)) == 2
    err = capsys.readouterr().err
    assert "keuzes.toml, keuze 3: 'use' moet" in err
    assert "keuze 2: geen conflict voor 'product/onbekend'" in err
    assert "Traceback" not in err
    assert product(two, pid).name == "Naam van An"  # the valid choice was applied


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[[choice]\nrecord=", "geen geldig TOML-bestand"),
        ('[[choice]]\nrecord = "p"\nfield = "kleur"\nuse = "mine"\n', None),
        ("titel = 'geen keuzes'\n", "bevat geen keuzes"),
    ],
)
def test_an_unreadable_choices_file_is_refused_with_a_message(
    laptops, tmp_path, capsys, content, message
):
    _, two, pid = laptops
    if message is None:  # an unknown field of a real conflict
        content = content.replace('"p"', f'"{pid}"')
        message = "heeft geen veld 'kleur'"
    choices = tmp_path / "keuzes.toml"
    choices.write_text(content)
    capsys.readouterr()
    assert cli(two, "-q", "--resolve-file", str(choices)) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert cli(two, "--list-conflicts") == 1  # nothing decided


def test_a_missing_choices_file_is_refused(tmp_path, capsys, laptops):
    _, two, _ = laptops
    assert cli(two, "--resolve-file", str(tmp_path / "nergens.toml")) == 2
    assert "Kan" in capsys.readouterr().err
