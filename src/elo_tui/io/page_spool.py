"""Pages of plain values kept in a temporary file instead of in memory.

An export of a large agency holds long lists only to write them out once or twice (the
sheet values of 46,779 block statuses, 34,289 line costs, the sorted runs of a sheet, the
products at risk).
Each page is written with `marshal` (texts, numbers, None, booleans, bytes, lists,
tuples and dicts of those: what records and JSON hold) to an owner-only, unlinked
temporary file (the first MB stays in memory) and read back a page at a time.
"""

from __future__ import annotations

import heapq
import marshal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import islice
from typing import Any, TypeVar, overload

SPOOL_MAX = 1 << 20  # bytes kept in memory before the pages move to the temporary file

T = TypeVar("T")


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


class SortedSpool(Sequence[T]):
    """Items added one at a time (`append`), given back in the order a stable sort by
    `key` gives, without holding them: runs of `run` items are sorted in memory and
    spooled (`encode` makes each item a plain value, `decode` gives it back), then merged
    as they are read (heapq.merge keeps the earlier run first on equal keys: one stable
    sort). Readable more than once; more may be added between two reads."""

    def __init__(
        self,
        key: Callable[[T], Any],
        *,
        encode: Callable[[T], Any] | None = None,
        decode: Callable[[Any], T] | None = None,
        sort: Callable[[list[T]], list[T]] | None = None,
        run: int = 4096,
        read: int = 256,
    ) -> None:
        self._key, self._encode, self._decode = key, encode, decode
        self._sort = sort or partial(sorted, key=key)
        self._run, self._read = run, read
        self._spool = PageSpool()
        self._runs: list[tuple[int, int]] = []  # the first and the end page of each run
        self._count = 0
        self._pending: list[T] = []  # the run being gathered

    def append(self, item: T) -> None:
        self._pending.append(item)
        self._count += 1
        if len(self._pending) == self._run:
            self._flush()

    def extend(self, items: Iterable[T]) -> None:
        items = iter(items)
        while chunk := list(islice(items, self._run - len(self._pending))):
            self._pending += chunk
            self._count += len(chunk)
            if len(self._pending) == self._run:
                self._flush()

    def _flush(self) -> None:
        run, self._pending = self._sort(self._pending), []
        if not run:
            return
        first = len(self._spool)
        encode = self._encode
        for start in range(0, len(run), self._read):
            page = run[start : start + self._read]
            self._spool.add(page if encode is None else list(map(encode, page)))
        self._runs.append((first, len(self._spool)))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[T]:
        self._flush()
        runs = [self._read_run(first, end) for first, end in self._runs]
        if len(runs) == 1:
            return runs[0]
        return heapq.merge(*runs, key=self._key)

    def _read_run(self, first: int, end: int) -> Iterator[T]:
        decode = self._decode
        for page in self._spool.pages(first, end):
            yield from (page if decode is None else map(decode, page))

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        """(Reads the items up to `index`: for a look at the first few.)"""
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            return list(islice(self, start, stop, step)) if step > 0 else list(self)[index]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return next(islice(self, index, None))
