"""Re-importing a submission file that was edited by hand: validated before anything is
written, every problem named by its field path, the workspace never left unreadable."""

from __future__ import annotations

import copy
import itertools
import math
import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from elo_tui.cli import main
from elo_tui.domain import submission as sub
from elo_tui.domain.records import BlockStatus, Product
from elo_tui.io import export_toml
from elo_tui.io.submission_schema import SubmissionSchemaError
from elo_tui.services import submission as service
from elo_tui.store import Workspace, WorkspaceError
from submission_support import freeze


@pytest.fixture
def document(demo_ws):
    """A concept export of the demo workspace, without its hash (as if edited by hand:
    a file without "sha256" is accepted, so only the validation stands in the way)."""
    doc = service.document_of(freeze(demo_ws, author="An"))  # parsed whole: plain lists
    doc.pop("sha256")
    return doc


def test_wrong_types_huge_numbers_and_bad_days_are_named_by_path(document, tmp_path):
    document["products"][2]["yearly_volume"] = "veel"
    document["products"][0]["yearly_volume"] = 2**70
    document["products"][1]["surprise"] = 1
    document["block_statuses"][0]["target_date"] = "2026-02-30"
    document["agency"]["day_rate_internal"] = math.nan
    document["estimate_lines"][0]["likely_days"] = "3"
    with Workspace.open(tmp_path / "w.sqlite", create=True) as ws:
        with pytest.raises(SubmissionSchemaError) as caught:
            service.import_document(ws, document)
        assert ws.count(Product) == 0 and ws.count(BlockStatus) == 0
    lines = caught.value.lines
    assert "products[3].yearly_volume: moet een geheel getal zijn (waarde 'veel')." in lines
    assert any(line.startswith("products[1].yearly_volume: is te groot") for line in lines)
    assert any(line.startswith("products[2].surprise: onbekend veld") for line in lines)
    assert any(
        line.startswith("block_statuses[1].target_date: geen bestaande dag") for line in lines
    )
    assert any(line.startswith("agency.day_rate_internal: moet een eindig getal") for line in lines)
    assert any(line.startswith("estimate_lines[1].likely_days: moet een getal") for line in lines)


def test_cli_refuses_a_bad_file_with_paths_and_creates_no_workspace(document, tmp_path, capsys):
    document["products"][2]["yearly_volume"] = "x" * 1_000_000
    path = tmp_path / "indiening.toml"
    path.write_text(export_toml.dumps(document), encoding="utf-8")
    state = tmp_path / "state"
    code = main(["submission", "import", str(path), "--state-dir", str(state), "-w", "kopie"])
    err = capsys.readouterr().err
    assert code == 1
    assert "products[3].yearly_volume: moet een geheel getal zijn (waarde 'xxx" in err
    assert len(err) < 2_000 and "Traceback" not in err
    assert not (state / "kopie.sqlite").exists()


# Values a hand edit (or a broken tool) may put anywhere in the file.
_ANY_VALUE = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.one_of(st.text(max_size=5), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.dates().map(str),
    st.just("2026-02-30"),
)
_SECTIONS = ["agency", *sub.SECTIONS]
_SERIAL = itertools.count()


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: the suite stays deterministic
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    # no shrinking: the document is large, and a failure prints the edited paths anyway
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(data=st.data())
def test_random_edits_are_refused_with_a_path_or_imported_readably(document, tmp_path, data):
    doc = copy.deepcopy(document)
    edited = []
    for _ in range(data.draw(st.integers(1, 4))):
        section = data.draw(st.sampled_from(_SECTIONS))
        if section == "agency":
            target, where = doc["agency"], "agency"
        else:
            rows = doc[section]
            if not rows:
                continue
            i = data.draw(st.integers(0, len(rows) - 1))
            target, where = rows[i], f"{section}[{i + 1}]"
        key = data.draw(st.sampled_from([*target, "onbekend_veld"]))
        if key == "id":
            continue  # ids are identity; a changed id is just another record
        target[key] = data.draw(_ANY_VALUE)
        edited.append(f"{where}.{key}")
    # TOML is what a person edits: the document goes through TOML text first (written
    # by tomli-w, which also writes nan and inf, as a hand edit may)
    doc = export_toml.loads(export_toml.dumps_reference(doc))
    path = tmp_path / f"w{next(_SERIAL)}.sqlite"  # one fresh workspace per example
    with Workspace.open(path, create=True) as ws:
        try:
            service.import_document(ws, doc)
        except WorkspaceError as exc:  # a bug: shown with what was edited
            raise AssertionError(f"{edited}: {exc}") from None
        except sub.SubmissionFormatError as exc:
            # the path of an edited field, or of an item inside it ("to_check[2]")
            assert any(re.search(rf"{re.escape(p)}[:.\[]", str(exc)) for p in edited), str(exc)
            assert ws.count(Product) == 0
            return
    # accepted: the workspace reads back completely
    with Workspace.open(path) as ws:
        for kind in sub.SECTIONS.values():
            ws.list(kind)
        ws.agency()


_TOML_SCALAR = st.one_of(
    st.text(max_size=10),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.booleans(),
)
_TOML_TABLE = st.recursive(
    st.dictionaries(st.text(min_size=1, max_size=8), _TOML_SCALAR, max_size=4),
    lambda inner: st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.one_of(_TOML_SCALAR, inner, st.lists(inner, max_size=3)),
        max_size=4,
    ),
    max_leaves=20,
)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(
    table=_TOML_TABLE,
    keep=st.booleans(),
    raw=st.text(max_size=200),
)
def test_random_toml_documents_get_a_dutch_message_not_a_traceback(table, keep, raw):
    from elo_tui.io.submission_files import ExportError

    if keep:  # a document that claims to be a submission, with random sections
        table = {"format": sub.FORMAT, "format_version": sub.FORMAT_VERSION, **table}
    for text in (export_toml.dumps_reference(table), raw):
        try:
            document = export_toml.loads(text)
            service.verify_document(document)
        except (ValueError, ExportError) as exc:  # SubmissionFormatError is a ValueError
            assert str(exc) and "Traceback" not in str(exc)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from elo_tui.io import submission_files

    monkeypatch.setattr(submission_files, "MAX_READ_BYTES", 1024)
    path = tmp_path / "groot.toml"
    path.write_text("x = 1\n" * 1000, encoding="utf-8")
    with pytest.raises(submission_files.ExportError, match="te groot voor een indiening"):
        submission_files.read(path)
