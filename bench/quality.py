"""Screening quality on real titles: recall per distortion family, false hits on retail.

    python bench/quality.py [--per-family 2000] [--seed 11]

Development data from ../shared/data (never copied into the project):
- Flipkart retail titles (benign): terms of the default pack are planted into real titles,
  disguised by each family, and the benchmark counts how often the planted term is found;
- 4-letter terms one edit off, which count only in context: planted the same way and judged
  by the whole screening, filed in the item's category (or beside words of its sense) and
  not (`short_typos_in_context`);
- the same titles unmodified: hits there that are not the literal term are false hits;
- Agora darknet titles: how many drug and weapon titles the pack catches as written.
Disguises come from generators written here, using the Unicode confusables and default-
ignorable lists and the Apache SpamAssassin letter classes in ../shared/data.
Prints a table and writes bench/results/quality.json.
"""

from __future__ import annotations

import argparse
import csv
import functools
import random
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, SHARED, table, write_results
from rapidfuzz.distance import OSA

from contraband.matching import Distortion, Matcher
from contraband.matching.index import SHORT_TYPO_LETTERS
from contraband.policy import load_pack
from contraband.screening import build_index, pack_terms

DATA = SHARED / "data"
Disguise = Callable[[str, random.Random], str]


def load_confusables() -> dict[str, list[str]]:
    """Latin lowercase letter -> non-ASCII characters Unicode says look like it (UTS #39)."""
    out: dict[str, list[str]] = {}
    for line in (DATA / "unicode_confusables" / "confusables.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        source, target, *_ = (part.strip() for part in line.split(";"))
        if " " in source or " " in target:
            continue
        src, dst = chr(int(source, 16)), chr(int(target, 16))
        letter = unicodedata.category(src).startswith("L")
        if letter and not src.isascii() and dst.isascii() and dst.isalpha() and dst.islower():
            out.setdefault(dst, []).append(src)
    return out


def load_ignorables() -> list[str]:
    out = []
    path = DATA / "unicode_confusables" / "DerivedCoreProperties_Default_Ignorable_Code_Point.txt"
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.endswith("; Default_Ignorable_Code_Point"):
            continue
        codes = line.split(";")[0].strip()
        first, _, last = codes.partition("..")
        for cp in range(int(first, 16), int(last or first, 16) + 1):
            if unicodedata.category(chr(cp)) != "Cn":  # assigned characters only
                out.append(chr(cp))
    return out


def load_spamassassin() -> dict[str, list[str]]:
    """Letter -> its SpamAssassin substitutes that are symbols, digits or accented forms.

    A class is a bracket set of single characters ("[b8]") or an alternation of such sets and
    literal strings ("(?:m|rn)", "(?:[vu]|\\\\\\/)" = v, u or the two characters "\\/").
    Other ASCII letters (g for a, z for s) are left out: they are misspellings, not disguises.
    """
    out: dict[str, list[str]] = {}
    path = DATA / "perturbations" / "spamassassin_replacetags_letter_classes.csv"
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            tag, pattern = row["tag"], row["pattern_with_latin1_decoded"]
            if len(tag) != 1:
                continue
            letter = tag.lower()
            body = pattern[3:-1] if pattern.startswith("(?:") else pattern
            subs: list[str] = []
            for alternative in _alternatives(body):
                if alternative.startswith("["):
                    subs.extend(_unescape(alternative[1:-1]))
                else:
                    subs.append("".join(_unescape(alternative)))
            subs = [s for s in dict.fromkeys(subs) if s != letter and not _is_ascii_letter(s)]
            if subs:
                out[letter] = subs
    return out


def _alternatives(body: str) -> list[str]:
    """The top-level alternatives of a regex body ('|' outside brackets, not escaped)."""
    parts, current, depth, escaped = [], "", 0, False
    for c in body:
        if escaped:
            current += "\\" + c
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            depth += {"[": 1, "]": -1}.get(c, 0)
            current += c
    parts.append(current)
    return parts


def _unescape(chars: str) -> list[str]:
    """The characters of a bracket-set body or literal, with backslash escapes undone."""
    out, escaped = [], False
    for c in chars:
        if escaped or c != "\\":
            out.append(c)
            escaped = False
        else:
            escaped = True
    return out


def _is_ascii_letter(s: str) -> bool:
    return len(s) == 1 and s.isascii() and s.isalpha()


LEET = {
    "a": "4@",
    "e": "3",
    "i": "1!|",
    "l": "1|",
    "o": "0",
    "s": "5$",
    "t": "7+",
    "b": "8",
    "g": "9",
}


def families(
    confusables: dict[str, list[str]], ignorables: list[str], spam: dict[str, list[str]]
) -> dict[str, tuple[Disguise, bool]]:
    """Family name -> (disguise, deliberate?)."""

    def per_letter(
        term: str,
        rng: random.Random,
        table_: dict[str, list[str]] | dict[str, str],
        rate: float = 0.6,
    ) -> str:
        out = []
        changed = False
        for c in term:
            options = table_.get(c)
            if options and rng.random() < rate:
                out.append(rng.choice(list(options)))
                changed = True
            else:
                out.append(c)
        if not changed:  # make sure at least one letter is disguised
            positions = [i for i, c in enumerate(term) if table_.get(c)]
            if positions:
                i = rng.choice(positions)
                out[i] = rng.choice(list(table_[term[i]]))
        return "".join(out)

    def invisible(term: str, rng: random.Random) -> str:
        out = []
        for i, c in enumerate(term):
            out.append(c)
            if c != " " and i < len(term) - 1 and rng.random() < 0.5:
                out.append(rng.choice(ignorables))
        if len(out) == len(term) and len(term) > 1:
            out.insert(1, rng.choice(ignorables))
        return "".join(out)

    def separators(term: str, rng: random.Random) -> str:
        sep = rng.choice([".", "-", "_", " ", "*", "/", "·", " . ", " - "])
        return " ".join(sep.join(word) for word in term.split(" "))

    def stretched(term: str, rng: random.Random) -> str:
        out = []
        letters = [i for i, c in enumerate(term) if c.isalpha()]
        chosen = set(rng.sample(letters, k=max(1, len(letters) // 3)))
        for i, c in enumerate(term):
            out.append(c * (rng.randint(2, 4) if i in chosen else 1))
        return "".join(out)

    def styled(offset: Callable[[str], str]) -> Disguise:
        return lambda term, rng: "".join(
            offset(c) if c.isascii() and c.isalpha() else c for c in term
        )

    def mixed_case(term: str, rng: random.Random) -> str:
        return "".join(c.upper() if rng.random() < 0.5 else c for c in term)

    def split(term: str, rng: random.Random) -> str:
        words = term.split(" ")
        k = max(range(len(words)), key=lambda j: len(words[j]))
        word = words[k]
        if len(word) < 4:
            return term
        i = rng.randrange(2, len(word) - 1)
        words[k] = word[:i] + " " + word[i:]
        return " ".join(words)

    def joined(term: str, rng: random.Random) -> str:
        return term.replace(" ", "").replace("-", "")

    def typo(term: str, rng: random.Random) -> str:
        words = term.split(" ")
        k = max(range(len(words)), key=lambda j: len(words[j]))
        word = words[k]
        i = rng.randrange(1, len(word) - 1)
        op = rng.choice(["sub", "del", "ins", "swap"])
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
        if op == "sub":
            word = word[:i] + (letter if letter != word[i] else "z") + word[i + 1 :]
        elif op == "del":
            word = word[:i] + word[i + 1 :]
        elif op == "ins":
            word = word[:i] + letter + word[i:]
        else:
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        words[k] = word
        return " ".join(words)

    def longest(term: str) -> tuple[list[str], int]:
        words = term.split(" ")
        return words, max(range(len(words)), key=lambda j: len(words[j]))

    def shuffled(term: str, rng: random.Random) -> str:
        """Inner letters shuffled, first and last kept (more than one adjacent swap)."""
        words, k = longest(term)
        word = words[k]
        for _ in range(30):
            inner = list(word[1:-1])
            rng.shuffle(inner)
            candidate = word[0] + "".join(inner) + word[-1]
            if OSA.distance(candidate, word) > 1:
                words[k] = candidate
                break
        return " ".join(words)

    def intrusion(term: str, rng: random.Random) -> str:
        """Punctuation intruding between some letters ("k-et-am-in-e", "s)il)en)cer")."""
        words, k = longest(term)
        word = words[k]
        gaps = sorted(rng.sample(range(1, len(word)), k=min(len(word) - 1, rng.randint(2, 4))))
        mark = rng.choice(list("-).*~_:"))
        pieces = [word[a:b] for a, b in zip([0, *gaps], [*gaps, len(word)], strict=True)]
        words[k] = mark.join(pieces)
        return " ".join(words)

    def disemvowel(term: str, rng: random.Random) -> str:
        words, k = longest(term)
        words[k] = words[k][0] + "".join(c for c in words[k][1:] if c not in "aeiou")
        return " ".join(words)

    keyboard = {
        c: n
        for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
        for i, c in enumerate(row)
        for n in [row[max(0, i - 1) : i] + row[i + 1 : i + 2]]
    }

    def keyboard_typo(term: str, rng: random.Random) -> str:
        words, k = longest(term)
        word = words[k]
        i = rng.randrange(1, len(word) - 1)
        if word[i] in keyboard:
            word = word[:i] + rng.choice(keyboard[word[i]]) + word[i + 1 :]
        words[k] = word
        return " ".join(words)

    def phonetic(term: str, rng: random.Random) -> str:
        """The longest word respelled as it sounds ("kokaine", "fentanil", "ekstasy"): one or
        two of English's spelling-to-sound rules applied where they fit."""
        words, k = longest(term)
        word = words[k]
        places = [
            (m.start(), old, new)
            for old, new in PHONETIC_RESPELLINGS
            for m in re.finditer(old, word)
            if m.start() > 0 or not old.startswith("(?<=")
        ]
        rng.shuffle(places)
        for _ in range(2):
            if not places:
                break
            start, old, new = places.pop()
            respelled = re.sub(old, new, word[start:], count=1)
            candidate = word[:start] + respelled
            if candidate != word:
                word = candidate
                places = [
                    (m.start(), o, n) for o, n in PHONETIC_RESPELLINGS for m in re.finditer(o, word)
                ]
                rng.shuffle(places)
        words[k] = word
        return " ".join(words)

    def chain(*steps: Disguise) -> Disguise:
        def apply(term: str, rng: random.Random) -> str:
            for step in steps:
                term = step(term, rng)
            return term

        return apply

    def combined(term: str, rng: random.Random) -> str:
        return invisible(
            per_letter(per_letter(term, rng, LEET_TABLE, 0.3), rng, confusables, 0.3), rng
        )

    LEET_TABLE = {k: list(v) for k, v in LEET.items()}
    fullwidth = styled(lambda c: chr(ord(c) + 0xFEE0))
    math_bold = styled(
        lambda c: unicodedata.lookup(
            f"MATHEMATICAL BOLD {'SMALL' if c.islower() else 'CAPITAL'} {c.upper()}"
        )
    )
    circled = styled(
        lambda c: unicodedata.lookup(
            f"CIRCLED LATIN {'SMALL' if c.islower() else 'CAPITAL'} LETTER {c.upper()}"
        )
    )

    def every_word(disguise: Callable[[str, random.Random], str]) -> Disguise:
        """The disguise on each word of 4+ letters of a phrase, not only its longest."""
        return lambda term, rng: " ".join(
            disguise(word, rng) if len(word) >= 4 else word for word in term.split(" ")
        )

    return {
        "lookalike (UTS #39)": (lambda t, r: per_letter(t, r, confusables), True),
        "invisible characters": (invisible, True),
        "leetspeak": (lambda t, r: per_letter(t, r, LEET_TABLE), True),
        "SpamAssassin classes": (lambda t, r: per_letter(t, r, spam), True),
        "separators": (separators, True),
        "stretched letters": (stretched, True),
        "fullwidth": (fullwidth, True),
        "mathematical bold": (math_bold, True),
        "circled letters": (circled, True),
        "split word": (split, True),
        "shuffled inner letters": (shuffled, True),
        "punctuation intrusion": (intrusion, True),
        "vowels dropped": (disemvowel, True),
        # phrases (terms of 2+ words) with every word disguised
        "phrase, every word shuffled": (every_word(shuffled), True),
        "phrase, every word intruded": (every_word(intrusion), True),
        "phrase, every word without vowels": (every_word(disemvowel), True),
        "combo: shuffle + leet": (chain(shuffled, lambda t, r: per_letter(t, r, LEET_TABLE)), True),
        "combo: intrusion + lookalike": (
            chain(intrusion, lambda t, r: per_letter(t, r, confusables, 0.3)),
            True,
        ),
        "combo: vowels dropped + invisible": (chain(disemvowel, invisible), True),
        "combo: typo + leet + invisible": (
            chain(keyboard_typo, lambda t, r: per_letter(t, r, LEET_TABLE, 0.3), invisible),
            True,
        ),
        "combo: typo + intrusion": (chain(keyboard_typo, intrusion), True),
        "combined (leet+lookalike+invisible)": (combined, True),
        "mixed case": (mixed_case, False),
        "run together": (joined, False),
        "single typo (5+ letters)": (typo, False),
        "keyboard typo (5+ letters)": (keyboard_typo, False),
        "phonetic respelling": (phonetic, False),  # the others above keep their samples
        # a 4-letter term one edit off ("weex"): found here; the decision keeps it only with
        # its item's category or words of its sense (a brand or a name otherwise)
        "single typo (4-letter terms)": (typo, False),
        # last, so that the samples of the families above stay those of earlier runs
        "combo: shuffle + intrusion": (chain(shuffled, intrusion), True),
        "phrase, every word shuffled + intruded": (every_word(chain(shuffled, intrusion)), True),
        # combinations with a typo or dropped vowels in the mix (#14: "lowest with intrusion,
        # dropped vowels or a typo in the mix"), after the others to keep their samples
        "combo: shuffle + typo": (chain(shuffled, typo), True),
        "combo: stretch + typo": (chain(typo, stretched), True),
        "combo: vowels dropped + typo": (chain(typo, disemvowel), True),
        "combo: vowels dropped + intrusion": (chain(disemvowel, intrusion), True),
        # letters stretched with another disguise, and three at once with a typo, dropped
        # vowels or intrusion in the mix (session 11), after the others to keep their samples
        "combo: shuffle + stretch": (chain(shuffled, stretched), True),
        "combo: vowels dropped + stretch": (chain(disemvowel, stretched), True),
        "combo: vowels dropped + leet": (
            chain(disemvowel, lambda t, r: per_letter(t, r, LEET_TABLE)),
            True,
        ),
        "combo: intrusion + leet": (
            chain(intrusion, lambda t, r: per_letter(t, r, LEET_TABLE)),
            True,
        ),
        "combo: typo + stretch + leet": (
            chain(typo, stretched, lambda t, r: per_letter(t, r, LEET_TABLE)),
            True,
        ),
        "combo: shuffle + typo + intrusion": (chain(shuffled, typo, intrusion), True),
        "combo: typo + vowels dropped + intrusion": (chain(typo, disemvowel, intrusion), True),
        "combo: shuffle + typo + lookalike": (
            chain(shuffled, typo, lambda t, r: per_letter(t, r, confusables, 0.3)),
            True,
        ),
        "combo: typo + vowels dropped + invisible": (chain(typo, disemvowel, invisible), True),
    }


#: Spelling-to-sound rewrites (a regular expression and its sound-alike spelling).
PHONETIC_RESPELLINGS = [
    ("ph", "f"),
    ("ck", "k"),
    ("qu", "kw"),
    ("x", "ks"),
    ("c(?=[aou])", "k"),
    ("c(?=[eiy])", "s"),
    ("ee", "i"),
    ("ea", "ee"),
    ("oo", "u"),
    ("(?<=.)y", "i"),
    ("ine$", "een"),
    ("ine$", "in"),
    ("tion", "shun"),
    ("(?<=[aeiou])s(?=[aeiou])", "z"),
    ("ll", "l"),
    ("ss", "s"),
    ("tt", "t"),
    ("mm", "m"),
    ("nn", "n"),
    ("(?<=[^aeiou])e$", ""),
    ("th", "t"),
    ("gh", "g"),
    ("i(?=[^aeiou]e$)", "ai"),
    ("(?<=[^aeiou])er$", "a"),
]


def _longest_word(text: str) -> int:
    return max(len(w) for w in text.replace("-", " ").split())


def flipkart_titles() -> list[str]:
    with (DATA / "benign_flipkart" / "flipkart_products_dev.csv").open(encoding="utf-8") as f:
        return [row["product_name"] for row in csv.DictReader(f) if row["product_name"].strip()]


CATALOGS = {
    "flipkart": ("benign_flipkart/flipkart_products_dev.csv", "product_name", "category_path"),
    "myntra": (
        "benign_myntra_fashion/myntra_styles_dev.csv",
        "productDisplayName",
        "category_path",
    ),
    "amazon_uk_toys": (
        "benign_amazon_uk_toys/amazon_uk_toys_dev.csv",
        "product_name",
        "amazon_category_and_sub_category",
    ),
}


@functools.lru_cache(maxsize=1)
def benign_listings() -> dict[str, list[dict[str, str]]]:
    """Every real benign title of the three catalogs, with its declared category."""
    out: dict[str, list[dict[str, str]]] = {}
    for name, (path, title, category) in CATALOGS.items():
        with (DATA / path).open(encoding="utf-8") as f:
            out[name] = [
                {"id": f"{name}-{i}", "title": row[title], "category": row[category] or ""}
                for i, row in enumerate(csv.DictReader(f))
                if (row[title] or "").strip()
            ]
    return out


def slang_rich_pack(directory: Path) -> Path:
    """The default pack plus one item per DEA drug category, its 2018 street names as terms,
    as a new user would write it: nothing marked, only the drugs context named."""
    import shutil

    import yaml

    from contraband.matching.terms import Term, TermError, check_term

    pack = directory / "slang-pack"
    shutil.copytree(ROOT / "policies" / "default", pack)
    by_category: dict[str, set[str]] = {}
    with (DATA / "controlled_substances_dea" / "dea_street_names_2018.csv").open() as f:
        for row in csv.DictReader(f):
            slang = row["slang"].strip()
            try:
                check_term(Term(slang, "x"))
            except TermError:
                continue
            by_category.setdefault(row["category"], set()).add(slang)
    items = [
        {
            "id": "dea-" + "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-"),
            "name": name,
            "grade": "A+",
            "context": ["drugs"],
            "terms": {"en": sorted(terms)},
        }
        for name, terms in sorted(by_category.items())
    ]
    (pack / "items" / "dea-street-names.yaml").write_text(yaml.safe_dump({"items": items}))
    return pack


#: Items a retail catalog really sells (a toy drone is a drone): found as written, they are
#: true findings, counted apart from the false alarms.
REAL_RETAIL_ITEMS = frozenset({"drones", "e-cigarettes", "e-liquids"})


def false_alarms(
    pack_dir: Path, only: str | None = None, category_model: bool = False
) -> dict[str, object]:
    """Verdicts on every benign title: how many go to review, and how many are removed or
    restricted, per 10,000 listings, per catalog; with examples. Literal finds of items the
    catalogs really sell (`REAL_RETAIL_ITEMS`) are counted apart, as real items.
    `category_model`: each listing's verdict is given the prediction of a category model
    trained on the other half of its catalog (halves by the title's first word, mostly the
    brand), as a marketplace screening with its model would; only term findings count (the
    model's own misplacement findings are bench/category_generalisation.py's)."""
    import datetime as dt

    from contraband.listing import parse_listing
    from contraband.screening import Screener
    from contraband.verdict import strongest

    screener = Screener(load_pack(pack_dir))
    day = dt.date(2022, 4, 20)
    report: dict[str, object] = {}
    for catalog, rows in benign_listings().items():
        if only is not None and catalog != only:
            continue
        counts: Counter[str] = Counter()
        examples: list[tuple[str, str, str]] = []
        listings = [parse_listing(row) for row in rows]
        predictions = _other_half_predictions(listings) if category_model else [None] * len(rows)
        for row, listing, prediction in zip(rows, listings, predictions, strict=True):
            verdict = screener.screen(listing, day, prediction)
            acting = [
                f
                for f in verdict.findings
                if f.action.value != "allow" and f.kind.value != "misplaced_category"
            ]
            if category_model:
                verdict.action = strongest(f.action for f in acting)
            if acting and all(
                f.item_id in REAL_RETAIL_ITEMS and f.distortion == "none" for f in acting
            ):
                counts["real item"] += 1
                continue
            counts[verdict.action.value] += 1
            if verdict.action.value != "allow" and len(examples) < 12:
                finding = acting[0]
                examples.append((verdict.action.value, row["title"][:70], finding.reason[:110]))
        n = len(rows)
        report[catalog] = {
            "listings": n,
            "real_items": counts["real item"],
            "review_per_10k": counts["review"] / n * 10_000,
            "remove_or_restrict_per_10k": (counts["remove"] + counts["restrict"]) / n * 10_000,
            "examples": examples,
        }
    return report


def misfiled_recall(pack_dir: Path, sample: int = 3000, seed: int = 3) -> dict[str, object]:
    """Real items named by the same terms, filed where they do not belong: Agora drug and
    weapon titles the pack flags with no category, each filed again under a retail category
    drawn from the benign catalogs (a seller hiding drugs in "Footwear"). The share still
    flagged (review or more) is what sense before sanction must not lose; the lost ones are
    the examples."""
    import datetime as dt
    import zlib

    from contraband.listing import parse_listing
    from contraband.screening import Screener

    rng = random.Random(seed)
    categories = sorted(
        {row["category"] for rows in benign_listings().values() for row in rows if row["category"]}
    )
    titles = [t for t, path in agora_titles() if path.split("/")[0] in ("Drugs", "Weapons")]
    titles = rng.sample(titles, min(sample, len(titles)))
    screener = Screener(load_pack(pack_dir))
    day = dt.date(2022, 4, 20)
    flagged = kept = 0
    lost: list[tuple[str, str]] = []
    for i, title in enumerate(titles):
        unfiled = screener.screen(parse_listing({"id": str(i), "title": title}), day)
        if unfiled.action.value == "allow":
            continue
        flagged += 1
        category = categories[zlib.crc32(title.encode()) % len(categories)]
        row = {"id": str(i), "title": title, "category": category}
        if screener.screen(parse_listing(row), day).action.value != "allow":
            kept += 1
        elif len(lost) < 8:
            lost.append((title[:70], category[:40]))
    return {
        "flagged_unfiled": flagged,
        "still_flagged": kept,
        "share": kept / max(flagged, 1),
        "lost_examples": lost,
    }


def short_typos_in_context(
    typo: Callable[[str, random.Random], str], samples: int, seed: int
) -> dict[str, object]:
    """A 4-letter term one edit off ("jul" for "juul", "mma" for "mdma") counts only where
    its context supports it (#14: "words of 4 letters included where the context supports
    them"). Judged by the whole screening, as a marketplace would see it: each misspelling
    planted in a real Flipkart title (a) filed in the item's designated category, or, for
    an item with none, beside two words of its sense ("uncut", "dose"; units count only
    after a number), must be flagged for that item; (b) the same title with no category and
    no such words must not be."""
    import datetime as dt

    from contraband.listing import parse_listing
    from contraband.matching.index import collapse
    from contraband.screening import Screener

    pack = load_pack(ROOT / "policies" / "default")
    screener = Screener(pack)
    items = pack.items_by_id
    terms = [
        t for t in pack_terms(pack) if t.language == "en" and len(t.text) == 4 and t.text.isalpha()
    ]
    rng = random.Random(seed)
    titles = flipkart_titles()
    day = dt.date(2022, 4, 20)
    in_context = bare = 0
    misses: list[str] = []
    false_flags: list[str] = []
    for n in range(samples):
        term = rng.choice(terms)
        item = items[term.item_id]
        written = typo(term.text, rng)
        while collapse(written) == collapse(term.text):  # "juuul", "mdmma": the term, stretched
            written = typo(term.text, rng)
        words = rng.choice(titles).split()
        words.insert(rng.randrange(len(words) + 1), written)
        title = " ".join(words)
        strong = [w for w in pack.strong_context(item) if w.isalpha() and len(w) >= 4]
        if item.categories:
            row = {"id": str(n), "title": title, "category": item.categories[0]}
        else:
            row = {"id": str(n), "title": f"{title} {' '.join(rng.sample(strong, 2))}"}
        flagged = [
            f
            for f in screener.screen(parse_listing(row), day).findings
            if f.item_id == item.id and f.action.value != "allow"
        ]
        in_context += bool(flagged)
        if not flagged and len(misses) < 12:
            misses.append(f"{written} ({row.get('category') or row['title'][-20:]})")
        alone = screener.screen(parse_listing({"id": str(n), "title": title}), day)
        wrong = [f for f in alone.findings if f.item_id == item.id and f.action.value != "allow"]
        bare += bool(wrong)
        if wrong and len(false_flags) < 12:
            false_flags.append(f"{written}: {wrong[0].reason[:90]}")
    return {
        "samples": samples,
        "in_context_recall": in_context / samples,
        "flagged_without_context": bare / samples,
        "missed_examples": misses,
        "flagged_without_context_examples": false_flags,
    }


def _other_half_predictions(listings: list) -> list:
    """Each listing's category prediction by a model trained on the other half of them
    (halves by a hash of the title's first word); None where it has no category."""
    import hashlib

    from contraband.category.model import CategoryModel, listing_text

    half = [
        hashlib.sha256(x.title.split()[0].casefold().encode()).digest()[0] % 2 for x in listings
    ]
    out: list = [None] * len(listings)
    for side in (0, 1):
        train = [x for x, h in zip(listings, half, strict=True) if h != side and x.category]
        model = CategoryModel.train([listing_text(x) for x in train], [x.category for x in train])
        wanted = [i for i, h in enumerate(half) if h == side]
        for i, prediction in zip(
            wanted, model.predict_listings([listings[i] for i in wanted]), strict=True
        ):
            out[i] = prediction
    return out


def with_learned_namesakes(pack_dir: Path, catalog: str, directory: Path) -> Path:
    """A copy of the pack with the namesakes `contraband policy namesakes` learns from the
    other benign catalogs than `catalog` (never from the one it is then measured on)."""
    import shutil

    import yaml

    from contraband.listing import parse_listing
    from contraband.screening import Screener, namesake_candidates

    pack = directory / f"learned-{catalog}"
    shutil.copytree(pack_dir, pack)
    others = [
        parse_listing(row)
        for name, rows in benign_listings().items()
        if name != catalog
        for row in rows
    ]
    base = load_pack(pack_dir)
    found = namesake_candidates(Screener(base), others, min_listings=3)
    terms = sorted({c.term for c in found} | set(base.namesakes))  # the pack's own kept
    (pack / "namesakes.yaml").write_text(yaml.safe_dump({"namesakes": terms}))
    return pack


def agora_titles() -> list[tuple[str, str]]:
    with (DATA / "prohibited_agora_2014" / "agora_2014_dev.csv").open(encoding="utf-8") as f:
        return [(row["title"], row["category_path"]) for row in csv.DictReader(f)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-family", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"missing {DATA}: the quality benchmark needs ../shared/data")
    rng = random.Random(args.seed)
    pack = load_pack(ROOT / "policies" / "default")
    terms = [t for t in pack_terms(pack) if t.language == "en"]
    matcher = Matcher(build_index(pack))
    titles = flipkart_titles()
    fams = families(load_confusables(), load_ignorables(), load_spamassassin())

    results: dict[str, dict[str, object]] = {}
    rows = []
    for name, (disguise, deliberate) in fams.items():
        found = deliberate_class = 0
        misses: list[str] = []
        long_word = any(k in name for k in ("typo", "shuffle", "vowels", "intrusion"))
        eligible = [t for t in terms if not long_word or _longest_word(t.text) >= 5]
        if "4-letter" in name:  # one-word terms of four letters
            eligible = [t for t in terms if len(t.text) == 4 and t.text.isalpha()]
        if name.startswith("phrase"):
            eligible = [t for t in terms if " " in t.text and _longest_word(t.text) >= 5]
        for _ in range(args.per_family):
            term = rng.choice(eligible)
            written = disguise(term.text, rng)
            words = rng.choice(titles).split()
            words.insert(rng.randrange(len(words) + 1), written)
            hits = matcher.find([("title", " ".join(words))])
            mine = [h for h in hits if h.item_id == term.item_id]
            if mine:
                found += 1
                deliberate_class += any(h.distortion == Distortion.DELIBERATE for h in mine)
            elif len(misses) < 15:
                misses.append(written)
        recall = found / args.per_family
        results[name] = {
            "recall": recall,
            "deliberate_class_share": deliberate_class / max(found, 1),
            "deliberate_family": deliberate,
            "missed_examples": misses,
        }
        rows.append(
            (
                name,
                "deliberate" if deliberate else "honest",
                f"{recall:.1%}",
                f"{deliberate_class / max(found, 1):.0%}",
            )
        )

    literal = Counter()
    false_hits: list[tuple[str, str, str]] = []
    short_readings = 0  # "vase" for "vape": the decision keeps these only in context
    for title in titles:
        for hit in matcher.find([("title", title)]):
            if hit.distortion == Distortion.NONE:
                literal[hit.term] += 1
            elif hit.distortion == Distortion.TYPO and len(hit.term) <= SHORT_TYPO_LETTERS:
                short_readings += 1
            else:
                false_hits.append((title, hit.term, hit.text))
    per_10k = len(false_hits) / len(titles) * 10_000

    agora = agora_titles()
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for title, path in agora:
        top = path.split("/")[0]
        if top not in ("Drugs", "Weapons"):
            continue
        group = "/".join(path.split("/")[:2])
        total[group] += 1
        caught[group] += bool(matcher.find([("title", title)]))
    agora_rows = [
        (g, f"{caught[g]}/{total[g]}", f"{caught[g] / total[g]:.0%}")
        for g in sorted(total, key=lambda g: -total[g])[:14]
    ]

    print(table(rows, ("family", "kind", "recall", "classed deliberate")))
    short = short_typos_in_context(
        fams["single typo (4-letter terms)"][0], args.per_family, args.seed
    )
    results["single typo (4-letter terms), screened in context"] = short
    print(
        f"\n4-letter terms one edit off, whole screening ({short['samples']} planted): "
        f"flagged {short['in_context_recall']:.1%} in the item's category or beside two "
        f"words of its sense; {short['flagged_without_context']:.1%} with no context"
    )
    if short["missed_examples"]:
        print(f"  missed in context: {', '.join(short['missed_examples'][:8])}")
    print(
        f"\nunmodified Flipkart titles: {len(titles):,}; false hits (not the literal term): "
        f"{len(false_hits)} = {per_10k:.2f} per 10,000 titles (besides {short_readings} "
        "readings of a 4-letter term one edit off, which the decision keeps only in context: "
        "see above); literal policy terms found: "
        f"{sum(literal.values())} ({', '.join(f'{t} {n}' for t, n in literal.most_common(8))})"
    )
    for title, term, text in false_hits[:10]:
        print(f"  false hit: {term!r} as {text!r} in {title[:80]!r}")
    print("\nAgora 2014 titles caught by the default pack, as written (top groups):")
    print(table(agora_rows, ("category", "caught", "share")))
    path = write_results(
        "quality",
        {
            "per_family": args.per_family,
            "seed": args.seed,
            "families": results,
            "flipkart_titles": len(titles),
            "false_hits": len(false_hits),
            "false_hits_per_10k": per_10k,
            "short_term_readings_for_context": short_readings,
            "false_hit_examples": false_hits[:50],
            "literal_terms_in_flipkart": dict(literal.most_common()),
            "agora_caught": {g: [caught[g], total[g]] for g in total},
        },
    )
    print(f"\nwrote {path}")
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        slang = slang_rich_pack(Path(directory))
        alarms: dict[str, dict[str, object]] = {
            "default pack": false_alarms(ROOT / "policies" / "default"),
            "slang-rich pack (default + DEA street names)": false_alarms(slang),
            "slang-rich + namesakes learned from the other catalogs": {},
        }
        for catalog in benign_listings():
            learned = with_learned_namesakes(slang, catalog, Path(directory))
            alarms["slang-rich + namesakes learned from the other catalogs"].update(
                false_alarms(learned, only=catalog)
            )
        alarms["slang-rich, with a category model (other half of the catalog)"] = false_alarms(
            slang, category_model=True
        )
    alarm_rows = [
        (
            pack_name,
            catalog,
            f"{r['listings']:,}",
            f"{r['real_items']:,}",
            f"{r['review_per_10k']:.2f}",
            f"{r['remove_or_restrict_per_10k']:.2f}",
        )
        for pack_name, catalogs in alarms.items()
        for catalog, r in catalogs.items()  # type: ignore[union-attr]
    ]
    print("\nFalse alarms on real benign titles (with their declared categories):")
    columns = ("pack", "catalog", "listings", "real items", "review /10k", "remove /10k")
    print(table(alarm_rows, columns))
    for pack_name, catalogs in alarms.items():
        for catalog, r in catalogs.items():  # type: ignore[union-attr]
            for action, title, reason in r["examples"][:4]:  # type: ignore[index]
                print(f"  [{pack_name[:5]} {catalog}] {action}: {title!r} -- {reason}")
    write_results("quality_false_alarms", alarms)

    with tempfile.TemporaryDirectory() as directory:
        misfiled = {
            "default pack": misfiled_recall(ROOT / "policies" / "default"),
            "slang-rich pack": misfiled_recall(slang_rich_pack(Path(directory))),
        }
    print("\nThe same terms meaning the item, filed in a retail category (Agora titles the pack")
    print("flags unfiled, each filed under a category of the benign catalogs):")
    rows = [
        (name, f"{r['still_flagged']}/{r['flagged_unfiled']}", f"{r['share']:.1%}")
        for name, r in misfiled.items()
    ]
    print(table(rows, ("pack", "still flagged", "share")))
    for name, r in misfiled.items():
        for title, category in r["lost_examples"][:4]:  # type: ignore[index]
            print(f"  [{name[:7]}] lost: {title!r} under {category!r}")
    write_results("quality_misfiled", misfiled)


if __name__ == "__main__":
    main()
