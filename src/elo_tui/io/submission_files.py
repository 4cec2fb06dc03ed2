"""Write a submission in every export format, and read a TOML or JSON export back.

The exported document is the submission's content plus its "sha256"; all formats are
rendered from that document, never from the live workspace, so every file of a version
tells the same story.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

MAX_READ_BYTES = 200 * 1024 * 1024  # a submission of 20,000 products is a few MB
FORMATS = {"toml": ".toml", "json": ".json", "xlsx": ".xlsx", "md": ".md"}
FORMAT_LABELS = {
    "toml": "TOML (canoniek, opnieuw in te lezen)",
    "json": "JSON",
    "xlsx": "XLSX (Excel, voor financiën)",
    "md": "Markdown-samenvatting (stuurgroep)",
}
# First the identification, then the records, then derived figures (TOML needs plain
# keys before tables; tomli-w takes care of that within this order).
_ORDER = (
    "format",
    "format_version",
    "sha256",
    "submission",
    "agency",
    "estimate",
    "readiness",
    "completeness",
    "applications",
    "products",
    "block_statuses",
    "estimate_lines",
    "checklist_items",
)


class ExportError(Exception):
    """An export or import file problem; the message is Dutch and names the file."""


def document(content: dict[str, Any], sha256: str) -> dict[str, Any]:
    merged = {**content, "sha256": sha256}
    ordered = {k: merged[k] for k in _ORDER if k in merged}
    ordered.update({k: v for k, v in merged.items() if k not in ordered})
    return ordered


def base_name(doc: dict[str, Any]) -> str:
    from elo_tui.config import slugify

    agency = doc.get("agency", {})
    who = agency.get("ovo_code") or slugify(agency.get("name", "") or "agentschap")
    version = doc.get("submission", {}).get("version", 0)
    return f"indiening-{who}-v{version}"


def render(doc: dict[str, Any], fmt: str, canonical: str | None = None) -> str | None:
    """Text formats as a string (None for xlsx, which is written to a file)."""
    if fmt == "toml":
        from elo_tui.io.export_toml import dumps

        return dumps(doc)
    if fmt == "json":
        from elo_tui.io.export_json import dumps as json_dumps

        return json_dumps(doc, canonical)
    if fmt == "md":
        from elo_tui.io.export_markdown import render as render_md

        return render_md(doc)
    if fmt == "xlsx":
        return None
    raise ExportError(f"Onbekend exportformaat '{fmt}' (kies uit {', '.join(FORMATS)} of all).")


def export(
    doc: dict[str, Any],
    fmt: str,
    out: Path | str,
    *,
    canonical: Any = None,
    follow_symlinks: bool = False,
) -> list[Path]:
    """Write `doc` as `fmt` ("all" = every format) to `out` and return the files written.

    For one format `out` is the file (or an existing folder to put it in); for "all" it
    is a folder (made when missing). Only a regular file is ever replaced: a folder, a
    device or pipe, a workspace and (unless `follow_symlinks`) a symbolic link are
    refused. Each file is written to a temporary file beside the target and then renamed
    over it, so a failed or interrupted export never leaves half a file behind; the
    temporary file of a killed export is named ".<target>.elo-export-<pid>.tmp" and the
    next export to that target removes it. `canonical` is the canonical JSON of the
    content when known, as text or a binary file of its UTF-8 bytes (saves encoding it
    again for JSON).
    """
    out = Path(out).expanduser()
    formats = list(FORMATS) if fmt == "all" else [fmt]
    for f in formats:
        if f not in FORMATS:
            raise ExportError(
                f"Onbekend exportformaat '{f}' (kies uit {', '.join(FORMATS)} of all)."
            )
    if fmt == "all" or out.is_dir():
        try:
            # (owner-only, as the files in it: a submission's figures are not for others)
            out.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise ExportError(f"Kan map '{out}' niet maken: {exc.strerror}.") from None
        targets = [out / (base_name(doc) + FORMATS[f]) for f in formats]
    else:
        if not out.parent.is_dir():
            raise ExportError(f"Map '{out.parent}' bestaat niet.")
        targets = [out]
    targets = [_replaceable(t, follow_symlinks) for t in targets]
    written = []
    for f, target in zip(formats, targets, strict=True):
        _remove_stale_temporaries(target)
        tmp = target.with_name(f".{target.name}{_TMP_MARK}{os.getpid()}.tmp")
        try:
            if f == "xlsx":
                from elo_tui.io.export_xlsx import write

                _create_owner_only(tmp)  # the writer truncates it and keeps its mode
                write(doc, tmp)
                _fsync_file(tmp)
            else:
                _write_streamed(tmp, doc, f, canonical)
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ExportError(f"Kan '{target}' niet schrijven: {exc.strerror}.") from None
        except BaseException:  # interrupted (Ctrl-C) or a bug: no temporary file stays
            tmp.unlink(missing_ok=True)
            raise
        written.append(target)
    return written


_TMP_MARK = ".elo-export-"
_WORKSPACE_SIDECARS = ("-wal", "-shm", "-journal")


def _replaceable(target: Path, follow_symlinks: bool) -> Path:
    """The file to write for `target`, or ExportError when it must not be replaced.
    (lstat only: the target is never opened, it may be a device or someone's database.)"""
    try:
        st = target.lstat()
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise ExportError(f"Kan '{target}' niet bekijken: {exc.strerror}.") from None
    if stat.S_ISLNK(st.st_mode):
        if not follow_symlinks:
            raise ExportError(
                f"'{target}' is een symbolische koppeling; er is niets geschreven. Gebruik "
                "--follow-symlinks om het bestand te vervangen waarnaar ze wijst."
            )
        return _replaceable(Path(os.path.realpath(target)), follow_symlinks=False)
    if stat.S_ISDIR(st.st_mode):
        raise ExportError(f"'{target}' is een map; er is niets geschreven.")
    if not stat.S_ISREG(st.st_mode):
        raise ExportError(
            f"'{target}' is geen gewoon bestand (een apparaat, pipe of socket); er is niets "
            "geschreven."
        )
    from elo_tui.config import WORKSPACE_SUFFIX

    if target.suffix == WORKSPACE_SUFFIX or any(
        target.with_name(target.name + s).exists() for s in _WORKSPACE_SIDECARS
    ):
        raise ExportError(
            f"'{target}' lijkt een werkruimte of databank; een export vervangt die nooit. "
            "Er is niets geschreven."
        )
    return target


def _remove_stale_temporaries(target: Path) -> None:
    """Remove what a killed export to `target` left (its process is gone)."""
    prefix = f".{target.name}{_TMP_MARK}"
    try:
        leftovers = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return
    for p in leftovers:
        pid = p.name[len(prefix) :].removesuffix(".tmp")
        if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
            p.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _create_owner_only(path: Path) -> None:
    """An empty file only the owner can read: exports carry the entity's data, and the
    rename gives the target this mode, also when it replaces a 0644 file."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _write_streamed(path: Path, doc: dict[str, Any], fmt: str, canonical: Any) -> None:
    """A text format written piece by piece (TOML and JSON of a large agency run to
    ~150 MB each: they are never built as one string)."""
    # owner-only, see _create_owner_only
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", buffering=1 << 20) as f:
        if fmt == "toml":
            from elo_tui.io.export_toml import write as write_toml

            write_toml(doc, f)
        elif fmt == "json":
            from elo_tui.io.export_json import write as write_json

            write_json(doc, f, canonical)
        else:
            f.write(render(doc, fmt) or "")
        f.flush()
        os.fsync(f.fileno())


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path | str) -> dict[str, Any]:
    """A TOML or JSON export as a document (the format follows the file's suffix)."""
    path = Path(path).expanduser()
    try:
        size = path.stat().st_size
        if size > MAX_READ_BYTES:
            raise ExportError(
                f"'{path.name}' is te groot voor een indiening ({size // (1024 * 1024)} MB, "
                f"maximaal {MAX_READ_BYTES // (1024 * 1024)} MB). Er is niets ingelezen."
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExportError(f"Bestand '{path}' bestaat niet.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"Kan '{path}' niet lezen: {exc}.") from None
    try:
        if path.suffix.lower() == ".json":
            from elo_tui.io.export_json import loads
        elif path.suffix.lower() == ".toml":
            from elo_tui.io.export_toml import loads
        else:
            raise ExportError(
                f"'{path.name}': alleen .toml- of .json-indieningen kunnen ingelezen worden."
            )
        return loads(text)
    except ValueError as exc:
        raise ExportError(f"'{path.name}': {exc}") from None
