"""Ordinary words: text tokens that are real words are never fuzzy-matched to a term.

This is what keeps "heroine" from matching "heroin" and "pubic" from matching "public": a
misspelling is only suspected in a token that is not itself a word. The list comes from
`wordfreq` (the most frequent words of each language) and is baked into the compiled index,
so workers never load wordfreq.
"""

from __future__ import annotations

from functools import lru_cache

from contraband.text import key

#: Words of each language read as ordinary: the 60,000 commonest, and down to the 100,000th
#: (about Zipf 2, once in a hundred million words) those of 5 letters or more, where the
#: names, brands and British spellings sellers write live ("Energise", "Beanies",
#: "Sparkler"). A misspelling common enough to be listed ("cocain") is rarer still; rare short
#: tokens are as often a term written short ("ccn", "hrn") as an abbreviation, so they are
#: left to be read.
ORDINARY_WORDS = 60_000
ORDINARY_LONG_WORDS = 100_000
LONG_WORD = 5


@lru_cache(maxsize=4)
def ordinary_words(languages: tuple[str, ...] = ("en",)) -> frozenset[str]:
    """The ordinary words of each language (see `ORDINARY_WORDS`), in canonical (key) form."""
    import wordfreq  # heavy: imported only when an index is built

    words: set[str] = set()
    for language in languages:
        ranked = wordfreq.top_n_list(language, ORDINARY_LONG_WORDS)
        for rank, word in enumerate(ranked):
            # Every part counts: "shouldn't" makes "shouldn" and "t" ordinary too.
            parts = key(word).split()
            if rank >= ORDINARY_WORDS:
                parts = [p for p in parts if len(p) >= LONG_WORD]
            words.update(parts)
    return frozenset(words)


#: Languages whose words a street name may also be (a cross-border marketplace sells in all
#: of them): "Chinos" is trousers in English and "Chinese" in Spanish before it is cocaine.
MARKETPLACE_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "tr", "id", "pl")


@lru_cache(maxsize=1)
def marketplace_words(size: int = 30_000) -> frozenset[str]:
    """The `size` commonest words of each marketplace language, lower-cased as written (a
    term's canonical words are compared with them; no fold is needed for the Latin script
    words that matter here, and it keeps the index build quick)."""
    import wordfreq

    words: set[str] = set()
    for language in MARKETPLACE_LANGUAGES:
        words.update(w for w in wordfreq.top_n_list(language, size) if w.isalpha())
    return frozenset(words)


@lru_cache(maxsize=1)
def common_words(size: int = 3000) -> frozenset[str]:
    """The commonest English words: two of them side by side are ordinary text."""
    import wordfreq

    return frozenset(w for w in wordfreq.top_n_list("en", size) if w.isalpha())


@lru_cache(maxsize=1)
def everyday_words(size: int = 20_000) -> frozenset[str]:
    """The commonest English words (about Zipf 3.4 and up): a term made only of these has
    ordinary senses ("speed", "jelly beans"), unless the pack says otherwise."""
    import wordfreq

    return frozenset(w for w in wordfreq.top_n_list("en", size) if w.isalpha())


#: Zipf frequency (log10 of uses per billion words) from which a word is commonplace.
COMMONPLACE_ZIPF = 3.7


@lru_cache(maxsize=1)
def commonplace_words() -> frozenset[str]:
    """The English words of Zipf frequency `COMMONPLACE_ZIPF` and up: a prefix of wordfreq's
    list by frequency, its end found by bisection (a dozen lookups, not one per word)."""
    import wordfreq

    ranked = [w for w in wordfreq.top_n_list("en", 20_000) if w.isalpha()]
    low, high = 0, len(ranked)
    while low < high:
        middle = (low + high) // 2
        if wordfreq.zipf_frequency(ranked[middle], "en") >= COMMONPLACE_ZIPF:
            low = middle + 1
        else:
            high = middle
    return frozenset(ranked[:low])
