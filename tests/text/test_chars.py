"""Per-character facts: ignorables, scripts, confusables, folding."""

from pathlib import Path

import pytest

from contraband.text.chars import (
    FOLD_TABLE,
    Flag,
    confusable_target,
    fold_flags,
    is_default_ignorable,
    script_of,
)

SHARED_IGNORABLES = (
    Path(__file__).resolve().parents[3]
    / "shared/data/unicode_confusables/DerivedCoreProperties_Default_Ignorable_Code_Point.txt"
)


@pytest.mark.parametrize(
    ("char", "ignorable"),
    [
        ("\u200b", True),  # zero-width space
        ("\u200c", True),  # zero-width non-joiner
        ("\u200d", True),  # zero-width joiner
        ("\u2060", True),  # word joiner
        ("\ufeff", True),  # BOM
        ("\u00ad", True),  # soft hyphen
        ("\u202e", True),  # right-to-left override
        ("\u200e", True),  # left-to-right mark
        ("\ufe0f", True),  # variation selector 16
        ("\U000e0041", True),  # tag latin capital a
        ("\u034f", True),  # combining grapheme joiner
        ("a", False),
        (" ", False),
        ("\u0600", False),  # Arabic number sign: visible
        ("é", False),
    ],
)
def test_default_ignorable(char: str, ignorable: bool) -> None:
    assert is_default_ignorable(ord(char)) is ignorable


@pytest.mark.skipif(not SHARED_IGNORABLES.exists(), reason="needs ../shared Unicode data")
def test_default_ignorable_agrees_with_unicode_data() -> None:
    expected: set[int] = set()
    for line in SHARED_IGNORABLES.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.endswith("; Default_Ignorable_Code_Point"):
            continue
        codes = line.split(";")[0].strip()
        if ".." in codes:
            a, b = codes.split("..")
            expected.update(range(int(a, 16), int(b, 16) + 1))
        else:
            expected.add(int(codes, 16))
    assigned = [cp for cp in expected if cp < 0xE0000 or cp <= 0xE007F]
    missing = [hex(cp) for cp in assigned if not is_default_ignorable(cp)]
    assert missing == []
    extra = [hex(cp) for cp in range(0x10000) if is_default_ignorable(cp) and cp not in expected]
    assert extra == []


@pytest.mark.parametrize(
    ("char", "script"),
    [
        ("a", "LATIN"),
        ("é", "LATIN"),
        ("а", "CYRILLIC"),
        ("ο", "GREEK"),
        ("電", "NOSPACE"),
        ("ｖ", "LATIN"),
        ("1", ""),
        ("-", ""),
    ],
)
def test_script_of(char: str, script: str) -> None:
    assert script_of(char) == script


@pytest.mark.parametrize(
    ("char", "target"),
    [
        ("а", "a"),
        ("е", "e"),
        ("о", "o"),
        ("р", "p"),
        ("с", "c"),
        ("ѕ", "s"),
        ("і", "i"),
        ("ν", "v"),
        ("я", None),
        ("a", None),
    ],
)
def test_confusable_target(char: str, target: str | None) -> None:
    assert confusable_target(char) == target


@pytest.mark.parametrize(
    ("char", "folded", "flag"),
    [
        ("Ｖ", "V", Flag.STYLED),  # fullwidth capital (case is folded later)
        ("𝐯", "v", Flag.STYLED),  # mathematical bold
        ("ⓥ", "v", Flag.STYLED),  # circled
        ("ﬁ", "fi", Flag.COMPAT),  # ligature
        ("é", "e", Flag.ACCENT),
        ("É", "E", Flag.ACCENT),
        ("\u200b", "", Flag.INVISIBLE),
        ("\u0301", "", Flag.ACCENT),  # lone combining accent
        ("™", " ", 0),  # symbols become spaces, not "tm"
        ("–", "-", 0),  # dashes become '-'
        ("·", ".", 0),  # middle dots become '.'
        ("’", "'", 0),
        ("я", "я", 0),
    ],
)
def test_fold(char: str, folded: str, flag: int) -> None:
    assert FOLD_TABLE[ord(char)] == folded
    assert fold_flags(char) == flag
