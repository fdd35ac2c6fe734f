"""The verdict contract: what contraband says about one listing, in one typed shape.

Every part of contraband that makes, stores, sends or shows a verdict uses these structs and
this module's codecs: `decision` builds them, the ledger records them, the batch job, the
report and (next) the HTTP service and the Spark runner read and write them. The JSON form is
the one `PRODUCT.md` promises to other tools (keys in field order, every key always present),
plus `schema_version`; the Arrow/Parquet form has the same fields as typed columns (findings
as a list of structs, not a JSON string). A verdict written in either form reads back equal.

This module sits at the bottom of the house: it imports nothing of contraband but `errors`.
pyarrow is imported only by the Arrow functions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Annotated, Any

import msgspec

from contraband.errors import InputError

#: Bumped when a field changes meaning or goes away (adding a field with a default does not).
SCHEMA_VERSION = 1

NonNegative = Annotated[float, msgspec.Meta(ge=0)]
Score = Annotated[float, msgspec.Meta(ge=0, le=1)]


class Action(StrEnum):
    """What must happen to a listing, weakest first."""

    ALLOW = "allow"
    RESTRICT = "restrict"  # hidden from buyers in `blocked_countries`
    REVIEW = "review"  # held for a reviewer
    REMOVE = "remove"
    ERROR = "error"  # the listing could not be read


_STRENGTH = {
    Action.ALLOW: 0,
    Action.RESTRICT: 1,
    Action.REVIEW: 2,
    Action.REMOVE: 3,
    Action.ERROR: 4,
}


def strongest(actions: Iterable[Action]) -> Action:
    return max(actions, key=_STRENGTH.__getitem__, default=Action.ALLOW)


class FindingKind(StrEnum):
    PROHIBITED_ITEM = "prohibited_item"
    CONTROLLED_ITEM = "controlled_item"
    COUNTRY_MEASURE = "country_measure"
    KEYWORD_DISTORTION = "keyword_distortion"
    MISPLACED_CATEGORY = "misplaced_category"


class Detector(StrEnum):
    """What produced a finding."""

    TERMS = "terms"  # a policy term found in the text (any distortion undone)
    DESIGNATED_CATEGORIES = "designated_categories"  # the item filed outside its categories
    CATEGORY_MODEL = "category_model"  # the category model disagrees with the declared one
    CONCEPT_SWAP = "concept_swap"  # the model reads an item's category with no term named
    ITEM_MODEL = "item_model"  # the item model reads the listing as an item no term names


#: `blocked_countries` value meaning "every country" (a listing offered everywhere).
EVERY_COUNTRY = "ALL"


class CategoryEvidence(msgspec.Struct, frozen=True, kw_only=True):
    """The categories behind a misplacement finding."""

    declared: str  # where the seller filed the listing
    expected: tuple[str, ...] = ()  # the item's designated categories
    predicted: str | None = None  # the category model's path
    probability: Score | None = None  # the model's probability of `predicted`


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One reason for a verdict, with the evidence a reviewer or seller reads."""

    kind: FindingKind
    item_id: str | None
    measure_id: str | None
    action: Action
    points: NonNegative
    reason: str
    field: str | None = None  # title | description | keywords
    span: tuple[int, int] | None = None  # [start, end) in the original field text
    text: str | None = None  # the field text at `span`
    before: str | None = None  # the field text just before `span` (up to 60 characters)
    after: str | None = None  # and just after it, so the evidence reads in its own words
    canonical: str | None = None  # the term it reads as
    transforms: tuple[str, ...] = ()  # the disguises undone to read it
    distortion: str | None = None  # none | typo | deliberate
    score: Score = 1.0
    detector: Detector = Detector.TERMS
    threshold: Score | None = None  # the probability the detector needed, if any
    circumvention: bool = False
    blocked_countries: tuple[str, ...] = ()
    measure_state: str | None = None  # announced | in_force, for country measures
    effective: str | None = None  # the date an announced measure takes effect
    certificate_required: bool = False
    category: CategoryEvidence | None = None
    #: For a term with ordinary senses too: what the listing's context said (see `Sense`).
    sense: str | None = None


class Sense(StrEnum):
    """How the context read an ambiguous term ("speed", "snow", a toy line's name)."""

    CONFIRMED = "confirmed"  # words of the item's sense, another item named, or its category
    UNCLEAR = "unclear"  # nothing either way, or a disguise without context: review, 0 points
    NAMESAKE = "namesake"  # filed elsewhere with no word of the item's sense: allowed


class Verdict(msgspec.Struct, kw_only=True):  # not frozen: built for every listing
    """The verdict on one listing: the contract of `PRODUCT.md`, one JSON object per line."""

    schema_version: int = SCHEMA_VERSION
    listing_id: str
    seller_id: str
    content_hash: str
    action: Action
    blocked_countries: tuple[str, ...]
    circumvention: bool
    points: NonNegative
    findings: tuple[Finding, ...]
    policy_version: str
    as_of: str
    error: str | None = None


def error_verdict(
    listing_id: str, seller_id: str, message: str, policy_version: str, as_of: str
) -> Verdict:
    """The verdict of a record that could not be read: the run goes on."""
    return Verdict(
        listing_id=listing_id,
        seller_id=seller_id,
        content_hash="",
        action=Action.ERROR,
        blocked_countries=(),
        circumvention=False,
        points=0.0,
        findings=(),
        policy_version=policy_version,
        as_of=as_of,
        error=message,
    )


def charge_rule(finding: Finding) -> str:
    """The rule a finding with points breaks: one infringement per listing content and rule.

    A listing naming several prohibited items is one prohibited-item infringement (charged at
    the gravest item's points), controlled items likewise; each measure that carries points
    is its own rule; circumvention costs one point per item circumvented.
    """
    if finding.kind in (FindingKind.PROHIBITED_ITEM, FindingKind.CONTROLLED_ITEM):
        return finding.kind.value
    if finding.kind == FindingKind.COUNTRY_MEASURE:
        return f"{finding.kind.value}:{finding.measure_id or ''}"
    return f"{finding.kind.value}:{finding.item_id or ''}"


# --- JSON -----------------------------------------------------------------------------------

_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(Verdict)
_SURROGATE = re.compile("[\ud800-\udfff]")


def to_json(verdict: Verdict) -> bytes:
    """One JSON line (no newline). Lone surrogates (hostile input, not valid Unicode) are
    written as U+FFFD rather than failing the run."""
    try:
        return _ENCODER.encode(verdict)
    except UnicodeEncodeError:
        return _ENCODER.encode(_scrub(msgspec.to_builtins(verdict)))


def to_json_lines(verdicts: Sequence[Verdict]) -> bytes:
    """JSONL: each verdict as `to_json` writes it, and a newline (one encoder call)."""
    try:
        return _ENCODER.encode_lines(verdicts)
    except UnicodeEncodeError:
        return b"".join([to_json(verdict) + b"\n" for verdict in verdicts])


def from_json(line: bytes | str) -> Verdict:
    """A verdict from one JSON document; InputError naming the field otherwise."""
    try:
        verdict = _DECODER.decode(line)
    except msgspec.ValidationError as error:
        raise InputError(str(error)) from None
    except msgspec.DecodeError as error:
        raise InputError(f"not valid JSON ({error})") from None
    return _checked(verdict)


def to_builtins(value: Verdict | Finding) -> dict[str, Any]:
    """A verdict or finding as plain data, exactly as its JSON form decodes."""
    data: dict[str, Any] = _scrub(msgspec.to_builtins(value))
    return data


def _checked(verdict: Verdict) -> Verdict:
    if verdict.schema_version > SCHEMA_VERSION:
        raise InputError(
            f"schema_version {verdict.schema_version} is newer than this contraband reads "
            f"({SCHEMA_VERSION}): upgrade contraband"
        )
    return verdict


def _scrub(value: Any) -> Any:
    """Plain data with tuples as lists and every lone surrogate replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


# --- Arrow / Parquet --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def arrow_schema() -> Any:
    """The Arrow schema of verdicts: the JSON fields as typed columns."""
    import pyarrow as pa

    strings = pa.list_(pa.string())
    category = pa.struct(
        [
            ("declared", pa.string()),
            ("expected", strings),
            ("predicted", pa.string()),
            ("probability", pa.float64()),
        ]
    )
    finding = pa.struct(
        [
            ("kind", pa.string()),
            ("item_id", pa.string()),
            ("measure_id", pa.string()),
            ("action", pa.string()),
            ("points", pa.float64()),
            ("reason", pa.string()),
            ("field", pa.string()),
            ("span", pa.list_(pa.int64())),
            ("text", pa.string()),
            ("before", pa.string()),
            ("after", pa.string()),
            ("canonical", pa.string()),
            ("transforms", strings),
            ("distortion", pa.string()),
            ("score", pa.float64()),
            ("detector", pa.string()),
            ("threshold", pa.float64()),
            ("circumvention", pa.bool_()),
            ("blocked_countries", strings),
            ("measure_state", pa.string()),
            ("effective", pa.string()),
            ("certificate_required", pa.bool_()),
            ("category", category),
            ("sense", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("schema_version", pa.int32()),
            ("listing_id", pa.string()),
            ("seller_id", pa.string()),
            ("content_hash", pa.string()),
            ("action", pa.string()),
            ("blocked_countries", strings),
            ("circumvention", pa.bool_()),
            ("points", pa.float64()),
            ("findings", pa.list_(finding)),
            ("policy_version", pa.string()),
            ("as_of", pa.string()),
            ("error", pa.string()),
        ]
    )


def to_arrow(verdicts: Sequence[Verdict]) -> Any:
    """Verdicts as one Arrow record batch. Plain data straight from msgspec (a sixth of the
    cost of `to_builtins`); only a batch holding a lone surrogate (hostile input, which
    Arrow refuses) is scrubbed to U+FFFD first."""
    import pyarrow as pa

    try:
        rows = [msgspec.to_builtins(v) for v in verdicts]
        return pa.RecordBatch.from_pylist(rows, schema=arrow_schema())
    except UnicodeEncodeError:
        return pa.RecordBatch.from_pylist([to_builtins(v) for v in verdicts], schema=arrow_schema())


def from_arrow(batch: Any) -> list[Verdict]:
    """Verdicts from an Arrow record batch or table of `arrow_schema()`; InputError naming
    the row and field otherwise."""
    verdicts = []
    for number, row in enumerate(batch.to_pylist(), start=1):
        try:
            verdicts.append(_checked(msgspec.convert(row, Verdict)))
        except msgspec.ValidationError as error:
            raise InputError(f"row {number}: {error}") from None
    return verdicts
