"""Rows in display order of which only the rowids are held: a table over 20,000 products
or 128,000 checklist steps reads the rows on screen a page at a time (costs lines, the
checklist's agenda)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")
V = TypeVar("V")


class ReadAhead(Generic[V]):
    """What a background preload read before an area's first visit (on a connection of
    its own), per workspace file, with the stamp it holds for (a change counter read in
    the same snapshot, or taken before the read began). Taken once, and only while the
    stamp has not moved: nobody wrote to the file since, so the read saw it as the
    visit would. (A dict item set and popped under the GIL: safe across threads.)"""

    def __init__(self) -> None:
        self._by_path: dict[str, tuple[Any, V]] = {}

    def put(self, path: Any, stamp: Any, value: V) -> None:
        self._by_path[str(path)] = (stamp, value)

    def __contains__(self, path: object) -> bool:
        return str(path) in self._by_path

    def take(self, path: Any, stamp: Any) -> V | None:
        """The value read ahead for `path` if its stamp is `stamp` (dropped either way)."""
        found = self._by_path.pop(str(path), None)
        return found[1] if found is not None and found[0] == stamp else None


class PagedRows(Sequence[T]):
    PAGE = 100  # rows read at once
    PAGES_KEPT = 8  # pages held; the oldest read goes first

    def __init__(self, ids: Any) -> None:
        self.ids = ids  # rowids in display order (an array or a list)
        self._pages: dict[int, list[T]] = {}

    @abstractmethod
    def _read_page(self, ids: Sequence[int]) -> list[T]:
        """The rows of these rowids, in this order."""

    def _before_page(self, number: int) -> None:
        """Called before page `number` is read (the agenda completes its order here)."""

    def __len__(self) -> int:
        return len(self.ids)

    def _page(self, number: int) -> list[T]:
        page = self._pages.get(number)
        if page is None:
            self._before_page(number)
            if len(self._pages) >= self.PAGES_KEPT:
                self._pages.pop(next(iter(self._pages)))
            size = self.PAGE
            page = self._pages[number] = self._read_page(
                self.ids[number * size : (number + 1) * size]
            )
        return page

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._page(index // self.PAGE)[index % self.PAGE]

    def __iter__(self) -> Iterator[T]:
        for number in range((len(self) + self.PAGE - 1) // self.PAGE):
            yield from self._page(number)
