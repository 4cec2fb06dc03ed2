"""Sheet XML compared through the texts its cells show: a text cell is an index into the
workbook's shared table (`t="s"`) or holds its text (`t="inlineStr"`, a long column of
mostly different texts); the paths of the writer number and place texts differently."""

from __future__ import annotations

import html
import re

from elo_tui.io import xlsx_writer as xw

_SHARED = re.compile(r' t="s"><v>(\d+)</v>')
_INLINE = re.compile(r' t="inlineStr"><is><t( xml:space="preserve")?>(.*?)</t></is>', re.DOTALL)


def _edge_space(text: str) -> bool:
    return bool(text) and (text[0] <= " " or text[-1] <= " ")


def resolved(xml: str, strings: xw.SharedStrings) -> str:
    """`xml` with each text cell's value replaced by (the text a reader gets, whether it
    keeps its edge spaces): a shared text as the table writes it (cleaned and cut; kept
    when it starts or ends with a space), an inline one as its cell holds it."""

    def shared(m: re.Match[str]) -> str:
        text = xw._ILLEGAL.sub("", strings.texts[int(m[1])])[: xw.MAX_CELL]
        return f' t="text"><v>{(text, _edge_space(text))!r}</v>'

    def inline(m: re.Match[str]) -> str:
        return f' t="text"><v>{(html.unescape(m[2]), bool(m[1]))!r}</v>'

    return _INLINE.sub(inline, _SHARED.sub(shared, xml))
