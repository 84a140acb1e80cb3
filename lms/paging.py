"""One page of a long listing, as every paged list in the application shows it."""
from dataclasses import dataclass
from math import ceil

PAGE_SIZE = 50


@dataclass
class Page:
    """The rows of page `number` (from 1), and how many rows the whole listing has."""

    items: list
    total: int
    number: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)
