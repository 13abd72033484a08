"""Reading the posted forms (EUC-KR or UTF-8) and checking the merchant's fields."""

from __future__ import annotations

import codecs
import re
import urllib.parse

from fastapi import Request

from homeport.sandbox import charsets, codes
from homeport.sandbox.context import Sandbox
from homeport.sandbox.windows.session import Session, WindowError


def _charset_of(request: Request, default: str) -> str:
    content_type = request.headers.get("content-type", "")
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"'").lower()
    return default


async def read_form(request: Request, default_charset: str) -> dict[str, str]:
    """The posted form, decoded with the request's charset or ``default_charset``.

    The body is parsed by hand because KCP's mobile form is EUC-KR, which Starlette's form
    parser (UTF-8 only) would garble.
    """
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    codec = charsets.codec(_charset_of(request, default_charset))
    try:
        # Only text encodings: a charset such as idna or hex must not reach the decoder.
        if not codecs.lookup(codec)._is_text_encoding or codec.lower() == "idna":
            codec = charsets.codec(default_charset)
    except LookupError:
        codec = charsets.codec(default_charset)
    body = (await request.body()).decode("latin-1")
    try:
        pairs = urllib.parse.parse_qsl(body, keep_blank_values=True, encoding=codec, errors="replace")
    except (UnicodeError, ValueError):
        pairs = urllib.parse.parse_qsl(body, keep_blank_values=True, encoding="utf-8", errors="replace")
    return dict(pairs)


# --- reading fields --------------------------------------------------------------------


def http_url(value: str) -> str:
    """``value`` if it is an absolute http(s) URL (never ``javascript:``), else ``""``."""
    parsed = urllib.parse.urlsplit(value.strip())
    if parsed.scheme.lower() in {"http", "https"} and parsed.netloc:
        return value.strip()
    return ""


def flag(value: str) -> bool:
    """A ``Y``/``N`` field: whether it is ``Y``."""
    return value.strip().upper() == "Y"


def is_number(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` also accepts other scripts' digits)."""
    return text.isascii() and text.isdigit()


def only_digits(value: str) -> str:
    """``value`` with everything but ASCII digits removed."""
    return re.sub(r"[^0-9]", "", value)


# --- the merchant's fields -------------------------------------------------------------


def amount(session: Session, *, allow_zero: bool) -> int:
    """``good_mny``; 0 (or missing) only when ``allow_zero`` (batch-key issuance)."""
    text = session.get("good_mny")
    if not text and allow_zero:
        return 0
    if not is_number(text):
        raise WindowError(codes.BAD_FIELD, "결제금액(good_mny)이 올바르지 않습니다.")
    value = int(text)
    if value <= 0 and not allow_zero:
        raise WindowError(codes.BAD_FIELD, "결제금액(good_mny)은 0보다 커야 합니다.")
    return value


def group_id(sandbox: Sandbox, session: Session) -> str:
    """``kcpgroup_id`` (or ``kcp_group_id``): one of the site's batch groups."""
    group = session.get("kcpgroup_id") or session.get("kcp_group_id")
    site = sandbox.site(session.get("site_cd"))
    if not group or site is None or group not in site.group_ids:
        raise WindowError(codes.NO_GROUP_ID, f"{codes.NO_GROUP_ID.res_msg}: {group or '(없음)'}")
    return group
