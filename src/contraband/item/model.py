"""Which policy item a listing is about, from its whole text, when it names no term.

Sellers rename products to escape term lists ("electronic stick, 1500 puffs" for a vape, a
benzodiazepine by a brand nobody listed). The item model reads a listing as the category
model does (TF-IDF word and character n-grams of the canonical text, a linear classifier)
and predicts one of the pack's items, or none. It is trained on labelled listings: the
pack's own term findings label a catalog (the model learns the words that surround each
item), explicit labels override them, and reviewers' decisions add what the terms cannot
know (a dismissal is a "none" example, a confirmation an item example).

The classifier is a multinomial logistic regression with classes weighted by their
rarity (a few dozen reviewed renamings weigh against tens of thousands of ordinary
listings); its score is the probability that the listing is about some item, 1 - P(none),
and the item it names is the likeliest one. Chosen by measurement (bench/items.py): against
a linear SVM-like model (modified Huber) it found 90% of held-out term-free darknet titles
instead of 15-80%, and learned from reviews (half the renamed products confirmed, the other
half found 26 of 50 times instead of 2-10). The
operating threshold is set at training
from held-out listings about no item, at a false-alarm rate the trainer names (1 per 10,000
by default), and travels in the model file; `decide` turns a prediction above it into a
review with no points, never more. The words that weighed most, and the nearest items, are
the evidence. A model file is skops (no pickle), like the category model's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from contraband.category.model import (
    TEXT_MODEL_TYPES,
    model_file_bytes,
    read_model_file,
    shrink,
    text_features,
)
from contraband.decision import ItemPrediction
from contraband.errors import ModelError
from contraband.listing import Listing
from contraband.matching import Distortion, Hit
from contraband.text import key
from contraband.verdict import Detector, Sense, Verdict

FORMAT = "contraband-item-model/1"
NONE = "-"  # the label of a listing about no policy item
ALLOWED_TYPES = TEXT_MODEL_TYPES | {"sklearn.linear_model._logistic.LogisticRegression"}
C = 10.0  # the inverse of the regularisation (bench/items.py --c compares)
MIN_EXAMPLES = 3  # items with fewer labelled listings are not learned
NEAREST = 3  # items named as the nearest in a prediction's evidence
WEIGHED = 3  # words named as those that weighed most
_WORD = re.compile(r"\w+")


def listing_text(listing: Listing) -> str:
    """What the item model reads: the title and keywords, canonical. They name the product;
    a description is mostly a seller's boilerplate (shipping, certificates, discounts), the
    same on a vape and on a frying pan, and would only dilute them."""
    return key(f"{listing.title} {listing.keywords_text}")


class ItemModel:
    """A trained item model (see module docs)."""

    def __init__(self, pipeline: Any, threshold: float, meta: dict[str, Any]) -> None:
        self.pipeline = pipeline
        self.threshold = threshold
        self.meta = meta
        self.format = FORMAT
        self._classes = [str(c) for c in pipeline.classes_]
        self._items = [j for j, c in enumerate(self._classes) if c != NONE]
        self._none = self._classes.index(NONE)
        self._names: tuple[list[str], list[str]] | None = None

    @classmethod
    def train(cls, texts: Sequence[str], labels: Sequence[str], *, c: float = C) -> ItemModel:
        """Fit on canonical texts and their labels (an item id, or NONE). The threshold is
        1.0 (nothing flagged) until `calibrate` sets it."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        counts = Counter(labels)
        keep = [i for i, label in enumerate(labels) if counts[label] >= MIN_EXAMPLES]
        learned = {labels[i] for i in keep}
        if NONE not in learned or len(learned) < 2:
            raise ModelError(
                f"need listings about no item and about at least one item ({MIN_EXAMPLES}+ "
                "labelled listings each) to train"
            )
        classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=300)
        pipeline = make_pipeline(text_features(), classifier)
        pipeline.fit([texts[i] for i in keep], [labels[i] for i in keep])
        shrink(pipeline)
        meta = {
            "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "examples": len(keep),
            "items": sorted(learned - {NONE}),
            "per_item": {label: counts[label] for label in sorted(learned)},
        }
        return cls(pipeline, 1.0, meta)

    # --- scores ----------------------------------------------------------------------------

    def scores(self, texts: Sequence[str]) -> list[float]:
        """Each text's score for its most likely item (see module docs)."""
        if not texts:
            return []
        probabilities = self.pipeline.predict_proba(list(texts))
        return [1.0 - float(row[self._none]) for row in probabilities]

    def calibrate(self, none_texts: Sequence[str], per_10k: float) -> float:
        """Set the threshold so at most `per_10k` in 10,000 of `none_texts` (held out, about
        no item) score above it; with too few texts to allow one, above the highest."""
        ranked = sorted(self.scores(none_texts), reverse=True)
        allowed = int(len(ranked) * per_10k / 10_000)
        self.threshold = ranked[allowed] if allowed < len(ranked) else 0.0
        self.meta["calibration"] = {"none_listings": len(ranked), "per_10k": per_10k}
        return self.threshold

    # --- predictions -------------------------------------------------------------------------

    def predict_listings(self, listings: Sequence[Listing]) -> list[ItemPrediction | None]:
        """For each listing, the item it reads as when the score passes the threshold."""
        return self.predict_texts([listing_text(listing) for listing in listings])

    def predict_texts(self, texts: Sequence[str]) -> list[ItemPrediction | None]:
        if not texts:
            return []
        features = self.pipeline[:-1].transform(list(texts))
        out: list[ItemPrediction | None] = []
        for row_index, row in enumerate(self.pipeline[-1].predict_proba(features)):
            score = 1.0 - float(row[self._none])
            if score <= self.threshold:
                out.append(None)
                continue
            ranked = sorted(self._items, key=lambda j: -row[j])
            out.append(
                ItemPrediction(
                    item_id=self._classes[ranked[0]],
                    probability=score,
                    threshold=self.threshold,
                    nearest=tuple(
                        (self._classes[j], round(float(row[j]), 4)) for j in ranked[:NEAREST]
                    ),
                    words=self._weighed(features[row_index], ranked[0], texts[row_index]),
                )
            )
        return out

    def _weighed(self, row: Any, column: int, text: str) -> tuple[str, ...]:
        """The words of `text` whose features pushed hardest toward class `column` rather
        than "none": each word n-gram's weight is shared by its words, each character
        n-gram's by the words it lies in."""
        words_of, chars_of = self._feature_names()
        coefficients = self.pipeline[-1].coef_
        coef = coefficients[column] - coefficients[self._none]
        tokens = _WORD.findall(text)
        credit: dict[str, float] = {}
        row = row.tocoo()
        for j, value in zip(row.col, row.data, strict=True):
            weight = float(value) * float(coef[j])
            if j < len(words_of):
                parts = words_of[j].split()
            else:
                gram = chars_of[j - len(words_of)]
                parts = [t for t in tokens if gram in f" {t} "]
            for part in parts:
                credit[part] = credit.get(part, 0.0) + weight / len(parts)
        ranked = sorted(credit.items(), key=lambda kv: -kv[1])[:WEIGHED]
        return tuple(word for word, weight in ranked if weight > 0)

    def _feature_names(self) -> tuple[list[str], list[str]]:
        if self._names is None:
            words, chars = (v for _, v in self.pipeline[0].transformer_list)
            self._names = (list(words.get_feature_names_out()), list(chars.get_feature_names_out()))
        return self._names

    def to_bytes(self) -> bytes:
        """The model file's content (skops)."""
        return model_file_bytes(FORMAT, self.pipeline, self.meta, threshold=self.threshold)


# --- training data ---------------------------------------------------------------------------


def term_label(hits: Sequence[Hit], verdict: Verdict) -> str | None:
    """The item the pack's terms say a listing is about; NONE when they find nothing (or
    only namesakes); None when they are unsure (a misspelling, a term its context left
    unclear): such a listing is neither a clean example of an item nor of none, and is
    left out. A term found as written or deliberately disguised, unambiguous or confirmed
    by the context, labels it with its item, whatever it costs here: an item no measure
    concerns in the listing's countries still labels it. When several items are named, the
    one named most wins (ties: the first named)."""
    senses = {f.item_id: f.sense for f in verdict.findings if f.detector == Detector.TERMS}
    named: Counter[str] = Counter()
    unsure = False
    for hit in hits:
        sense = senses.get(hit.item_id)
        if hit.distortion == Distortion.TYPO or (hit.ambiguous and sense == Sense.UNCLEAR.value):
            unsure = True
        elif not hit.ambiguous or sense == Sense.CONFIRMED.value:
            named[hit.item_id] += 1
    if named:
        return named.most_common(1)[0][0]
    return None if unsure else NONE


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled listing text."""

    text: str  # the canonical text (`listing_text`)
    label: str  # an item id, or NONE
    group: str  # held out together (a seller: its listings look alike)
    term_free: bool = False  # labelled an item its terms do not name (what the model is for)


@dataclass
class Training:
    """A model trained on part of the examples and judged on the groups held out."""

    model: ItemModel
    held_out: int
    held_out_none: int
    false_alarms: int  # held-out NONE examples above the threshold
    per_item: dict[str, tuple[int, int]] = field(default_factory=dict)  # (found, held out)
    term_free: tuple[int, int] = (0, 0)  # (found, held out) of the term-free examples


def held_out(group: str, seed: int, share: float) -> bool:
    """Whether a group is in the held-out share (a stable hash, so reruns agree)."""
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def train_held_out(
    examples: Sequence[Example], *, test_share: float, per_10k: float, seed: int = 0
) -> Training:
    """Train on the groups not held out, set the threshold on the held-out NONE examples at
    `per_10k` false alarms in 10,000, and count what the held-out item examples get."""
    train = [e for e in examples if not held_out(e.group, seed, test_share)]
    test = [e for e in examples if held_out(e.group, seed, test_share)]
    model = ItemModel.train([e.text for e in train], [e.label for e in train])
    none = [e.text for e in test if e.label == NONE]
    if not none:
        raise ModelError("no held-out listings about no item to set the threshold on")
    model.calibrate(none, per_10k)
    predictions = model.predict_texts([e.text for e in test])
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_alarms = free_found = free_total = 0
    for example, prediction in zip(test, predictions, strict=True):
        if example.label == NONE:
            false_alarms += prediction is not None
            continue
        hit = prediction is not None and prediction.item_id == example.label
        total[example.label] += 1
        found[example.label] += hit
        if example.term_free:
            free_total += 1
            free_found += prediction is not None  # flagged for review, whichever item
    model.meta.update(
        {"held_out": len(test), "test_share": test_share, "seed": seed, "per_10k": per_10k}
    )
    return Training(
        model=model,
        held_out=len(test),
        held_out_none=len(none),
        false_alarms=false_alarms,
        per_item={item: (found[item], total[item]) for item in sorted(total)},
        term_free=(free_found, free_total),
    )


def load_item_model(path: Any) -> ItemModel:
    """The item model in `path`; ModelError if it is missing, corrupt, of another version,
    or holds any type an item model is not made of (nothing in it is ever run)."""
    data = read_model_file(path, FORMAT, "item", ALLOWED_TYPES)
    try:
        return ItemModel(data["pipeline"], float(data["threshold"]), dict(data["meta"]))
    except Exception as error:
        raise ModelError(f"{path}: not a contraband item model ({error})") from None
