"""Reading IPDC product records (JSON-LD) as IPDC publishes them.

Accepted, recognised by content (never by file name):
- one concept or instance (`Concept`, `ConceptSnapshot`, `Instantie`, `InstantieSnapshot`),
- an array of them, or a document with an `@graph` of them,
- a page of the IPDC Linked Data Event Stream: an `EventStream` whose `member` list holds
  concept/instance snapshots,
each in the compact form (the IPDC-LPDC implementation model's context) or the expanded
form (full IRIs, `@value`/`@language`/`@id` objects).

Where the names come from (not guessed): the JSON-LD contexts of the IPDC-LPDC
implementation model, repository Informatievlaanderen/ipdc-lpdc, files
`jsonld/ipdc-lpdc-im.jsonld` and `jsonld/ipdc-lpdc-im-hydra-ldes.jsonld` (the latter adds
`EventStream` with `member` = https://w3id.org/tree#member). There, for `Concept`,
`ConceptSnapshot`, `Instantie` and `InstantieSnapshot`:
  productnummer            http://schema.org/productID (string)
  naam / beschrijving      http://purl.org/dc/terms/title / description (@container @language)
  type                     http://purl.org/dc/terms/type (@id, @base .../id/concept/Type/)
  themas                   http://data.europa.eu/m8g/thematicArea (@base .../Thema/)
  doelgroepen              ipdc-lpdc#targetAudience (@base .../Doelgroep/)
  bevoegdBestuursniveaus   ipdc-lpdc#competentAuthorityLevel
  uitvoerendBestuursniveaus ipdc-lpdc#executingAuthorityLevel
  gearchiveerd             ipdc-lpdc#isArchived (xsd:boolean)
  isVersionOf              http://purl.org/dc/terms/isVersionOf (snapshots)
  generatedAtTime          http://www.w3.org/ns/prov#generatedAtTime (snapshots)
The code lists are in the same repository (`codelijsten/type.ttl`, `thema.ttl`,
`doelgroep.ttl`); the language variants (`nl-be-x-formal`, `nl-be-x-informal`,
`nl-be-x-generated-formal`, `nl-be-x-generated-informal`) are those the LPDC services
(lblod/lpdc-management-service) write.

Offline by design: `@context` URLs are never fetched (a workshop has no network); both
forms are read with the term table below, which is what those contexts say.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

IPDC_NS = "https://productencatalogus.data.vlaanderen.be/ns/ipdc-lpdc#"
CONCEPT_BASE = "https://productencatalogus.data.vlaanderen.be/id/concept/"

# compact term -> expanded IRI (jsonld/ipdc-lpdc-im-hydra-ldes.jsonld)
TERMS: dict[str, str] = {
    "productnummer": "http://schema.org/productID",
    "naam": "http://purl.org/dc/terms/title",
    "beschrijving": "http://purl.org/dc/terms/description",
    "type": "http://purl.org/dc/terms/type",
    "themas": "http://data.europa.eu/m8g/thematicArea",
    "doelgroepen": IPDC_NS + "targetAudience",
    "bevoegdBestuursniveaus": IPDC_NS + "competentAuthorityLevel",
    "uitvoerendBestuursniveaus": IPDC_NS + "executingAuthorityLevel",
    "gearchiveerd": IPDC_NS + "isArchived",
    "isVersionOf": "http://purl.org/dc/terms/isVersionOf",
    "generatedAtTime": "http://www.w3.org/ns/prov#generatedAtTime",
    "member": "https://w3id.org/tree#member",
}
# the @base of each coded term in the context: a relative value is resolved against it
BASES: dict[str, str] = {
    "type": CONCEPT_BASE + "Type/",
    "themas": CONCEPT_BASE + "Thema/",
    "doelgroepen": CONCEPT_BASE + "Doelgroep/",
    "bevoegdBestuursniveaus": CONCEPT_BASE + "BevoegdBestuursniveau/",
    "uitvoerendBestuursniveaus": CONCEPT_BASE + "UitvoerendBestuursniveau/",
}
# compact type name -> (class IRI, what it is)
RECORD_TYPES: dict[str, tuple[str, str]] = {
    "Concept": (IPDC_NS + "ConceptualPublicService", "concept"),
    "ConceptSnapshot": (IPDC_NS + "ConceptualPublicServiceSnapshot", "concept"),
    "Instantie": (IPDC_NS + "InstancePublicService", "instantie"),
    "InstantieSnapshot": (IPDC_NS + "InstancePublicServiceSnapshot", "instantie"),
}
_KIND_OF_TYPE = {k: v[1] for k, v in RECORD_TYPES.items()} | {
    v[0]: v[1] for v in RECORD_TYPES.values()
}
EVENT_STREAM = ("EventStream", "https://w3id.org/ldes#EventStream")

# Dutch first, then the formal/informal variants, then the generated ones.
LANGUAGE_ORDER = (
    "nl",
    "nl-be-x-formal",
    "nl-be-x-informal",
    "nl-be-x-generated-formal",
    "nl-be-x-generated-informal",
)


class IpdcError(Exception):
    """The file cannot be read as IPDC JSON-LD; the message is Dutch and says where."""


@dataclass(slots=True)
class IpdcRecord:
    """One IPDC concept or instance (snapshot), reduced to what elo_tui uses."""

    uri: str  # the concept/instance (for a snapshot: what it is a version of)
    record_uri: str  # the document's own @id (the snapshot's, for a snapshot)
    kind: str  # "concept" | "instantie" | "" (no @type)
    position: int  # 1-based place in the file, for messages
    product_number: str = ""
    name: str = ""
    description: str = ""
    type_uri: str = ""
    themes: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    competent_levels: list[str] = field(default_factory=list)
    executing_levels: list[str] = field(default_factory=list)
    generated_at: str = ""
    archived: bool = False

    @property
    def key(self) -> str:
        return self.uri or self.record_uri or f"#{self.position}"

    def label(self) -> str:
        what = f"'{self.name}'" if self.name else "(zonder naam)"
        number = f" nr. {self.product_number}" if self.product_number else ""
        return f"record {self.position} {what}{number}"


@dataclass(slots=True)
class IpdcDocument:
    """What a file held: the newest snapshot of each concept/instance, and the problems."""

    records: list[IpdcRecord]  # newest per concept/instance, in file order
    superseded: int  # older snapshots left out
    problems: list[str]  # Dutch, one line each
    form: str  # "compact" | "expanded"
    shape: str  # "record" | "array" | "graph" | "ldes"


# -- detection -------------------------------------------------------------------------------


def looks_like_json(path: Path | str) -> bool:
    """True when the file's first non-blank character opens a JSON object or array (CSV and
    XLSX never do). Cheap: reads only the start of the file."""
    try:
        with Path(path).open("rb") as f:
            head = f.read(512)
    except OSError:
        return False
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text[:1] in (b"{", b"[")


def read_file(path: Path | str) -> IpdcDocument:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise IpdcError(f"Kan '{p}' niet lezen: {exc.strerror}.") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise IpdcError(f"'{p}' is geen UTF-8-tekst: geen JSON-LD van IPDC.") from None
    except json.JSONDecodeError as exc:
        raise IpdcError(
            f"'{p}' is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}: {exc.msg})."
        ) from None
    return parse(data, where=f"'{p}'")


# -- parsing -------------------------------------------------------------------------------------


def parse(data: Any, *, where: str = "het bestand") -> IpdcDocument:
    """Read a loaded JSON document (see the module docstring for the shapes)."""
    nodes, shape = _nodes(data, where)
    form = "expanded" if _is_expanded(nodes) else "compact"
    problems: list[str] = []
    parsed: list[IpdcRecord] = []
    for i, node in enumerate(nodes, start=1):
        if not isinstance(node, dict):
            problems.append(f"Record {i}: geen object maar {type(node).__name__}; overgeslagen.")
            continue
        try:
            record = _record(node, i)
        except IpdcError as exc:
            problems.append(f"Record {i}: {exc}")
            continue
        if record is None:
            problems.append(
                f"Record {i}: geen IPDC-concept of -instantie (geen productnummer of naam); "
                "overgeslagen."
            )
            continue
        parsed.append(record)
    if not parsed and not problems:
        raise IpdcError(f"{where} bevat geen IPDC-producten.")
    newest: dict[str, IpdcRecord] = {}
    for r in parsed:
        have = newest.get(r.key)
        if have is None or _newer(r, have):
            newest[r.key] = r
    kept = sorted(newest.values(), key=lambda r: r.position)
    return IpdcDocument(kept, len(parsed) - len(kept), problems, form, shape)


def _nodes(data: Any, where: str) -> tuple[list[Any], str]:
    if isinstance(data, list):
        # an expanded document is an array too; an expanded EventStream is its one node
        if len(data) == 1 and isinstance(data[0], dict) and _is_event_stream(data[0]):
            return _members(data[0], where), "ldes"
        return data, "array"
    if not isinstance(data, dict):
        raise IpdcError(f"{where} is geen JSON-object of -lijst.")
    if _is_event_stream(data):
        return _members(data, where), "ldes"
    if "@graph" in data:
        graph = data["@graph"]
        nodes = graph if isinstance(graph, list) else [graph]
        if len(nodes) == 1 and isinstance(nodes[0], dict) and _is_event_stream(nodes[0]):
            return _members(nodes[0], where), "ldes"
        return nodes, "graph"
    return [data], "record"


def _types(node: dict) -> list[str]:
    t = node.get("@type", [])
    return [x for x in (t if isinstance(t, list) else [t]) if isinstance(x, str)]


def _is_event_stream(node: dict) -> bool:
    return any(t in EVENT_STREAM for t in _types(node)) or (
        "member" in node or TERMS["member"] in node
    )


def _members(node: dict, where: str) -> list[Any]:
    members = node.get("member", node.get(TERMS["member"]))
    if members is None:
        raise IpdcError(f"{where}: een EventStream zonder 'member'-lijst.")
    return members if isinstance(members, list) else [members]


def _is_expanded(nodes: list[Any]) -> bool:
    return any(
        isinstance(n, dict) and any(k.startswith(("http://", "https://")) for k in n) for n in nodes
    )


def _values(node: dict, term: str) -> list[Any]:
    """The values of a term, compact or expanded, always as a list."""
    if term in node:
        v = node[term]
    elif TERMS[term] in node:
        v = node[TERMS[term]]
    else:
        return []
    return v if isinstance(v, list) else [v]


# Earlier versions of the code lists (codelijsten/type.ttl, thema.ttl before 2023) used
# this base for the same concepts; such a value is read as today's URI.
OLD_CONCEPT_BASE = "https://data.vlaanderen.be/id/concept/"


def _iri(value: Any, term: str) -> str:
    if isinstance(value, dict):
        value = value.get("@id", value.get("@value", ""))
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if value.startswith(OLD_CONCEPT_BASE) and term in BASES:
        value = CONCEPT_BASE + value[len(OLD_CONCEPT_BASE) :]
    if not value or "://" in value:
        return value
    base = BASES.get(term, "")
    return base + value if base else value


def _iris(node: dict, term: str) -> list[str]:
    out: list[str] = []
    for v in _values(node, term):
        iri = _iri(v, term)
        if iri and iri not in out:
            out.append(iri)
    return out


def _literal(node: dict, term: str) -> str:
    for v in _values(node, term):
        if isinstance(v, dict):
            v = v.get("@value", "")
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            return str(v).strip()
    return ""


def _language_text(node: dict, term: str) -> str:
    """The Dutch text of a language-tagged term (compact language map or expanded list)."""
    by_lang: dict[str, str] = {}
    for v in _values(node, term):
        if isinstance(v, dict) and "@value" in v:
            lang = str(v.get("@language", "")).lower()
            by_lang.setdefault(lang, str(v["@value"]))
        elif isinstance(v, dict):  # a compact language map
            for lang, text in v.items():
                texts = text if isinstance(text, list) else [text]
                if texts and isinstance(texts[0], str):
                    by_lang.setdefault(str(lang).lower(), texts[0])
        elif isinstance(v, str):
            by_lang.setdefault("", v)
    for lang in LANGUAGE_ORDER:
        if by_lang.get(lang, "").strip():
            return by_lang[lang]
    for lang, text in by_lang.items():  # another Dutch variant, then anything
        if lang.startswith("nl") and text.strip():
            return text
    for text in by_lang.values():
        if text.strip():
            return text
    return ""


def _boolean(node: dict, term: str) -> bool:
    for v in _values(node, term):
        if isinstance(v, dict):
            v = v.get("@value")
        if isinstance(v, bool):
            return v
        if isinstance(v, str):
            return v.strip().lower() in ("true", "1")
    return False


def _record(node: dict, position: int) -> IpdcRecord | None:
    kinds = [_KIND_OF_TYPE[t] for t in _types(node) if t in _KIND_OF_TYPE]
    number = _literal(node, "productnummer")
    name = html_to_text(_language_text(node, "naam"))
    if not kinds and not number and not name:
        return None
    record_uri = node.get("@id", "") if isinstance(node.get("@id"), str) else ""
    versions = [_iri(v, "isVersionOf") for v in _values(node, "isVersionOf")]
    generated = _literal(node, "generatedAtTime")
    if generated and _timestamp(generated) is None:
        raise IpdcError(f"generatedAtTime '{generated}' is geen geldig tijdstip; overgeslagen.")
    types = _iris(node, "type")
    return IpdcRecord(
        uri=next((v for v in versions if v), "") or record_uri,
        record_uri=record_uri,
        kind=kinds[0] if kinds else "",
        position=position,
        product_number=number,
        name=name,
        description=html_to_text(_language_text(node, "beschrijving")),
        type_uri=types[0] if types else "",
        themes=_iris(node, "themas"),
        target_groups=_iris(node, "doelgroepen"),
        competent_levels=_iris(node, "bevoegdBestuursniveaus"),
        executing_levels=_iris(node, "uitvoerendBestuursniveaus"),
        generated_at=generated,
        archived=_boolean(node, "gearchiveerd"),
    )


def _timestamp(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _newer(a: IpdcRecord, b: IpdcRecord) -> bool:
    """Is snapshot `a` newer than `b`? By generatedAtTime; without one, the later in the
    file wins (a page of the stream lists snapshots in the order they were made)."""
    ta, tb = _timestamp(a.generated_at), _timestamp(b.generated_at)
    if ta is not None and tb is not None:
        if ta.tzinfo is None or tb.tzinfo is None:
            ta, tb = ta.replace(tzinfo=None), tb.replace(tzinfo=None)
        if ta != tb:
            return ta > tb
    elif ta is not None or tb is not None:
        return ta is not None
    return a.position > b.position


# -- HTML descriptions -------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(text: str) -> str:
    """IPDC descriptions are HTML: plain text with paragraphs kept as line breaks."""
    if "<" not in text and "&" not in text:
        return " ".join(text.split())
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    lines = [" ".join(line.split()) for line in html.unescape("".join(parser.parts)).split("\n")]
    return re.sub(r"\n{2,}", "\n", "\n".join(lines)).strip()
