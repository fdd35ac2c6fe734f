"""Canonical text: the matching key of a listing's text, with offsets back to the original."""

from contraband.text.canonical import (
    CanonicalText,
    cut_apart,
    decode,
    key,
    key_bytes,
    key_tokens,
    read_key,
    track,
)
from contraband.text.chars import DELIBERATE, Flag, flag_names
from contraband.text.transforms import (
    FIELD_SEPARATOR,
    PIPELINE,
    PIPELINE_AT_AS_C,
    Edit,
    Transform,
    replay,
)

__all__ = [
    "DELIBERATE",
    "FIELD_SEPARATOR",
    "PIPELINE",
    "PIPELINE_AT_AS_C",
    "CanonicalText",
    "Edit",
    "Flag",
    "Transform",
    "cut_apart",
    "decode",
    "flag_names",
    "key",
    "key_bytes",
    "key_tokens",
    "read_key",
    "replay",
    "track",
]
