"""A product listing as contraband reads it, parsed from one input record.

The listing format is a contract (PRODUCT.md): `id` and `title` are required; `keywords` is a
list of strings or one string split on ';' or ','; `countries` lists ISO 3166-1 alpha-2 codes
(missing or empty = offered everywhere). Unknown fields are kept and ignored.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contraband.errors import InputError

#: Longest field screened; longer input is rejected with a clear error, never truncated.
MAX_FIELD_CHARS = 200_000
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs 2 µs per listing
class Listing:
    id: str
    title: str
    seller_id: str = ""
    description: str = ""
    keywords_text: str = ""  # the keywords field as written (spans refer to it)
    category: str = ""
    countries: tuple[str, ...] = ()
    updated_at: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def fields(self) -> list[tuple[str, str]]:
        """The screened text fields, as (name, text); keywords joined by '; '."""
        return [
            ("title", self.title),
            ("description", self.description),
            ("keywords", self.keywords_text),
        ]

    @property
    def keywords(self) -> tuple[str, ...]:
        """The keywords, split on ';' or ','."""
        return tuple(k.strip() for k in self.keywords_text.replace(";", ",").split(",")
                     if k.strip())

    def content_hash(self) -> str:
        """Hash of what is screened, so the ledger can tell an unchanged listing."""
        parts = "\x1f".join((self.title, self.description, self.keywords_text, self.category,
                              ",".join(self.countries)))
        return hashlib.blake2b(parts.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_KNOWN = {"id", "seller_id", "title", "description", "keywords", "category", "countries",
          "updated_at"}


def parse_listing(row: Mapping[str, Any]) -> Listing:
    """A Listing from one decoded record; InputError naming the field otherwise."""
    if not isinstance(row, Mapping):
        raise InputError(f"expected an object, got {type(row).__name__}")
    listing_id = _text(row, "id", required=True)
    if not listing_id.strip():
        raise InputError("field 'id' is empty")
    return Listing(
        id=listing_id,
        title=_text(row, "title", required=True),
        seller_id=_text(row, "seller_id"),
        description=_text(row, "description"),
        keywords_text=_keywords(row.get("keywords")),
        category=_text(row, "category"),
        countries=_countries(row.get("countries")),
        updated_at=_text(row, "updated_at") or None,
        extra={} if _KNOWN.issuperset(row) else {k: v for k, v in row.items() if k not in _KNOWN},
    )


def _text(row: Mapping[str, Any], name: str, *, required: bool = False) -> str:
    value = row.get(name)
    if type(value) is str and len(value) <= MAX_FIELD_CHARS and (value or not required):
        return value  # the common case, checked first
    if value is None or (value == "" and not required):
        if required:
            raise InputError(f"field {name!r} is required")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(f"field {name!r} must be a string, got {type(value).__name__}")
    text = str(value)
    if len(text) > MAX_FIELD_CHARS:
        raise InputError(f"field {name!r} has {len(text):,} characters; at most "
                         f"{MAX_FIELD_CHARS:,} are screened")
    return text


def _keywords(value: Any) -> str:
    """The keywords field as one text: a string as written, a list joined by '; '."""
    if value is None:
        return ""
    if type(value) is str:
        if len(value) > MAX_FIELD_CHARS:
            raise InputError(f"field 'keywords' is longer than {MAX_FIELD_CHARS:,} characters")
        return value
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            raise InputError("field 'keywords' must be a list of strings")
        return _keywords("; ".join(v.strip() for v in value if v.strip()))
    raise InputError(f"field 'keywords' must be a string or a list, got {type(value).__name__}")


def _countries(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    if type(value) is list and all(type(v) is str and len(v) == 2 and v.isupper() and v.isalpha()
                                   for v in value):
        return tuple(value)  # the common case: already clean codes
    if isinstance(value, str):
        value = [v for v in re.split(r"[;, ]+", value) if v]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InputError("field 'countries' must be a list of ISO 3166-1 alpha-2 codes")
    codes = tuple(v.strip().upper() for v in value)
    bad = [c for c in codes if not _COUNTRY.match(c)]
    if bad:
        raise InputError(f"field 'countries' has codes that are not ISO 3166-1 alpha-2: {bad[:5]}")
    return codes
