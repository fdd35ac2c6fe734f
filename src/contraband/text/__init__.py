"""Canonical text: the matching key of a listing's text, with offsets back to the original."""

from contraband.text.canonical import CanonicalText, decode, key, key_bytes, key_tokens, track
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
    "decode",
    "flag_names",
    "key",
    "key_bytes",
    "key_tokens",
    "replay",
    "track",
]
