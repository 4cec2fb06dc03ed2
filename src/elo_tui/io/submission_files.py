"""Write a submission in every export format, and read a TOML or JSON export back.

The exported document is the submission's content plus its "sha256"; all formats are
rendered from that document, never from the live workspace, so every file of a version
tells the same story.
"""

from __future__ import annotations

import os
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
        from elo_tui.io.export_json import dumps

        return dumps(doc, canonical)
    if fmt == "md":
        from elo_tui.io.export_markdown import render as render_md

        return render_md(doc)
    if fmt == "xlsx":
        return None
    raise ExportError(f"Onbekend exportformaat '{fmt}' (kies uit {', '.join(FORMATS)} of all).")


def export(
    doc: dict[str, Any], fmt: str, out: Path | str, *, canonical: str | None = None
) -> list[Path]:
    """Write `doc` as `fmt` ("all" = every format) to `out` and return the files written.

    For one format `out` is the file (or an existing folder to put it in); for "all" it
    is a folder (made when missing). Each file is written to a temporary name first and
    then renamed, so a failed export never leaves half a file behind. `canonical` is the
    canonical JSON of the content when known (saves encoding it again for JSON).
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
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"Kan map '{out}' niet maken: {exc.strerror}.") from None
        targets = [out / (base_name(doc) + FORMATS[f]) for f in formats]
    else:
        if not out.parent.is_dir():
            raise ExportError(f"Map '{out.parent}' bestaat niet.")
        targets = [out]
    written = []
    for f, target in zip(formats, targets, strict=True):
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            if f == "xlsx":
                from elo_tui.io.export_xlsx import write

                write(doc, tmp)
            else:
                tmp.write_text(render(doc, f, canonical) or "", encoding="utf-8")
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ExportError(f"Kan '{target}' niet schrijven: {exc.strerror}.") from None
        written.append(target)
    return written


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
