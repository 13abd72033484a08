"""The Python codec for a charset KCP's forms and notifications name."""

from __future__ import annotations

#: Labels of EUC-KR (and CP949 itself), compared lower-case with ``_`` read as ``-``.
_EUC_KR_LABELS = frozenset({"euc-kr", "euckr", "ks-c-5601-1987", "cp949"})


def codec(charset: str) -> str:
    """``cp949`` for EUC-KR, else ``charset`` unchanged.

    KCP's (and browsers', per WHATWG) EUC-KR is in practice CP949: its superset, with the same
    bytes for every EUC-KR character, so hangul outside EUC-KR's 2,350 syllables survives.
    """
    return "cp949" if charset.replace("_", "-").lower() in _EUC_KR_LABELS else charset
