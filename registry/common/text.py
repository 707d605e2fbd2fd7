"""Text normalisation: diacritic-insensitive search keys and input clean-up."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and collapse spaces: "Hòa Sen" → "hoa sen"."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text).strip().lower()


def search_key(*parts: str | None) -> str:
    """Concatenate folded parts into one searchable string."""
    return " | ".join(fold(p) for p in parts if p)


def clean(text: str | None) -> str | None:
    """NFC-normalise and trim user text; empty strings become None."""
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text).strip()
    return text or None


def has_forbidden_chars(text: str | None) -> bool:
    """True for NUL and other control characters (except tab/newline) that no field should hold."""
    if not text:
        return False
    return any((ord(c) < 32 and c not in "\t\n\r") or 0xD800 <= ord(c) <= 0xDFFF for c in text)


def parse_id(value: object, *, max_digits: int = 9) -> int | None:
    """A record id from a query argument or a hidden field: ASCII digits only (at most ``max_digits``, which keeps
    it inside a PostgreSQL ``integer``), else ``None``.

    ``str.isdigit`` alone is not enough: it is true for "²" and "①", which ``int`` refuses (a 500 before).
    """
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


def is_ascii_number(text: str) -> bool:
    """True for plain ASCII digits ("0042"); false for "²", "①", "-1", "" and anything ``int`` might refuse."""
    return text.isascii() and text.isdigit()
