"""`io.page_spool`: pages of plain values in a temporary file, and items sorted through
one (`SortedSpool`)."""

from __future__ import annotations

import os
import random
import stat
from typing import NamedTuple

import pytest

from elo_tui.io import page_spool
from elo_tui.io.page_spool import PageSpool, SortedSpool


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


@pytest.mark.parametrize(("run", "read"), [(1, 1), (3, 2), (50, 7), (4096, 256)])
def test_a_sorted_spool_reads_back_as_a_stable_sort_gives(run, read):
    """Appended one by one or in pieces, read back sorted (ties in the order they came),
    through an encoding as plain values; more added after a read; indexed."""
    rnd = random.Random(run)
    items = [Item(rnd.choice("aBbc"), rnd.randrange(3), i) for i in range(200)]

    def key(item: Item) -> tuple[str, int]:
        return (item.name.casefold(), -item.n)

    spool = SortedSpool(key, encode=tuple, decode=lambda t: Item(*t), run=run, read=read)
    spool.extend(items[:90])
    for item in items[90:150]:
        spool.append(item)
    assert len(spool) == 150 and list(spool) == sorted(items[:150], key=key)
    spool.extend(iter(items[150:]))
    assert list(spool) == sorted(items, key=key)
    assert list(spool) == sorted(items, key=key)  # read again
    assert spool[0] == sorted(items, key=key)[0] and spool[-1] == sorted(items, key=key)[-1]
    assert spool[5:9] == sorted(items, key=key)[5:9]
    with pytest.raises(IndexError):
        spool[200]
    assert list(SortedSpool(key)) == [] and len(SortedSpool(key)) == 0


class Item(NamedTuple):
    name: str
    n: int
    order: int  # (not in the key: ties keep it)
