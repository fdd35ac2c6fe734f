"""Evidence made visible: a listing's text with the finding's span marked, and every
invisible character and look-alike letter inside it shown for what it is."""

from __future__ import annotations

import unicodedata
from html import escape

from contraband.text.chars import confusable_target, is_default_ignorable, script_of

CONTEXT = 60


def highlight(text: str, span: tuple[int, int] | None) -> str:
    """HTML: `text` around `span`, the span in <mark>, disguises spelled out."""
    if not span:
        return escape(_clip(text, 0, len(text)))
    start, end = span
    left = max(0, start - CONTEXT)
    right = min(len(text), end + CONTEXT)
    before = ("…" if left else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) else "")
    return f"{escape(before)}<mark>{reveal(text[start:end])}</mark>{escape(after)}"


def reveal(fragment: str) -> str:
    """HTML for a fragment in which each disguise is visible and named on hover."""
    out = []
    for ch in fragment:
        cp = ord(ch)
        if is_default_ignorable(cp):
            name = unicodedata.name(ch, f"U+{cp:04X}")
            out.append(f'<span class="inv" title="{escape(name)}">⟨U+{cp:04X}⟩</span>')
        elif not ch.isascii() and ch.isalpha() and script_of(ch) not in ("LATIN", ""):
            target = confusable_target(ch)
            name = unicodedata.name(ch, f"U+{cp:04X}")
            looks = f" (looks like '{target}')" if target else ""
            out.append(f'<span class="glyph" title="{escape(name + looks)}">{escape(ch)}</span>')
        elif not ch.isascii() and unicodedata.decomposition(ch).startswith(
            ("<wide>", "<font>", "<circle>")
        ):
            name = unicodedata.name(ch, f"U+{cp:04X}")
            out.append(f'<span class="styled" title="{escape(name)}">{escape(ch)}</span>')
        else:
            out.append(escape(ch))
    return "".join(out)


def _clip(text: str, start: int, end: int) -> str:
    return text[start : min(end, start + 2 * CONTEXT)]
