"""i'mport's paged lists: 1-based pages, previous/next numbers with 0 for none (§5.1)."""

from __future__ import annotations

import pytest

from homeport.domain.errors import InvalidRequest, PageOutOfRange
from homeport.domain.paging import page_request, paginate


def test_defaults_are_page_one_of_twenty_and_zero_means_default() -> None:
    """The Java client always sends page=0 and limit=0; those mean the defaults."""
    assert page_request(None, None) == page_request(0, 0)
    assert page_request(None, None).limit == 20
    assert page_request(None, None).number == 1


def test_limits_above_a_thousand_are_refused() -> None:
    """The contract caps a page at 1000 rows."""
    with pytest.raises(InvalidRequest, match="limit"):
        page_request(1, 1001)


def test_previous_and_next_are_page_numbers_or_zero() -> None:
    """Page 2 of 3 points both ways; the ends point to 0."""
    assert (paginate(45, [], page_request(2, 20)).previous, paginate(45, [], page_request(2, 20)).next) == (
        1,
        3,
    )
    assert paginate(45, [], page_request(1, 20)).previous == 0
    assert paginate(45, [], page_request(3, 20)).next == 0


def test_an_empty_listing_has_an_empty_first_page() -> None:
    """No rows is not an error on page 1."""
    page = paginate(0, [], page_request(1, 20))

    assert (page.total, page.previous, page.next) == (0, 0, 0)


def test_a_page_past_the_end_is_refused() -> None:
    """Asking for page 4 of 3 is a 400, as the contract says."""
    with pytest.raises(PageOutOfRange):
        paginate(45, [], page_request(4, 20))
