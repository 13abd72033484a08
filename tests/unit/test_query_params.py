"""Array and number query parameters in every client's spelling (iamport-v1 §1)."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from homeport.api.params import query_bool, query_int, query_list
from homeport.domain.errors import InvalidRequest


@pytest.mark.parametrize(
    "query",
    [
        "imp_uid[]=a&imp_uid[]=b",  # Node, Java, Go
        "imp_uid%5B%5D=a&imp_uid%5B%5D=b",  # the same, percent-encoded
        "imp_uid[0]=a&imp_uid[1]=b",  # PHP
        "imp_uid[1]=b&imp_uid[0]=a",  # PHP, indexes out of order
        "imp_uid=a&imp_uid=b",  # legacy npm client, iamporter
    ],
)
def test_every_array_form_yields_the_same_list(query: str) -> None:
    """All three array syntaxes mean the same thing."""
    assert query_list(QueryParams(query), "imp_uid") == ["a", "b"]


def test_other_parameters_are_not_mixed_in() -> None:
    """merchant_uid[] does not leak into imp_uid."""
    assert query_list(QueryParams("merchant_uid[]=m&imp_uid[]=a"), "imp_uid") == ["a"]


def test_integers_are_parsed_and_empty_means_absent() -> None:
    """page=2 is 2; page= is as if not sent."""
    assert query_int(QueryParams("page=2"), "page") == 2
    assert query_int(QueryParams("page="), "page") is None
    assert query_int(QueryParams("schedule_from=5"), "from", "schedule_from") == 5


def test_a_non_integer_is_a_clear_error() -> None:
    """page=two names the parameter in the message."""
    with pytest.raises(InvalidRequest, match="page"):
        query_int(QueryParams("page=two"), "page")


def test_booleans_accept_the_usual_spellings() -> None:
    """true/false/1/0 in any case."""
    assert query_bool(QueryParams("x=TRUE"), "x") is True
    assert query_bool(QueryParams("x=0"), "x") is False
    assert query_bool(QueryParams(""), "x") is None
    with pytest.raises(InvalidRequest):
        query_bool(QueryParams("x=maybe"), "x")
