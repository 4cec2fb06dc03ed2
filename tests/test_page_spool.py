"""`io.page_spool.PageSpool`: pages of plain values in a temporary file."""

from __future__ import annotations

import os
import stat

from elo_tui.io import page_spool
from elo_tui.io.page_spool import PageSpool


def test_pages_come_back_as_they_went_in_from_any_page_on(monkeypatch):
    monkeypatch.setattr(page_spool, "SPOOL_MAX", 64)  # past the first bytes: a real file
    spool = PageSpool()
    pages = [
        [("a", 1, 2.5, None, True), ("é", -3, 0.1, b"x", False)],
        [{"k": ["v", 1]}],
        [],
        [("z",) * 40],
    ]
    for page in pages:
        spool.add(page)
    assert len(spool) == 4
    assert list(spool.pages()) == pages
    assert list(spool.pages(1, 3)) == pages[1:3] and list(spool.pages(3)) == pages[3:]
    # two readers in turn, and a page added after a reader stopped half-way
    one, two = spool.pages(), spool.pages(2)
    assert (next(one), next(two), next(one)) == (pages[0], pages[2], pages[1])
    spool.add([("later",)])
    assert list(spool.pages(4)) == [[("later",)]]
    assert list(spool.pages())[:4] == pages
    file = spool._file._file  # rolled over to a temporary file: unlinked, owner-only
    assert stat.S_IMODE(os.fstat(file.fileno()).st_mode) == 0o600
