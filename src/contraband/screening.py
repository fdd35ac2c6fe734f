"""The screener: a policy pack compiled for screening, and the call that screens one listing.

It joins the core modules in the one order they are used: the pack's terms become a term
index, a listing's text is matched against it, and `decide` turns hits into a verdict. A
Screener pickles (the index ships as bytes), so batch workers receive one ready to use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from contraband.decision import (
    NO_CERTIFICATES,
    CategoryPrediction,
    CertificateBook,
    ItemPrediction,
    decide,
    item_words,
)
from contraband.errors import ContrabandError, PolicyError
from contraband.listing import Listing, decode_listing, parse_listing
from contraband.matching import Distortion, Hit, Matcher, Term, TermError, TermIndex
from contraband.matching.cache import cached_index
from contraband.matching.index import SHORT_TYPO_LETTERS
from contraband.policy import PolicyPack, Problem
from contraband.policy.model import category_covers
from contraband.text import key
from contraband.verdict import Verdict, error_verdict


class CategoryModel(Protocol):
    """Predicts where a listing belongs (see contraband.category)."""

    def predict_listing(self, listing: Listing) -> CategoryPrediction | None: ...

    def predict_listings(self, listings: Sequence[Listing]) -> list[CategoryPrediction | None]: ...


class ItemModel(Protocol):
    """Reads which policy item a listing is about, named or not (see contraband.item)."""

    def predict_listings(self, listings: Sequence[Listing]) -> list[ItemPrediction | None]: ...


def load_models(
    category: Path | None, item: Path | None
) -> tuple[CategoryModel | None, ItemModel | None]:
    """The category and item models in these files (each None where no file is named);
    ModelError for a file that is not one (skops: loading runs no code)."""
    category_model = item_model = None
    if category is not None:
        from contraband.category.model import load_model

        category_model = load_model(category)
    if item is not None:
        from contraband.item.model import load_item_model

        item_model = load_item_model(item)
    return category_model, item_model


def model_fingerprints(category: Path | None, item: Path | None) -> dict[str, str | None]:
    """SHA-256 of each model file named (None where none is): what a rescan records to know
    whether a later one screens with the same models."""
    import hashlib

    return {
        name: hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None
        for name, path in (("category_model", category), ("item_model", item))
    }


#: The terms of the packs read last (a rescan compares two), by identity: a 10,000-item
#: pack's take a second to make, and a pack is immutable.
_TERMS: list[tuple[PolicyPack, tuple[Term, ...]]] = []


def pack_terms(pack: PolicyPack) -> tuple[Term, ...]:
    """Every term of every item of the pack, with its exceptions. A term that shares a word
    with its item's name or id names the item itself: never ambiguous ("crack cocaine"),
    unless the pack lists it among its namesakes (a perfume and sunglasses brand "Opium");
    nor is a term of an item whose terms are `proper_names` ("tramadol")."""
    for known, terms in _TERMS:
        if known is pack:
            return terms
    made = tuple(_terms_of(pack))
    _TERMS[:] = [*_TERMS[-1:], (pack, made)]
    return made


def _terms_of(pack: PolicyPack) -> list[Term]:
    terms = []
    namesakes = {key(text) for text in pack.namesakes}
    for item in pack.items:
        own = item_words(item)  # "drone" names the item "Drones"
        # a phrase holding a word only shops use too ("baby powder") is not the item's own
        sense = tuple(
            sorted({w for entry in pack.strong_context(item) for w in key(entry).split()})
        )
        for language, entry in item.term_entries():
            ambiguous = entry.ambiguous
            if ambiguous is None and item.proper_names:
                ambiguous = False
            elif ambiguous is None and key(entry.text) in namesakes:
                ambiguous = True
            elif ambiguous is None and own & set(key(entry.text).split()):
                ambiguous = False
            terms.append(
                Term(entry.text, item.id, language, tuple(entry.exceptions), ambiguous, sense)
            )
    return terms


def build_index(pack: PolicyPack) -> TermIndex:
    """The term index of a pack (from the index cache when it holds one); PolicyError if a
    term cannot be matched."""
    try:
        return cached_index(pack_terms(pack))
    except TermError as error:
        raise PolicyError([Problem("items", None, "terms", str(error))]) from error


class Screener:
    """Screens listings against one policy pack."""

    def __init__(
        self,
        pack: PolicyPack,
        index: TermIndex | None = None,
        *,
        certificates: CertificateBook = NO_CERTIFICATES,
        category_model: CategoryModel | None = None,
        item_model: ItemModel | None = None,
    ) -> None:
        self.pack = pack
        self.index = index if index is not None else build_index(pack)
        self.certificates = certificates
        self.category_model = category_model
        self.item_model = item_model
        self._matcher = Matcher(self.index)
        self._short_term_context = _ShortTermContext(pack)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "index": self.index,
            "certificates": self.certificates,
            "category_model": self.category_model,
            "item_model": self.item_model,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.pack = state["pack"]
        self.index = state["index"]
        self.certificates = state["certificates"]
        self.category_model = state["category_model"]
        self.item_model = state.get("item_model")
        self._matcher = Matcher(self.index)
        self._short_term_context = _ShortTermContext(self.pack)

    def hits(self, listing: Listing) -> list[Hit]:
        """The terms found in `listing`, before any decision."""
        return self._find(listing)

    def _find(self, listing: Listing) -> list[Hit]:
        short_typos = self._short_term_context.holds(listing)
        return self._matcher.find(listing.fields(), short_typos=short_typos)

    def decide(self, listing: Listing, hits: Sequence[Hit], as_of: dt.date) -> Verdict:
        """The verdict on `listing` given `hits` (from `hits`), without the models."""
        return decide(listing, hits, self.pack, as_of, self.certificates)

    def screen(
        self, listing: Listing, as_of: dt.date, prediction: CategoryPrediction | None = None
    ) -> Verdict:
        """The verdict on one listing (`prediction`: a category prediction made in bulk)."""
        hits = self._find(listing)
        if prediction is None and self.category_model is not None:
            prediction = self.category_model.predict_listing(listing)
        item = self.item_model.predict_listings([listing])[0] if self.item_model else None
        return decide(listing, hits, self.pack, as_of, self.certificates, prediction, item)

    def screen_records(
        self, records: Sequence[tuple[Any, str]], as_of: dt.date
    ) -> list[tuple[Listing | None, Verdict]]:
        """(listing, verdict) for input records ((raw JSON bytes or a mapping, where)), in
        order; the listing is None where the record could not be read.

        Listings are decoded first so the category model, if any, predicts them in one call.
        """
        return [(listing, verdict) for listing, verdict, _ in self.screen_matched(records, as_of)]

    def screen_matched(
        self, records: Sequence[tuple[Any, str]], as_of: dt.date
    ) -> list[tuple[Listing | None, Verdict, tuple[str, ...]]]:
        """`screen_records`, each with the ids of the items found in the listing (those that
        gave no finding too): what an incremental rescan needs to know a verdict still holds.
        """
        decoded: list[Listing | Verdict] = []
        for record, where in records:
            try:
                decoded.append(
                    decode_listing(record) if isinstance(record, bytes) else parse_listing(record)
                )
            except ContrabandError as error:
                decoded.append(self._error(record, f"{where}: {error}", as_of))
        listings = [d for d in decoded if isinstance(d, Listing)]
        predictions = iter(
            self.category_model.predict_listings(listings)
            if self.category_model
            else [None] * len(listings)
        )
        items = iter(
            self.item_model.predict_listings(listings)
            if self.item_model
            else [None] * len(listings)
        )
        found = iter(self._matcher.find_many([listing.fields() for listing in listings]))
        out: list[tuple[Listing | None, Verdict, tuple[str, ...]]] = []
        for d in decoded:
            if isinstance(d, Verdict):
                out.append((None, d, ()))
                continue
            hits = next(found)
            if self._short_term_context.holds(d):  # rare: read again, short typos too
                hits = self._find(d)
            verdict = decide(
                d, hits, self.pack, as_of, self.certificates, next(predictions), next(items)
            )
            out.append((d, verdict, tuple(sorted({h.item_id for h in hits}))))
        return out

    def error(self, message: str, as_of: dt.date, record: Any = None) -> Verdict:
        return self._error(record, message, as_of)

    def _error(self, record: Any, message: str, as_of: dt.date) -> Verdict:
        listing_id = seller_id = ""
        if isinstance(record, bytes):
            record = _loose_json(record)
        if isinstance(record, Mapping):
            listing_id = str(record.get("id") or "")
            seller_id = str(record.get("seller_id") or "")
        return error_verdict(listing_id, seller_id, message, self.pack.version, as_of.isoformat())


class _ShortTermContext:
    """Where an ordinary word one edit from a 4-letter term ("jul" for "juul") is worth
    reading as its misspelling: in a listing filed in that term's item's category. Elsewhere
    the decision would drop it anyway, and in a big pack most listings hold such a word."""

    def __init__(self, pack: PolicyPack) -> None:
        short = {
            t.item_id
            for t in pack_terms(pack)
            if len(t.text) == SHORT_TYPO_LETTERS and t.text.isalpha()
        }
        self._categories = tuple(
            c for item in pack.items if item.id in short for c in item.categories
        )
        self._seen: dict[str, bool] = {}

    def holds(self, listing: Listing) -> bool:
        declared = listing.category
        if not declared or not self._categories:
            return False
        held = self._seen.get(declared)
        if held is None:
            if len(self._seen) > 10_000:
                self._seen.clear()
            held = any(category_covers(c, declared) for c in self._categories)
            self._seen[declared] = held
        return held


def _loose_json(raw: bytes) -> Any:
    """Best effort to read ids from a record that failed validation (for its error verdict)."""
    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


@dataclass(frozen=True, slots=True)
class NamesakeCandidate:
    """A term found as written in listings of a benign catalog: a namesake to mark."""

    term: str
    item_id: str
    listings: int
    examples: tuple[str, ...]


def namesake_candidates(
    screener: Screener, listings: Iterable[Listing], min_listings: int = 3, examples: int = 3
) -> list[NamesakeCandidate]:
    """Terms the pack does not yet treat as ambiguous that `listings` (a catalog known to be
    benign) contain as written in at least `min_listings` listings, commonest first.

    A pack author cannot foresee every toy line, brand or herb named like a street name; a
    benign catalog shows them. Disguised and misspelled hits are left out: a benign seller
    does not disguise, so those are the matcher's to fix, not the pack's.
    """
    found: dict[tuple[str, str], list[str]] = {}
    for listing in listings:
        seen = set()
        for hit in screener.hits(listing):
            if hit.ambiguous or hit.distortion != Distortion.NONE:
                continue
            slot = (hit.term, hit.item_id)
            if slot not in seen:
                seen.add(slot)
                found.setdefault(slot, []).append(listing.title)
    ranked = sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [
        NamesakeCandidate(term, item_id, len(titles), tuple(titles[:examples]))
        for (term, item_id), titles in ranked
        if len(titles) >= min_listings
    ]
