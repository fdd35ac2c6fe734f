"""A product listing as contraband reads it, decoded and validated from one input record.

The listing format is a contract (PRODUCT.md): `id` and `title` are required; `keywords` is a
list of strings or one string split on ';' or ','; `countries` lists ISO 3166-1 alpha-2 codes
(missing or empty = offered everywhere). Unknown fields are accepted and ignored.

Decoding and validation happen in one C-level pass (msgspec), which matters: every listing of
every rescan goes through here. A record that does not fit gets an error naming the field,
e.g. "Expected `str`, got `int` - at `$.title`".
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

from contraband.errors import InputError

#: Longest field screened; longer input is rejected with a clear error, never truncated.
MAX_FIELD_CHARS = 200_000

Text = Annotated[str, msgspec.Meta(max_length=MAX_FIELD_CHARS)]
Country = Annotated[str, msgspec.Meta(min_length=2, max_length=2)]  # letters: __post_init__


class Listing(msgspec.Struct, kw_only=True):
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    title: Text
    seller_id: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    description: Text = ""
    keywords: Text | list[Text] = ""  # as written; `keywords_text` is what is screened
    category: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    countries: list[Country] = []
    updated_at: str | None = None

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise ValueError("field 'id' is empty")
        if self.countries:
            joined = "".join(self.countries)
            if not (joined.isascii() and joined.isalpha()):
                bad = [c for c in self.countries if not (c.isascii() and c.isalpha())]
                raise ValueError(f"countries must be ISO 3166-1 alpha-2 codes, got {bad[:5]}")
            if not joined.isupper():
                self.countries = [c.upper() for c in self.countries]
        if isinstance(self.keywords, list):
            self.keywords = "; ".join(k.strip() for k in self.keywords if k.strip())
            if len(self.keywords) > MAX_FIELD_CHARS:
                raise ValueError(f"field 'keywords' is longer than {MAX_FIELD_CHARS:,} characters")

    @property
    def keywords_text(self) -> str:
        """The keywords field as one text (a list is joined by '; '); spans refer to it."""
        return self.keywords  # type: ignore[return-value]  # normalized in __post_init__

    def fields(self) -> list[tuple[str, str]]:
        """The screened text fields, as (name, text)."""
        return [
            ("title", self.title),
            ("description", self.description),
            ("keywords", self.keywords_text),
        ]

    def content_hash(self) -> str:
        """Hash of what is screened, so the ledger can tell an unchanged listing."""
        parts = "\x1f".join(
            (
                self.title,
                self.description,
                self.keywords_text,
                self.category,
                ",".join(self.countries),
            )
        )
        return hashlib.blake2b(parts.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_DECODER = msgspec.json.Decoder(Listing)


def decode_listing(raw: bytes) -> Listing:
    """A Listing from one JSON document; InputError naming the field otherwise."""
    try:
        return _DECODER.decode(raw)
    except msgspec.ValidationError as error:
        if "got `null`" in str(error):  # null optional fields read as missing (slow path)
            return parse_listing(msgspec.json.decode(raw))
        raise InputError(str(error)) from None
    except msgspec.DecodeError as error:
        raise InputError(f"not valid JSON ({error})") from None
    except RecursionError:
        raise InputError("JSON nested too deeply to read") from None


def parse_listing(row: Mapping[str, Any]) -> Listing:
    """A Listing from one decoded record (CSV, Parquet, API); InputError otherwise."""
    if not isinstance(row, Mapping):
        raise InputError(f"expected an object, got {type(row).__name__}")
    try:
        return msgspec.convert({k: v for k, v in row.items() if v is not None}, Listing)
    except msgspec.ValidationError as error:
        raise InputError(str(error)) from None
    except RecursionError:
        raise InputError("a value nested too deeply to read") from None
