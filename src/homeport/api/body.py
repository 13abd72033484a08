"""Reading request bodies the way i'mport's many clients send them.

- JSON (most clients) and ``application/x-www-form-urlencoded`` (iamporter for everything,
  go-iamport for several calls, unencoded and possibly with spaces) on every endpoint;
- PHP bracket nesting in forms: ``extra[requester]=admin``, ``schedules[0][merchant_uid]=``,
  ``merchant_uid[]=a&merchant_uid[]=b``; a key repeated without brackets is a list too;
- JSON ``null`` means "absent": the PHP client serialises every property, nulls included.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from homeport.domain.errors import InvalidRequest
from homeport.domain.money import Won, parse_amount

_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
#: Bodies larger than this are refused; no i'mport request comes near it.
MAX_BODY_BYTES = 1_000_000


@dataclass(frozen=True)
class Body:
    """A parsed request body: nested dicts, lists and strings (form) or JSON values."""

    data: dict[str, Any] = field(default_factory=dict)
    from_form: bool = False


def _split_key(key: str) -> list[str]:
    """``a[b][]`` -> ``["a", "b", ""]``; a key without brackets is a single part."""
    head, bracket, _ = key.partition("[")
    if not bracket or not head:
        return [key]
    rest = key[len(head) :]
    parts = _BRACKETS.findall(rest)
    if "".join(f"[{p}]" for p in parts) != rest:
        return [key]  # not well-formed bracket syntax: keep the key as written
    return [head, *parts]


def _listify(node: Any) -> Any:
    """Turn dicts whose keys are all list indexes into lists, recursively."""
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(isinstance(k, int) for k in converted):
        return [converted[k] for k in sorted(converted)]
    return {str(k): v for k, v in converted.items()}


def parse_form_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Nest ``key[sub]`` form fields PHP-style; repeated plain keys become lists."""
    root: dict[Any, Any] = {}
    plain_counts: dict[str, int] = {}
    for key, value in pairs:
        parts = _split_key(key)
        if len(parts) == 1:
            plain_counts[key] = plain_counts.get(key, 0) + 1
            if plain_counts[key] == 1:
                root[key] = value
            elif plain_counts[key] == 2:
                root[key] = {0: root[key], 1: value}
            else:
                root[key][plain_counts[key] - 1] = value
            continue
        node = root
        for index, name in enumerate(parts):
            last = index == len(parts) - 1
            part: str | int = name
            if name == "":
                part = len([k for k in node if isinstance(k, int)])
            elif name.isdigit():
                part = int(name)
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    result = _listify(root)
    return result if isinstance(result, dict) else {}


def drop_nulls(value: Any) -> Any:
    """Remove ``null`` members of JSON objects, recursively (PHP sends every property)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def parse_body(raw: bytes, content_type: str) -> Body:
    """Parse a body by its content type; guess JSON or form when none is given."""
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidRequest("요청 본문이 너무 큽니다.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("요청 본문은 UTF-8로 인코딩되어야 합니다.") from None
    if not text.strip():
        return Body()
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    is_json = "json" in media or (not media and text.lstrip().startswith(("{", "[")))
    if is_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidRequest(
                f"요청 본문이 올바른 JSON이 아닙니다. ({exc.msg}, position {exc.pos})"
            ) from None
        if not isinstance(data, dict):
            raise InvalidRequest("요청 본문은 JSON 객체({...})여야 합니다.")
        return Body(drop_nulls(data), from_form=False)
    if media and media != "application/x-www-form-urlencoded":
        raise InvalidRequest(
            f"지원하지 않는 Content-Type입니다: {media} (application/json 또는 "
            "application/x-www-form-urlencoded를 사용해 주세요)"
        )
    return Body(parse_form_pairs(parse_qsl(text, keep_blank_values=True)), from_form=True)


async def request_body(request: Request) -> Body:
    """FastAPI dependency: the parsed body of the current request."""
    return parse_body(await request.body(), request.headers.get("content-type", ""))


def text_field(body: Body, name: str, *, required: bool = False, limit: int | None = None) -> str | None:
    """Field ``name`` as text: absent or empty is None (or an error when ``required``)."""
    value = body.data.get(name)
    if value is None or value == "":
        if required:
            raise InvalidRequest(f"{name} 파라메터가 누락되었습니다.")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a birth date or postcode sent as a JSON number
    if not isinstance(value, str):
        raise InvalidRequest(f"{name}는 문자열이어야 합니다.")
    if limit is not None and len(value) > limit:
        raise InvalidRequest(f"{name}는 {limit}자 이하여야 합니다.")
    return value


def amount_field(body: Body, name: str, *, required: bool = False) -> Won | None:
    """Field ``name`` as whole won (a JSON number, or digits in a form); absent is None."""
    value = body.data.get(name)
    if value is None or value == "":
        if required:
            raise InvalidRequest(f"{name} 파라메터가 누락되었습니다.")
        return None
    return parse_amount(value, field=name, from_form=body.from_form)


def int_field(body: Body, name: str, *, required: bool = False) -> int | None:
    """Field ``name`` as an integer (a JSON number or digits as text); absent is None.

    Text is accepted from JSON too: unlike amounts (see ``parse_amount``), a count or a UNIX
    time sent as ``"1767225600"`` carries no risk of a mistaken charge.
    """
    value = body.data.get(name)
    if value is None or value == "":
        if required:
            raise InvalidRequest(f"{name} 파라메터가 누락되었습니다.")
        return None
    if isinstance(value, bool):
        raise InvalidRequest(f"{name}는 정수여야 합니다. (got a boolean)")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise InvalidRequest(f"{name}는 정수여야 합니다. (got {value!r})")


def json_text_field(body: Body, name: str) -> str | None:
    """Field ``name`` kept as text; an object or array is stored as its JSON string.

    i'mport stores and returns ``custom_data`` as a JSON string even when an object was sent
    (iamport-v1 §5.2).
    """
    value = body.data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_TRUE = {"true", "1", "y"}
_FALSE = {"false", "0", "n"}


def bool_field(body: Body, name: str) -> bool | None:
    """Field ``name`` as a boolean: JSON true/false, or true/false/1/0/Y/N as text."""
    value = body.data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidRequest(f"{name}는 true 또는 false여야 합니다. (got {value!r})")
