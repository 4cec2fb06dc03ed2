"""Synchronisation with the central tracker: settings, status and the sync itself.

Sync runs in a worker thread with its own connection to the workspace file, so the
interface stays responsive and edits made meanwhile are safe (they stay dirty and go
out next time). The token is typed in a masked field, stored owner-only next to the
workspace and never shown again. The HTTP client is imported only when a sync starts.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, ProgressBar, Static
from textual.worker import get_current_worker

from elo_tui.domain.formats import format_stamp, plural
from elo_tui.screens.base import AreaScreen
from elo_tui.sync import config as sync_config
from elo_tui.sync import conflicts
from elo_tui.sync.state import status

STATE_LABELS = {
    "online": ("● online", "green"),
    "offline": ("○ offline: centrale opvolging niet bereikbaar", "yellow"),
    "error": ("✕ laatste synchronisatie mislukt", "red"),
}


def _when(stamp: str) -> str:
    return format_stamp(stamp) if stamp else "nog nooit"


class SyncScreen(AreaScreen):
    MODE = "sync"
    BINDINGS = [
        Binding("s,f5", "sync", "Synchroniseren", key_display="s/F5"),
        Binding("c", "conflicts", "Conflicten"),
        Binding("t", "check", "Verbinding testen"),
        Binding("f2", "save_settings", "Instellingen bewaren"),
    ]
    DEFAULT_CSS = """
    SyncScreen #sync-body { padding: 1 2; height: 1fr; }
    SyncScreen .section { text-style: bold; margin-top: 1; }
    SyncScreen #settings { height: auto; }
    SyncScreen #settings Input { width: 1fr; }
    SyncScreen #settings Button { width: auto; margin-left: 1; }
    SyncScreen #status, SyncScreen #config-line, SyncScreen #result, SyncScreen #phase,
    SyncScreen #feedback {
        height: auto; }
    SyncScreen #progress-row { height: 1; margin-top: 1; }
    SyncScreen #progress-row ProgressBar { width: auto; }
    SyncScreen #phase { margin-left: 2; color: $text-muted; }
    SyncScreen #actions { height: auto; margin-top: 1; }
    SyncScreen #actions Button { margin-right: 2; }
    SyncScreen #result.-error { color: $error; }
    """

    running = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="sync-body"):
            yield Label("Centrale opvolging", classes="section")
            yield Static("", id="config-line")
            with Horizontal(id="settings"):
                yield Input(placeholder="adres, bv. https://…", id="url")
                yield Input(
                    placeholder="token van VLAIO (wordt niet getoond)", password=True, id="token"
                )
                yield Button("Bewaren (F2)", id="save")
            yield Label("Toestand", classes="section")
            yield Static("", id="status")
            with Horizontal(id="progress-row"):
                yield ProgressBar(total=None, show_eta=False, id="progress")
                yield Static("", id="phase")
            with Horizontal(id="actions"):
                yield Button("Synchroniseren (s)", variant="primary", id="sync")
                yield Button("Conflicten (c)", id="conflicts")
            yield Static("", id="result")
            yield Label("Recente feedback van VLAIO", classes="section")
            yield Static("", id="feedback")

    # -- showing -------------------------------------------------------------------------

    def _config(self) -> sync_config.SyncConfig | None:
        try:
            return sync_config.load(self.app.ws.path)
        except sync_config.SyncConfigError as exc:
            self._show_result(str(exc), error=True)
            return None

    def load(self) -> None:
        cfg = self._config()
        line = Text(cfg.describe() if cfg else "Instellingen onleesbaar.")
        if cfg and cfg.url_from_env:
            line.append(f"  (adres uit {sync_config.ENV_URL})", style="dim")
        if cfg and cfg.url:
            line.append(f"  · onbereikbaar: {cfg.retry_window:.0f} s opnieuw proberen", style="dim")
        self.query_one("#config-line", Static).update(line)
        url_input = self.query_one("#url", Input)
        if cfg and cfg.url and not url_input.value:
            url_input.value = cfg.url
        self.refresh_status()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#progress-row").display = False  # shown once a sync starts
        self._focus_next_step()

    def _focus_next_step(self) -> None:
        """Focus the sync button, never a text field: the area keys, `?`, `s` and `t`
        act at once; typing the address starts with tab, a click or `s` when it is
        missing (the sync then says what to fill in and puts the cursor there)."""
        self.query_one("#sync").focus()

    def refresh_status(self, online: bool | None = None) -> None:
        st = status(self.app.ws)
        text = Text()
        pending = st["pending"]
        text.append(f"Wijzigingen niet gesynchroniseerd: {pending}\n")
        text.append(f"Laatste geslaagde synchronisatie: {_when(st['last_success'])}\n")
        state = "online" if online else ("offline" if online is False else st["state"])
        if state in STATE_LABELS:
            label, style = STATE_LABELS[state]
            text.append(label + "\n", style=style)
        shown = str(self.query_one("#result", Static).render())
        if (
            st["state"] in ("offline", "error")
            and st["last_error"]
            and online is not True
            and st["last_error"] not in shown  # the result line already says it
        ):
            text.append(st["last_error"] + "\n", style="dim")
        n = st["conflicts"]
        if n:
            text.append(
                f"{plural(n, 'conflict wacht', 'conflicten wachten')} op een beslissing: druk c.\n",
                style="bold yellow",
            )
        self.query_one("#status", Static).update(text)
        self._show_feedback()

    def _show_feedback(self) -> None:
        from elo_tui.services.reviews import describe, recent

        items = recent(self.app.ws, 8)
        text = Text()
        for review, target in items:
            if text:
                text.append("\n")
            text.append(f"{target}: ", style="bold")
            text.append(describe(review))
        if not items:
            text.append("Nog geen feedback ontvangen.", style="dim")
        self.query_one("#feedback", Static).update(text)

    def _show_result(self, message: str, *, error: bool = False) -> None:
        result = self.query_one("#result", Static)
        result.update(Text(message))
        result.set_class(error, "-error")

    # -- settings --------------------------------------------------------------------------

    def action_save_settings(self) -> None:
        url = self.query_one("#url", Input).value
        token_input = self.query_one("#token", Input)
        try:
            sync_config.save(
                self.app.ws.path, url=url, token=token_input.value if token_input.value else None
            )
        except sync_config.SyncConfigError as exc:
            self._show_result(str(exc), error=True)
            return
        token_input.value = ""  # never keep the token on screen
        self._show_result("Instellingen bewaard (alleen leesbaar voor jou).")
        self.notify("Instellingen voor de centrale opvolging bewaard.", markup=False)
        self.load()
        self._focus_next_step()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "save": self.action_save_settings,
            "sync": self.action_sync,
            "conflicts": self.action_conflicts,
        }
        if event.button.id in actions:
            actions[event.button.id]()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save_settings()

    # -- sync ------------------------------------------------------------------------------

    def action_sync(self) -> None:
        if self.running:
            self.notify("Er loopt al een synchronisatie.", markup=False)
            return
        cfg = self._config()
        if cfg is None:
            return
        if not cfg.complete:
            self._show_result(
                "Stel eerst het adres en het token van de centrale opvolging in.", error=True
            )
            self.query_one("#url" if not cfg.url else "#token", Input).focus()
            return
        self.running = True
        self.query_one("#sync", Button).disabled = True
        self.query_one("#progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#progress-row").display = True
        self._show_result("")
        self.run_sync(cfg)

    @work(exclusive=True, group="sync", exit_on_error=False, thread=True)
    def run_sync(self, cfg: sync_config.SyncConfig) -> None:
        from elo_tui.services import sync as sync_service

        worker = get_current_worker()
        outcome = None
        try:
            outcome = sync_service.run(
                self.app.ws.path,  # the service opens its own connection for this thread
                self.app.ws.user,
                cfg,
                on_progress=lambda p: self.app.call_from_thread(self._on_progress, p),
                on_wait=lambda w: self.app.call_from_thread(
                    self._on_phase, sync_service.wait_text(w)
                ),
                cancelled=lambda: worker.is_cancelled,
            )
        finally:  # the screen never stays "running", even after a bug
            if not worker.is_cancelled:
                kind, message = "error", "Synchronisatie mislukt door een onverwachte fout."
                if outcome is not None:
                    known = ("ok", "conflicts", "cancelled", "offline")
                    kind = outcome.kind if outcome.kind in known else kind
                    message = outcome.message
                self.app.call_from_thread(self._on_done, kind, message)

    def _on_progress(self, p) -> None:
        bar = self.query_one("#progress", ProgressBar)
        if p.total:
            bar.update(total=p.total, progress=p.done)
        elif p.phase == "done":
            bar.update(total=1, progress=1)
        from elo_tui.services.sync import progress_text

        self._on_phase(progress_text(p))

    def _on_phase(self, text: str) -> None:
        self.query_one("#phase", Static).update(Text(text))

    def _on_done(self, outcome: str, message: str) -> None:
        self.running = False
        self.query_one("#progress-row").display = False  # done: no bar left half-way
        self.query_one("#sync", Button).disabled = False
        self.app.data_changed()  # pulled records: other screens reload when shown
        self._loaded_version = self.app.data_version
        if outcome == "ok":
            self._show_result(f"Klaar: {message}.")
            self.notify(f"Gesynchroniseerd: {message}.", markup=False)
        elif outcome == "conflicts":
            self._show_result(f"Klaar: {message}. Beslis de conflicten (c).")
            self.notify(
                "Er zijn conflicten: kies per veld welke versie blijft.",
                severity="warning",
                markup=False,
            )
        elif outcome == "offline":
            # Reported once, here; the status below says "offline" without repeating it.
            self._show_result(message, error=True)
        else:
            self._show_result(message, error=outcome == "error")
            if outcome == "error":
                self.notify(
                    message,
                    title="Synchronisatie mislukt",
                    severity="error",
                    markup=False,
                    timeout=10,
                )
        self._on_phase("")
        self.refresh_status()
        try:
            from elo_tui.widgets.navbar import NavBar

            self.query_one(NavBar).refresh_status()
        except Exception:  # noqa: BLE001 - the nav bar is optional decoration here
            pass

    def on_unmount(self) -> None:
        self.workers.cancel_group(self, "sync")

    # -- connection test ------------------------------------------------------------------

    def action_check(self) -> None:
        cfg = self._config()
        if cfg is None or not cfg.url:
            self._show_result("Geen adres ingesteld.", error=True)
            return
        self._show_result("Verbinding testen…")
        self.check_connection(cfg)

    @work(exclusive=True, group="sync-check", exit_on_error=False, thread=True)
    def check_connection(self, cfg: sync_config.SyncConfig) -> None:
        from elo_tui.sync.client import RetryPolicy, SyncError, TrackerClient

        online, message = False, ""
        try:
            with TrackerClient(cfg.url, cfg.token, retry=RetryPolicy(attempts=1)) as client:
                online = client.health()
                if not online:
                    message = f"Centrale opvolging {cfg.url} niet bereikbaar."
                elif cfg.token:
                    me = client.me()
                    who = me.get("workspace") or "beheerder"
                    message = f"Verbonden; het token hoort bij {me.get('name', '')} ({who})."
                else:
                    message = "Centrale opvolging bereikbaar; stel nog het token in."
        except SyncError as exc:
            message = cfg.redact(str(exc))
        self.app.call_from_thread(self._on_checked, online, message)

    def _on_checked(self, online: bool, message: str) -> None:
        self._show_result(message, error=not online)
        self.refresh_status(online)

    # -- conflicts -------------------------------------------------------------------------

    def action_conflicts(self) -> None:
        from elo_tui.screens.conflicts import ConflictScreen

        if not conflicts.count(self.app.ws):
            self.notify("Geen conflicten.", markup=False)
            return

        def closed(_: object = None) -> None:
            self.saved()
            self.refresh_status()

        self.app.push_screen(ConflictScreen(), closed)
