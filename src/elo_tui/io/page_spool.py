"""Pages of plain values kept in a temporary file instead of in memory.

An export of a large agency holds long lists only to write them out once or twice (the
sheet values of 46,779 block statuses, 34,289 line costs, the sorted runs of a sheet).
Each page is written with `marshal` (texts, numbers, None, booleans, bytes, lists,
tuples and dicts of those: what records and JSON hold) to an owner-only, unlinked
temporary file (the first MB stays in memory) and read back a page at a time.
"""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

SPOOL_MAX = 1 << 20  # bytes kept in memory before the pages move to the temporary file


class PageSpool:
    """Pages appended once, then read back in order, from any page on, as often as
    needed; two readers may take turns (every read seeks to its page)."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX)
        self._offsets: list[int] = [0]  # where each page starts, and where the next one will

    def add(self, page: list[Any]) -> None:
        data = marshal.dumps(page)
        self._file.seek(self._offsets[-1])  # (after the last page, wherever a reader stopped)
        self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))

    def __len__(self) -> int:
        """The number of pages."""
        return len(self._offsets) - 1

    def pages(self, start: int = 0, stop: int | None = None) -> Iterator[list[Any]]:
        """Pages `start` to `stop` (exclusive; None: the last), in the order they came."""
        offsets = self._offsets
        for i in range(start, len(self) if stop is None else stop):
            self._file.seek(offsets[i])
            yield marshal.loads(self._file.read(offsets[i + 1] - offsets[i]))


class SpooledRows:
    """Rows (tuples of plain values) spooled a page at a time as they come, and given back
    in order as often as they are iterated."""

    PAGE = 1000  # rows per page

    def __init__(self, rows: Iterable[tuple]) -> None:
        self._spool = PageSpool()
        rows = iter(rows)
        while page := list(islice(rows, self.PAGE)):
            self._spool.add(page)

    def __iter__(self) -> Iterator[tuple]:
        for page in self._spool.pages():
            yield from page
