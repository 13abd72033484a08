"""i'mport's paged listings (iamport-v1 §5.1): 1-based pages with ``previous``/``next``.

Every listing endpoint (payments, schedules) answers ``{total, previous, next, list}``; the
rules for page numbers, the page size and the page past the end live here once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from homeport.domain.errors import InvalidRequest, PageOutOfRange

T = TypeVar("T")

#: i'mport caps listings at 1000 rows a page; 20 is the default.
MAX_PAGE_LIMIT = 1000
DEFAULT_PAGE_LIMIT = 20


@dataclass(frozen=True)
class PageRequest:
    """A 1-based page of a listing."""

    number: int = 1
    limit: int = DEFAULT_PAGE_LIMIT

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return (self.number - 1) * self.limit


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page with i'mport's ``previous``/``next`` page numbers (0 = none)."""

    total: int
    items: tuple[T, ...]
    previous: int
    next: int


def page_request(page: int | None, limit: int | None) -> PageRequest:
    """Validate i'mport paging parameters; 0 or absent means the default (JAVA sends 0)."""
    number = page or 1
    size = limit or DEFAULT_PAGE_LIMIT
    if number < 1:
        raise InvalidRequest(f"page는 1 이상이어야 합니다. (got {number})")
    if not 1 <= size <= MAX_PAGE_LIMIT:
        raise InvalidRequest(f"limit은 1~{MAX_PAGE_LIMIT} 사이여야 합니다. (got {size})")
    return PageRequest(number=number, limit=size)


def paginate(total: int, items: Sequence[T], page: PageRequest) -> Page[T]:
    """Wrap one page with i'mport's ``previous``/``next`` page numbers (0 when none).

    A page past the end is an error, except page 1 of an empty listing, which is empty.
    """
    last = max(1, -(-total // page.limit))
    if page.number > last:
        raise PageOutOfRange(f"요청하신 페이지({page.number})가 마지막 페이지({last})를 넘습니다.")
    return Page(
        total=total,
        items=tuple(items),
        previous=page.number - 1 if page.number > 1 else 0,
        next=page.number + 1 if page.number < last else 0,
    )
