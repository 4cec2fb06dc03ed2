"""The programme view's data: a snapshot of the whole programme pulled from the tracker
with an admin token, kept on disk for meetings without network, and VLAIO's writes
(decisions on exemptions and delays, review feedback on submissions) and governance
reports (`/reports/{kind}`, saved owner-only; they need the connection: a report is the
tracker's current data, not the snapshot's).

The snapshot is one JSON file in the state folder (`programma.snapshot.json`, owner-only,
written atomically). It holds what the tracker's admin endpoints answered (`/overview`,
`/bottlenecks`, each agency's submissions, the co-financing figures of each latest
submission) and when: never the token. Writes go straight to the tracker; offline they
are refused with a Dutch message (not queued: a decision must not reach an agency later
than the person deciding believes).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SNAPSHOT_FILE = "programma.snapshot.json"
SNAPSHOT_FORMAT = "elo-programma-momentopname"
SNAPSHOT_VERSION = 1
ENV_ADMIN_TOKEN = "ELO_TUI_ADMIN_TOKEN"
ENV_URL = "ELO_TUI_TRACKER_URL"
REPORT_TIMEOUT = 120.0  # seconds for the tracker to build and send a report

DECISIONS = {"accepted": "aanvaard", "refused": "geweigerd"}
REQUEST_STATES = {"requested": "gevraagd", **DECISIONS}
FEEDBACK = {"verified": "nagekeken", "issues": "heeft problemen", "approved": "goedgekeurd"}
REVIEW_STATES = {"": "niet beoordeeld", **FEEDBACK, **DECISIONS}
REQUEST_KINDS = {"exemption": "uitzondering", "delay": "verantwoorde vertraging"}


class ProgrammeError(Exception):
    """A Dutch message, safe to show (never contains the token)."""


@dataclass
class Snapshot:
    """What the programme view shows: the tracker's answers and when they were pulled."""

    fetched_at: str  # ISO UTC
    url: str
    admin: str
    overview: dict[str, Any]
    bottlenecks: dict[str, Any]
    submissions: dict[str, list[dict[str, Any]]]  # ovo -> submission infos
    # ovo -> figures of the latest submission's co-financing section (eligible totals)
    cofinancing: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def agencies(self) -> list[dict[str, Any]]:
        return self.overview.get("agencies", [])

    def fetched(self) -> datetime:
        return datetime.fromisoformat(self.fetched_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SNAPSHOT_FORMAT,
            "format_version": SNAPSHOT_VERSION,
            "fetched_at": self.fetched_at,
            "url": self.url,
            "admin": self.admin,
            "overview": self.overview,
            "bottlenecks": self.bottlenecks,
            "submissions": self.submissions,
            "cofinancing": self.cofinancing,
        }

    @classmethod
    def from_json(cls, data: Any) -> Snapshot:
        if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
            raise ProgrammeError("Dit is geen momentopname van het programma-overzicht.")
        if data.get("format_version") != SNAPSHOT_VERSION:
            raise ProgrammeError(
                f"Momentopname in een onbekende versie ({data.get('format_version')}); "
                "haal een nieuwe op bij de centrale opvolging."
            )
        try:
            snap = cls(
                fetched_at=str(data["fetched_at"]),
                url=str(data.get("url", "")),
                admin=str(data.get("admin", "")),
                overview=dict(data["overview"]),
                bottlenecks=dict(data.get("bottlenecks") or {}),
                submissions=dict(data.get("submissions") or {}),
                cofinancing=dict(data.get("cofinancing") or {}),
            )
            snap.fetched()
        except (KeyError, TypeError, ValueError):
            raise ProgrammeError(
                "De momentopname van het programma-overzicht is onvolledig of beschadigd; "
                "haal een nieuwe op bij de centrale opvolging."
            ) from None
        return snap


# -- the file ---------------------------------------------------------------------------------


def snapshot_path(state_dir: Path) -> Path:
    return Path(state_dir) / SNAPSHOT_FILE


def save_snapshot(state_dir: Path, snap: Snapshot) -> Path:
    """Owner-only, atomically (a crash leaves the previous snapshot whole)."""
    path = snapshot_path(state_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(snap.to_json(), f, ensure_ascii=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def load_snapshot(state_dir: Path) -> Snapshot | None:
    """The last snapshot, None when there is none; ProgrammeError when unreadable."""
    path = snapshot_path(state_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ProgrammeError(
            f"De momentopname {path} kan niet gelezen worden: {exc.strerror}."
        ) from None
    try:
        data = json.loads(text)
    except ValueError:
        raise ProgrammeError(
            f"De momentopname {path} is beschadigd (geen geldige JSON); haal een nieuwe op."
        ) from None
    return Snapshot.from_json(data)


def age_text(snap: Snapshot, now: datetime | None = None) -> str:
    """'momentopname van 01/12/2026 14:05 (3 uur oud)' in local time."""
    from elo_tui.domain.formats import plural

    fetched = snap.fetched()
    now = now or datetime.now(UTC)
    seconds = max(0.0, (now - fetched).total_seconds())
    if seconds < 60:
        age = "net opgehaald"
    elif seconds < 3600:
        age = plural(int(seconds // 60), "minuut", "minuten") + " oud"
    elif seconds < 2 * 86400:
        age = plural(int(seconds // 3600), "uur", "uur") + " oud"
    else:
        age = plural(int(seconds // 86400), "dag", "dagen") + " oud"
    local = fetched.astimezone()
    return f"momentopname van {local:%d/%m/%Y %H:%M} ({age})"


# -- the tracker --------------------------------------------------------------------------------


def read_token(token_file: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """The admin token from --token-file or ELO_TUI_ADMIN_TOKEN; None when neither."""
    from elo_tui.sync.config import SyncConfigError, check_token

    if env is None:
        env = os.environ
    if token_file:
        try:
            text = Path(token_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ProgrammeError(
                f"Tokenbestand {token_file} kan niet gelezen worden: {exc.strerror}."
            ) from None
        where = f"tokenbestand {token_file}"
    elif env.get(ENV_ADMIN_TOKEN):
        text, where = env[ENV_ADMIN_TOKEN], ENV_ADMIN_TOKEN
    else:
        return None
    try:
        return check_token(text)
    except SyncConfigError as exc:
        raise ProgrammeError(f"{where}: {exc}") from None


class Tracker:
    """The admin's connection: a TrackerClient with few retries (a person is waiting)."""

    def __init__(self, url: str, token: str, *, transport=None) -> None:
        from elo_tui.sync.client import RetryPolicy, SyncError, TrackerClient

        try:
            self.client = TrackerClient(
                url, token, retry=RetryPolicy(attempts=2, max_delay=1.0), transport=transport
            )
        except SyncError as exc:
            raise ProgrammeError(str(exc)) from None
        self.url = self.client.url

    def close(self) -> None:
        self.client.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        from elo_tui.sync.client import AuthRefused, SyncError

        try:
            if method == "GET" and kwargs.pop("as_list", False):
                return self.client.request(method, path, **kwargs).json()
            return self.client.request_json(method, path, **kwargs)
        except AuthRefused as exc:
            raise TokenRefused(_admin_wording(str(exc))) from None
        except SyncError as exc:
            if _offline(exc):
                raise TrackerUnavailable(str(exc)) from None
            raise ProgrammeError(str(exc)) from None
        except ValueError:
            raise ProgrammeError(
                f"De centrale opvolging gaf een onleesbaar antwoord op {path}."
            ) from None

    def check_admin(self) -> str:
        me = self._call("GET", "/me")
        if me.get("role") != "admin":
            raise TokenRefused(
                "Dit token hoort bij een agentschap, niet bij VLAIO: het programma-overzicht "
                "vraagt een beheerderstoken (elo-tracker add-admin)."
            )
        return str(me.get("name", ""))

    def fetch(self, progress: Callable[[str], None] | None = None) -> Snapshot:
        """A new snapshot of the whole programme."""
        say = progress or (lambda _text: None)
        admin = self.check_admin()
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        say("Overzicht ophalen…")
        overview = self._call("GET", "/overview")
        say("Knelpunten ophalen…")
        bottlenecks = self._call("GET", "/bottlenecks")
        submissions: dict[str, list[dict[str, Any]]] = {}
        cofinancing: dict[str, dict[str, Any]] = {}
        agencies = overview.get("agencies", [])
        for n, agency in enumerate(agencies, 1):
            ovo = agency["ovo_code"]
            if not agency.get("submissions"):
                continue
            say(f"Indieningen ophalen ({n}/{len(agencies)})…")
            items = self._call("GET", f"/workspaces/{ovo}/submissions", as_list=True)
            submissions[ovo] = items if isinstance(items, list) else []
            latest = (agency.get("latest_submission") or {}).get("id")
            if latest:
                full = self._call("GET", f"/workspaces/{ovo}/submissions/{latest}")
                cofinancing[ovo] = cofinancing_figures(full.get("content", ""))
        return Snapshot(
            fetched_at=fetched_at,
            url=self.url,
            admin=admin,
            overview=overview,
            bottlenecks=bottlenecks,
            submissions=submissions,
            cofinancing=cofinancing,
        )

    def submission(self, ovo: str, sid: str) -> dict[str, Any]:
        return self._call("GET", f"/workspaces/{ovo}/submissions/{sid}")

    def review(
        self, ovo: str, target_kind: str, target_id: str, verdict: str, comment: str
    ) -> dict[str, Any]:
        """VLAIO's feedback or decision; reaches the agency on its next pull."""
        body = {
            "target_kind": target_kind,
            "target_id": target_id,
            "verdict": verdict,
            "comment": comment,
        }
        return self._call("POST", f"/workspaces/{ovo}/reviews", json=body)

    def report(self, kind: str, period: str, fmt: str) -> tuple[bytes, str]:
        """A governance report from the tracker's current data (`GET /reports/{kind}`, the
        bytes `elo-tracker report` writes) and its file name. A period the tracker refuses
        is a ReportInputError with the tracker's Dutch sentence."""
        import httpx

        from elo_tui.sync.client import AuthRefused, Refused, SyncError

        try:
            response = self.client.request(
                "GET",
                f"/reports/{kind}",
                params={"period": period, "format": fmt},
                # The tracker builds it from all its data: ~6 s for the kernwerkgroep at
                # 20,000 products on a busy machine; more than the client's usual 15 s.
                timeout=httpx.Timeout(REPORT_TIMEOUT, connect=5.0),
            )
        except AuthRefused as exc:
            raise TokenRefused(_admin_wording(str(exc))) from None
        except Refused as exc:
            if exc.status == 422 and exc.field == "query.period":
                # The tracker's sentence about the period, without its field prefix.
                raise ReportInputError(
                    exc.detail.removeprefix("Ongeldige invoer bij query.period: ")
                ) from None
            raise ProgrammeError(str(exc)) from None
        except SyncError as exc:
            if _offline(exc):
                raise TrackerUnavailable(str(exc)) from None
            raise ProgrammeError(str(exc)) from None
        return response.content, report_name(
            response.headers.get("content-disposition", ""), kind, period, fmt
        )


def report_name(disposition: str, kind: str, period: str, fmt: str) -> str:
    """The file name the tracker gave, when it is a plain one; else one made here (a file
    name from the network never picks a folder)."""
    import re

    found = re.search(r'filename="([^"]*)"', disposition)
    name = found[1] if found else ""
    if re.fullmatch(r"elo-[a-z]+-[0-9A-Za-z-]+\.(md|xlsx)", name):
        return name
    return f"elo-{kind}-{re.sub(r'[^0-9A-Za-z-]', '_', period.strip())}.{fmt}"


def save_report(folder: Path, name: str, payload: bytes) -> Path:
    """Owner-only, via a temporary file and a rename; an earlier report of the same kind
    and period is kept (the new one gets -2, -3, …: the tracker's data moved on since)."""
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem, dot, ext = name.rpartition(".")
    path = folder / name
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{dot}{ext}"
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


class TokenRefused(ProgrammeError):
    """The token is refused, expired or not an admin's."""


class TrackerUnavailable(ProgrammeError):
    """The tracker could not be reached: work from the last snapshot."""


class ReportInputError(ProgrammeError):
    """The tracker refused the report's period (the message is its Dutch sentence)."""


def _offline(exc: Exception) -> bool:
    from elo_tui.sync.client import Offline

    return isinstance(exc, Offline)


def _admin_wording(message: str) -> str:
    # The client's 401 text points an agency at its sync settings; an admin has none.
    if "(401)" in message:
        return (
            "De centrale opvolging weigert het beheerderstoken (401): verlopen of ongeldig. "
            "Vraag een nieuw (elo-tracker add-admin) en geef het met --token-file of "
            f"{ENV_ADMIN_TOKEN}."
        )
    return message


def cofinancing_figures(content: str) -> dict[str, Any]:
    """Eligible and not-eligible costs from a submission's co-financing section; {} when
    the content does not have them (an older format)."""
    try:
        data = json.loads(content)
        eligibility = data["cofinancing"]["eligibility"]
        return {
            "eligible_total": float(eligibility.get("eligible_total") or 0.0),
            "not_eligible_total": float(eligibility.get("not_eligible_total") or 0.0),
            "lines_by_default_rule": int(eligibility.get("lines_by_default_rule") or 0),
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


# -- applying a write to the snapshot in memory ----------------------------------------------


def apply_decision(snap: Snapshot, ovo: str, request_id: str, verdict: str, comment: str) -> None:
    """Show a decision just written without pulling everything again."""
    for agency in snap.agencies:
        if agency["ovo_code"] != ovo:
            continue
        for r in agency.get("requests", []):
            if r["id"] == request_id:
                r["state"] = verdict
                r["decision_comment"] = comment
                r["decided_by"] = snap.admin
                r["decided_at"] = datetime.now(UTC).isoformat(timespec="seconds")


def apply_review(snap: Snapshot, ovo: str, sid: str, verdict: str) -> None:
    for s in snap.submissions.get(ovo, []):
        if s.get("id") == sid:
            s["review_state"] = verdict
    for agency in snap.agencies:
        latest = agency.get("latest_submission") or {}
        if agency["ovo_code"] == ovo and latest.get("id") == sid:
            latest["review_state"] = verdict
