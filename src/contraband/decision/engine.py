"""`decide`: from a listing and the terms found in it to a verdict, by the pack's rules.

The rules, per item the listing's text names (hits are grouped by item):

- a **prohibited item** (graded, no certificate possible) is removed and costs its grade's
  points; a **controlled item** without a certificate on file is held for review and costs
  the controlled points (the ledger makes the first violation free);
- a **country measure** in force hides the listing from buyers in its countries (`restrict`),
  or removes it when it covers every country the listing is offered in; a measure that is
  publicized but not yet effective gives a finding and no action; an expired one nothing;
  a `restrict` measure is lifted for countries the seller holds a certificate for;
- **circumvention**: a deliberate distortion of a term of an item under a measure in force or
  a prohibition, or the item filed outside its designated categories where that matters,
  removes the listing and costs the circumvention points (1) per item circumvented;
- a hit that is only a misspelling, or a number-like token read as letters (`typo`), never
  costs points: it goes to review;
- **sense before sanction**: when every hit of an item is a term with ordinary senses too
  (an everyday word: "speed", "snow", "blue jeans"; a term in the pack's namesakes; or a
  street name that is a word of some language, "Helix", "Chinos", written as is or in an
  honest styling), the listing's context decides (`_Context._decide`). The item's category
  confirms it; so do two words of its sense, one of them not a word shops use every day
  (the pack's `everyday_context`: "pure", "powder"), or any one beside a disguise. A listing
  filed elsewhere is a namesake (allowed, the finding kept with `sense: namesake`) when it
  says what it is filed as, or has no word of the sense or one everyday one, and, for a
  rarer word, says what else it is; a weight with little else ("20g Weed"), a word of the
  sense that is not everyday, or several everyday ones leave it to a reviewer (no points).
  With no category, any word of the sense confirms it; a listing that says what else it is
  in words of ordinary text, with no weight, is a namesake. Terms of items whose terms are
  `proper_names` (medicines, chemicals) are never words of a language. Misspellings never
  make an item certain beside such a term.
- a street name read from a short token with its vowels dropped ("PRM" for "primo") is as
  often an abbreviation: without a word of the item's sense or its category it is dropped
  in a listing filed elsewhere and read as a misspelling otherwise.
- a misspelling of a short or dictionary term, in an item whose pack names its sense words,
  needs one of them or the item's category: alone it is dropped (a brand, a name); so does
  one of a street name of up to 7 letters in a listing described as something else with no
  weight ("Pokemon Deoxys plush" is no "Dexies"), unless it misspells the item's own name.
- the **item model** (when one is given) reading a listing that names no term at all as
  an item sends it to review with no points, never more: the words that weighed most and
  the nearest items are the evidence. Where the terms found anything, they speak.

The strongest action wins; the points of the broken rules add up, one infringement per rule:
the gravest prohibited item's grade points, the controlled points once, each measure that
carries points once, and one circumvention point per item circumvented.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from contraband.decision.certificates import NO_CERTIFICATES, CertificateBook
from contraband.listing import Listing
from contraband.matching import Distortion, Hit
from contraband.matching.index import SHORT_TYPO_LETTERS
from contraband.policy import Item, Measure, MeasureKind, MeasureState, PolicyPack
from contraband.policy.model import category_covers, normalize_category
from contraband.text import key
from contraband.verdict import (
    EVERY_COUNTRY,
    Action,
    CategoryEvidence,
    Detector,
    Finding,
    FindingKind,
    Sense,
    Verdict,
    charge_rule,
    strongest,
)


@dataclass(frozen=True, slots=True)
class CategoryPrediction:
    """Where a category model says a listing belongs (issue: misplaced categories)."""

    path: str  # the most likely category path
    probability: float  # of the most likely top-level category
    top_level_matches: bool  # the declared top level is the predicted one
    path_probability: float = 0.0  # of `path` itself
    declared_probability: float = 0.0  # of the declared top level (0 if the model lacks it)
    #: How far the best top level's score is above the declared one's (0 if they agree).
    margin: float = 0.0
    #: The margin the model was calibrated to need for the declared top level (None: the
    #: pack's `misplacement_min_margin`).
    min_margin: float | None = None


@dataclass(frozen=True, slots=True)
class ItemPrediction:
    """The item model's reading of a listing that passed its threshold (see contraband.item)."""

    item_id: str
    probability: float  # the model's score in [0, 1] (a ranking; see contraband.item)
    threshold: float  # the model's operating threshold, set at training
    nearest: tuple[tuple[str, float], ...]  # the likeliest items, best first, with probability
    words: tuple[str, ...]  # the listing's words that weighed most toward `item_id`


def decide(
    listing: Listing,
    hits: Sequence[Hit],
    pack: PolicyPack,
    as_of: dt.date,
    certificates: CertificateBook = NO_CERTIFICATES,
    prediction: CategoryPrediction | None = None,
    item_prediction: ItemPrediction | None = None,
) -> Verdict:
    """The verdict on `listing` given the `hits` found in its text."""
    if not hits and prediction is None and item_prediction is None:  # most listings
        return Verdict(
            listing_id=listing.id,
            seller_id=listing.seller_id,
            content_hash=listing.content_hash(),
            action=Action.ALLOW,
            blocked_countries=(),
            circumvention=False,
            points=0.0,
            findings=(),
            policy_version=pack.version,
            as_of=as_of.isoformat(),
        )
    findings: list[Finding] = []
    by_item: dict[str, list[Hit]] = {}
    for hit in hits:
        by_item.setdefault(hit.item_id, []).append(hit)
    context = _Context(listing, pack, hits, prediction)
    for item_id, item_hits in by_item.items():
        item = pack.items_by_id.get(item_id)
        if item is not None:
            found = _item_findings(listing, item, item_hits, pack, as_of, certificates, context)
            if item_id in context.decided and context.decided[item_id][0] == Sense.CONFIRMED:
                why = context.decided[item_id][1]
                found = [
                    msgspec.structs.replace(
                        f, sense=Sense.CONFIRMED.value, reason=f"{f.reason} ({why})"
                    )
                    for f in found
                ]
            findings.extend(found)
    if prediction is not None and listing.category:
        if not prediction.top_level_matches:
            findings.extend(_general_misplacement(listing, prediction, pack, findings))
        if pack.rules.concept_swap_enabled:
            findings.extend(_concept_swap(listing, prediction, pack, set(by_item)))
    if item_prediction is not None and not hits:
        findings.extend(_item_model_finding(listing, item_prediction, pack, as_of))
    return _verdict(listing, findings, pack, as_of)


def _item_model_finding(
    listing: Listing, prediction: ItemPrediction, pack: PolicyPack, as_of: dt.date
) -> list[Finding]:
    """A listing that names no term of the item the model reads it as: a reviewer judges it
    (items neither prohibited, controlled nor under a measure here concern no one)."""
    item = pack.items_by_id.get(prediction.item_id)
    if item is None:  # a model trained on another pack
        return []
    prohibited = item.grade is not None and not item.certificate_required
    if not (prohibited or item.certificate_required or any(_measures(listing, item, pack, as_of))):
        return []
    evidence = _model_evidence(listing, prediction.words)
    nearest = ", ".join(
        f"{pack.items_by_id[i].name if i in pack.items_by_id else i} {p:.2f}"
        for i, p in prediction.nearest
    )
    weighed = ", ".join(f"'{w}'" for w in prediction.words) or "its words together"
    reason = (
        f"names no term of {item.name} but reads as it (item model score "
        f"{prediction.probability:.3f}, threshold {prediction.threshold:.3f}); {weighed} weighed "
        f"most; nearest: {nearest}: "
        "a reviewer decides, no points"
    )
    return [
        Finding(
            kind=_main_kind(prohibited, item),
            item_id=item.id,
            measure_id=None,
            action=Action.REVIEW,
            points=0.0,
            reason=reason,
            field=evidence.field,
            span=evidence.span,
            text=evidence.text,
            before=evidence.before,
            after=evidence.after,
            score=round(prediction.probability, 4),
            detector=Detector.ITEM_MODEL,
            threshold=round(prediction.threshold, 4),
            certificate_required=item.certificate_required,
        )
    ]


#: Characters of a field shown either side of model evidence (as for a term hit).
_MODEL_CONTEXT = 60


@dataclass(frozen=True, slots=True)
class _Evidence:
    """Where a model finding points in the listing: a field, a span, its text and window."""

    field: str | None = None
    span: tuple[int, int] | None = None
    text: str | None = None
    before: str | None = None
    after: str | None = None


def _model_evidence(listing: Listing, words: Sequence[str]) -> _Evidence:
    """The first weighed word found as written in the listing's fields, with the text either
    side of it; the title's start when the words are only in its canonical reading."""
    for field, value in listing.fields():
        for word in words:
            found = re.search(rf"(?<!\w){re.escape(word)}", value, re.IGNORECASE)
            if found:
                start, end = found.span()
                return _Evidence(
                    field,
                    (start, end),
                    found.group(),
                    value[max(0, start - _MODEL_CONTEXT) : start],
                    value[end : end + _MODEL_CONTEXT],
                )
    if not listing.title:
        return _Evidence()
    end = min(len(listing.title), 2 * _MODEL_CONTEXT)
    return _Evidence(
        "title", (0, end), listing.title[:end], "", listing.title[end : end + _MODEL_CONTEXT]
    )


def _item_findings(
    listing: Listing,
    item: Item,
    hits: list[Hit],
    pack: PolicyPack,
    as_of: dt.date,
    certificates: CertificateBook,
    context: _Context,
) -> list[Finding]:
    findings: list[Finding] = []
    hits = [
        h
        for h in _weigh_skeletons(hits, item, listing, context)
        if not _unsupported_misspelling(h, item, pack, context)
    ]
    if not hits:
        return findings
    evidence = _strongest_hit(hits)
    typo_only = evidence.distortion == Distortion.TYPO
    prohibited = item.grade is not None and not item.certificate_required
    active, announced = _measures(listing, item, pack, as_of)

    sense, why = context.sense(item, hits)
    if sense is not None and sense != Sense.CONFIRMED:
        if not (prohibited or item.certificate_required or active):
            return findings
        namesake = sense == Sense.NAMESAKE
        verb = "allowed as a namesake" if namesake else "a reviewer decides"
        findings.append(
            _finding(
                _main_kind(prohibited, item),
                item,
                None,
                Action.ALLOW if namesake else Action.REVIEW,
                0.0,
                evidence,
                f"'{evidence.text}' reads as '{evidence.term}' ({item.name}), {why}: {verb}, "
                "no points",
                sense=sense.value,
            )
        )
        return findings

    if typo_only:
        if prohibited or item.certificate_required or active:
            findings.append(
                _finding(
                    _main_kind(prohibited, item),
                    item,
                    None,
                    Action.REVIEW,
                    0.0,
                    evidence,
                    _uncertain_reason(evidence, item.name),
                )
            )
        return findings

    if prohibited:
        findings.append(
            _finding(
                FindingKind.PROHIBITED_ITEM,
                item,
                None,
                Action.REMOVE,
                pack.grade_points(item),
                evidence,
                f"{item.name} is prohibited (grade {item.grade})",
            )
        )
    if item.certificate_required and not certificates.covers(
        listing.seller_id, item.id, None, as_of
    ):
        findings.append(
            _finding(
                FindingKind.CONTROLLED_ITEM,
                item,
                None,
                Action.REVIEW,
                pack.rules.controlled_points,
                evidence,
                f"{item.name} is a controlled item and no certificate is on file: held",
                certificate_required=True,
            )
        )
    for measure in active:
        findings.extend(
            _measure_finding(listing, item, measure, evidence, pack, as_of, certificates)
        )
    for measure in announced:
        findings.append(
            _finding(
                FindingKind.COUNTRY_MEASURE,
                item,
                measure,
                Action.ALLOW,
                0.0,
                evidence,
                f"{measure.title}: announced, in force from {measure.effective.isoformat()}",
                measure_state=MeasureState.ANNOUNCED.value,
                effective=measure.effective.isoformat(),
            )
        )

    enforced = prohibited or bool(active)
    deliberate = [h for h in hits if h.distortion == Distortion.DELIBERATE]
    point = pack.rules.circumvention_points  # one per item circumvented, however many ways
    if deliberate and enforced:
        disguised = deliberate[0]
        findings.append(
            _finding(
                FindingKind.KEYWORD_DISTORTION,
                item,
                active[0] if active else None,
                Action.REMOVE,
                point,
                disguised,
                f"'{disguised.text}' is '{disguised.term}' disguised "
                f"({', '.join(disguised.transforms)}): circumvention, {point:g} point",
                circumvention=True,
            )
        )
        point = 0.0
    misplaced = _item_misplacement(listing, item, evidence, pack, enforced, point)
    if misplaced is not None:
        findings.append(misplaced)
    return findings


def _unsupported_misspelling(hit: Hit, item: Item, pack: PolicyPack, context: _Context) -> bool:
    """A misspelling of a short term or of a dictionary word ("Briza" for "brisa", "Sipper"
    for "slipper", "Cavier" for "caviar"), in an item whose pack says which words show its
    sense, with none of them nor the item's category in the listing: most often a brand or a
    name, not worth a reviewer's time, and no evidence beside another hit either."""
    letters = len(hit.term.replace(" ", ""))
    if letters <= SHORT_TYPO_LETTERS and "misspelling" in hit.transforms:
        # "weex" for "weed" (or "Boat0" for "boat"): only in context, whatever the item
        return not context.supports(item, [hit], strongly=True)
    if hit.distortion != Distortion.TYPO:
        return False
    if not pack.item_context(item):
        return False
    short = letters <= SHORT_TERM_LETTERS
    # A listing that says what it is filed as, elsewhere ("HUGO Energise Perfume" under
    # "Fragrance"), is that thing: a misspelling in it needs the same support.
    elsewhere = context.names_other_category(item) or _name_like(hit, item, letters, context)
    return (hit.ambiguous or hit.ordinary or short or elsewhere) and not context.supports(
        item, [hit]
    )


def _name_like(hit: Hit, item: Item, letters: int, context: _Context) -> bool:
    """A misspelling of a street name of up to `NAME_LIKE_LETTERS` letters ("Deoxys" for
    "Dexies", "Baratheo" for "Barrato") in a listing that says what else it is, outside the
    item's category, with no weight: a name of a character, a place or a brand far more
    often than a disguise. A misspelling of the item's own name ("HERION #4") is not."""
    return (
        letters <= NAME_LIKE_LETTERS
        and not item_words(item) & set(key(hit.term).split())
        and not context.weighed
        and context.described_outside(item)
    )


#: Letters a token read with its vowels dropped may have and still be as likely an
#: abbreviation or a model code ("PRM", "SRPC", "Chk") as a street name written short.
SKELETON_LETTERS = 4


def _weigh_skeletons(hits: list[Hit], item: Item, listing: Listing, context: _Context) -> list[Hit]:
    """A street name read from a short token with its vowels dropped ("PRM" as "primo",
    "Chk" as "choko") is as often an abbreviation: with no word of the item's sense nor its
    category it is dropped where the listing is filed elsewhere, and left to a reviewer
    where it has no category. The item's own name written so ("hrn") is never weighed."""
    out = []
    for hit in hits:
        letters = sum(c.isalpha() for c in hit.text)
        weak = (
            hit.distortion == Distortion.DELIBERATE
            and "vowels_dropped" in hit.transforms
            and letters <= SKELETON_LETTERS
            and not item_words(item) & set(key(hit.term).split())
            and not context.supports(item, [hit])
        )
        if not weak:
            out.append(hit)
        elif not listing.category:
            out.append(dataclasses.replace(hit, distortion=Distortion.TYPO))
    return out


def _uncertain_reason(evidence: Hit, item_name: str) -> str:
    """Why an uncertain hit goes to a reviewer rather than to points."""
    if "misspelling" in evidence.transforms:
        return (
            f"'{evidence.text}' may be a misspelling of '{evidence.term}' ({item_name}): "
            "a misspelling alone is not evidence of intent, so a reviewer decides"
        )
    if "vowels_dropped" in evidence.transforms:
        return (
            f"'{evidence.text}' may be '{evidence.term}' ({item_name}) with its vowels dropped, "
            "or an abbreviation: a reviewer decides"
        )
    return (
        f"'{evidence.text}' may stand for '{evidence.term}' ({item_name}) with digits read as "
        "letters, or be a model number: a reviewer decides"
    )


def _strongest_hit(hits: list[Hit]) -> Hit:
    """The hit that best shows intent: deliberate, then literal, then a misspelling; of
    those, a term with no ordinary sense before one with ("Hooter" before "Car")."""
    order = {Distortion.DELIBERATE: 0, Distortion.NONE: 1, Distortion.TYPO: 2}
    return min(hits, key=lambda h: (order[h.distortion], h.ambiguous, -h.score))


def _main_kind(prohibited: bool, item: Item) -> FindingKind:
    if prohibited:
        return FindingKind.PROHIBITED_ITEM
    if item.certificate_required:
        return FindingKind.CONTROLLED_ITEM
    return FindingKind.COUNTRY_MEASURE


def _measures(
    listing: Listing, item: Item, pack: PolicyPack, as_of: dt.date
) -> tuple[list[Measure], list[Measure]]:
    """Measures on the item that concern this listing's countries: (in force, announced)."""
    active: list[Measure] = []
    announced: list[Measure] = []
    for measure in pack.measures_by_item.get(item.id, ()):
        state = measure.state_on(as_of)
        if state not in (MeasureState.IN_FORCE, MeasureState.ANNOUNCED):
            continue
        if not _blocked(listing, pack.measure_countries(measure)):
            continue
        (active if state == MeasureState.IN_FORCE else announced).append(measure)
    return active, announced


def _blocked(listing: Listing, covered: frozenset[str] | None) -> list[str]:
    """Countries the listing is offered in that `covered` (None: every country) includes."""
    if not listing.countries:
        return [EVERY_COUNTRY] if covered is None else sorted(covered)
    if covered is None:
        return sorted(set(listing.countries))
    return sorted(set(listing.countries) & covered)


def _measure_finding(
    listing: Listing,
    item: Item,
    measure: Measure,
    evidence: Hit,
    pack: PolicyPack,
    as_of: dt.date,
    certificates: CertificateBook,
) -> list[Finding]:
    covered = pack.measure_countries(measure)
    blocked = _blocked(listing, covered)
    if measure.kind == MeasureKind.RESTRICT:
        blocked = [
            c for c in blocked if not certificates.covers(listing.seller_id, item.id, c, as_of)
        ]
        if not blocked:
            return []
    everywhere = covered is None or (
        bool(listing.countries) and set(listing.countries) <= set(blocked)
    )
    action = Action.REMOVE if everywhere else Action.RESTRICT
    what = "may not be sold" if measure.kind == MeasureKind.PROHIBIT else "needs documents"
    return [
        _finding(
            FindingKind.COUNTRY_MEASURE,
            item,
            measure,
            action,
            measure.points,
            evidence,
            f"{measure.title}: {item.name} {what} in {', '.join(blocked)}",
            blocked_countries=tuple(blocked),
            measure_state=MeasureState.IN_FORCE.value,
        )
    ]


def _item_misplacement(
    listing: Listing,
    item: Item,
    evidence: Hit,
    pack: PolicyPack,
    enforced: bool,
    point: float,
) -> Finding | None:
    """The item filed outside its designated categories."""
    if not item.categories or not listing.category:
        return None
    if any(category_covers(path, listing.category) for path in item.categories):
        return None
    special = any(
        category_covers(special, path)
        for special in pack.special_control_paths
        for path in item.categories
    )
    circumvention = enforced or special
    why = (
        "a special-control category must be used"
        if special
        else "the item is restricted here"
        if enforced
        else "for review"
    )
    return _finding(
        FindingKind.MISPLACED_CATEGORY,
        item,
        None,
        Action.REMOVE if circumvention else Action.REVIEW,
        point if circumvention else 0.0,
        evidence,
        f"{item.name} filed under '{listing.category}', outside "
        f"{' | '.join(item.categories)} ({why})",
        detector=Detector.DESIGNATED_CATEGORIES,
        category=CategoryEvidence(declared=listing.category, expected=item.categories),
        circumvention=circumvention,
    )


def _general_misplacement(
    listing: Listing, prediction: CategoryPrediction, pack: PolicyPack, findings: list[Finding]
) -> list[Finding]:
    rules = pack.rules
    confident = prediction.probability >= rules.misplacement_min_probability
    calibrated = prediction.min_margin is not None
    needed = (
        rules.misplacement_min_margin if prediction.min_margin is None else prediction.min_margin
    )
    if not (confident or prediction.margin >= needed):
        return []
    if any(f.kind == FindingKind.MISPLACED_CATEGORY for f in findings):
        return []
    rule = (
        f"calibrated for its declared top level: {needed:g}"
        if calibrated
        else f"the rule: {needed:g}"
    )
    why = (
        f"p={prediction.probability:.2f} there, {prediction.declared_probability:.2f} where filed"
        if confident
        else f"its words score {prediction.margin:.2f} higher there than where it is filed ({rule})"
    )
    reason = f"filed under '{listing.category}' but reads as '{prediction.path}' ({why})"
    return [_prediction_finding(listing, prediction, None, prediction.probability, None, reason)]


def _prediction_finding(
    listing: Listing,
    prediction: CategoryPrediction,
    item: Item | None,
    probability: float,
    threshold: float | None,
    reason: str,
    detector: Detector = Detector.CATEGORY_MODEL,
) -> Finding:
    """A category-model finding: for review, no points, the prediction as evidence."""
    return Finding(
        kind=FindingKind.MISPLACED_CATEGORY,
        item_id=item.id if item else None,
        measure_id=None,
        action=Action.REVIEW,
        points=0.0,
        score=round(probability, 3),
        reason=reason,
        detector=detector,
        threshold=threshold,
        category=CategoryEvidence(
            declared=listing.category,
            expected=item.categories if item else (),
            predicted=prediction.path,
            probability=round(probability, 4),
        ),
    )


def _concept_swap(
    listing: Listing, prediction: CategoryPrediction, pack: PolicyPack, named: set[str]
) -> list[Finding]:
    """The listing reads as an item's designated category, names no term of it, and is filed
    elsewhere: a renamed product ("electronic stick, 1500 puffs") for a reviewer to judge."""
    if prediction.path_probability < pack.rules.concept_swap_min_probability:
        return []
    for item in pack.items:
        if item.id in named or not item.categories:
            continue
        designated = [p for p in item.categories if category_covers(p, prediction.path)]
        if designated and not any(category_covers(p, listing.category) for p in item.categories):
            reason = (
                f"reads as '{prediction.path}' ({item.name}) without naming it, filed "
                f"under '{listing.category}': possible concept swap"
            )
            return [
                _prediction_finding(
                    listing,
                    prediction,
                    item,
                    prediction.path_probability,
                    pack.rules.concept_swap_min_probability,
                    reason,
                    Detector.CONCEPT_SWAP,
                )
            ]
    return []


def _finding(
    kind: FindingKind,
    item: Item,
    measure: Measure | None,
    action: Action,
    points: float,
    hit: Hit,
    reason: str,
    *,
    detector: Detector = Detector.TERMS,
    circumvention: bool = False,
    blocked_countries: tuple[str, ...] = (),
    measure_state: str | None = None,
    effective: str | None = None,
    certificate_required: bool = False,
    category: CategoryEvidence | None = None,
    sense: str | None = None,
) -> Finding:
    return Finding(
        kind=kind,
        item_id=item.id,
        measure_id=measure.id if measure else None,
        action=action,
        points=points,
        reason=reason,
        field=hit.field,
        span=hit.span,
        text=hit.text,
        before=hit.before,
        after=hit.after,
        canonical=hit.canonical,
        transforms=hit.transforms,
        distortion=hit.distortion.value,
        score=hit.score,
        detector=detector,
        circumvention=circumvention,
        blocked_countries=blocked_countries,
        measure_state=measure_state,
        effective=effective,
        certificate_required=certificate_required,
        category=category,
        sense=sense,
    )


#: Words of an item's sense a listing filed in another category must say before an ambiguous
#: term costs points: one ("oz", "pure", "grams") is as often a grocery's or a jeweller's.
CONFIRMING_WORDS = 2

#: Other words a listing with no category needs before a common word in it is read in its
#: common sense ("Moomins soft toy 30 cm"): a bare "Speed" is left to a reviewer.
DESCRIBED_BY = 2

#: The category model's probability of the declared category (its best path) from which a
#: listing's words are taken to say it is what it is filed as.
CATEGORY_READ = 0.5

#: Misspellings of terms this short need support from the listing (`_Context.supports`)
#: where the item says which words show its sense; of terms of `SHORT_TYPO_LETTERS` or fewer,
#: always (the matcher reads them one edit away only for this).
SHORT_TERM_LETTERS = 5
#: A misspelled term of this many letters or fewer, in a listing described as something else,
#: is more often a name than a disguise (see `_name_like`).
NAME_LIKE_LETTERS = 7

_UNITS = re.compile("(?<=[0-9])[a-z]+")
_QUANTITY = re.compile("[0-9][+]? ?([a-z]+)")
#: Units of weight, as drugs are sold by (a quantity of one in a listing is no namesake's
#: proof of innocence; see `_Context._decide`).
_WEIGHTS = frozenset(
    [
        "g",
        "gr",
        "grs",
        "gm",
        "gms",
        "gram",
        "grams",
        "mg",
        "ug",
        "mcg",
        "oz",
        "ounce",
        "ounces",
        "lb",
        "lbs",
    ]
)
#: Units of volume: where a listing gives one, its ounces are fluid ounces ("480 cc/16 oz
#: Fuel Tank", "500ml / 16.9 oz bottle"), no weight.
_VOLUMES = frozenset(["ml", "cc", "l", "ltr", "litre", "liter", "litres", "liters", "fl"])
_OUNCES = frozenset(["oz", "ounce", "ounces"])
#: Abbreviated units, words of a drug's sense only after a number ("16 oz", not "The Wizard
#: Of Oz"; "2 G", not "G-Shock"); "gram" and "ounce" written out count anywhere ("Half Gram").
_ABBREVIATED_WEIGHTS = _WEIGHTS - {"gram", "grams", "ounce", "ounces"}

#: Stylings honest sellers use on everyday words too ("Apaache", "Sexxxy", "GRN" for green,
#: "Basket Ball"): on a term with ordinary senses they are no sign of a disguise.
_STYLINGS = frozenset(
    {
        "case_folded",
        "accents_removed",
        "compatibility_form",
        "stretched_letters",
        "vowels_dropped",
        "scrambled_letters",
        "split_word_joined",
        "run_together_split",
        "misspelling",
        "digits_read_as_letters",
    }
)


def _singular(word: str) -> str:
    """A plural's singular, roughly ("watches" -> "watch", "rings" -> "ring")."""
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word.removesuffix("s")


def _named_for(before: list[str], kinds: frozenset[str]) -> str | None:
    """The accessory named before the last "for" of `before` (the words before a hit), not
    after "with" or "and": "case" in "Carrying Case for Syma X5C ... RC"."""
    fors = [i for i, w in enumerate(before) if w in _MADE_FOR]
    if not fors:
        return None
    named = before[: fors[-1]]
    extra = max((i for i, w in enumerate(named) if w in _EXTRAS), default=-1)
    made = [_singular(w) for w in named[extra + 1 :] if _singular(w) in kinds]
    return made[-1] if made else None


def _named_after(after: list[str], kinds: frozenset[str]) -> str | None:
    """The accessory right after a hit, a qualifier aside ("Replacement Propellers")."""
    following = [w for w in after[:2] if w not in _QUALIFIERS][:1]
    return _singular(following[0]) if following and _singular(following[0]) in kinds else None


@functools.lru_cache(maxsize=4)
def _depiction_words(depictions: tuple[str, ...]) -> frozenset[str]:
    """The pack's `depictions` as the listing's words read (keyed, singular)."""
    return frozenset(_singular(w) for entry in depictions for w in key(entry).split())


def item_words(item: Item) -> frozenset[str]:
    """The words that name an item itself (its name's and id's, singular too): a term with
    one of them names the item ("crack cocaine", "drone camera"), never another thing."""
    own = set(key(f"{item.name} {item.id}").split()) - _FUNCTION_WORDS
    return frozenset(own | {w.removesuffix("s") for w in own})


_FUNCTION_WORDS = frozenset(["a", "an", "and", "or", "of", "the", "for", "with", "in", "to"])
#: Characters before a hit read for the accessory it is for ("Aluminum Rim Carrying Case
#: for Syma X5C X5C-1 X5SC X5SC-1 ... RC Drone"): a field's tail, not all of a long one.
_BEFORE_CHARS = 160
#: Words that make what follows them the thing an accessory is for ("case for ... drone").
_MADE_FOR = frozenset(["for", "fits"])
#: Words after which an accessory is an extra of the thing ("drone with carrying case").
_EXTRAS = frozenset(["with", "and", "plus", "incl", "including", "includes"])
#: Words that may stand between an item and its accessory ("drone replacement propellers").
_QUALIFIERS = frozenset(["replacement", "spare", "protective", "carrying", "carry"])


def _confirms(agreeing: Sequence[str], strong: Sequence[str]) -> bool:
    """Enough words of an item's sense to read a term with ordinary senses as the item: two,
    one of them not a word shops use every day ("pure" and "oz" alone are a grocer's)."""
    return bool(strong) and len(agreeing) >= CONFIRMING_WORDS


def _said(agreeing: Sequence[str]) -> str:
    return f"only {agreeing[0]!r}" if agreeing else "no word"


def _disguised(hit: Hit) -> bool:
    """A deliberate reading of an ambiguous term that no honest styling explains (leetspeak,
    look-alike or invisible characters, separators inside the word)."""
    return hit.distortion == Distortion.DELIBERATE and not set(hit.transforms) <= _STYLINGS


class _Context:
    """What a listing says around its hits, read once per listing and only when a term with
    ordinary senses was hit (rare): its words and its declared category. Another item named
    does not confirm: in a slang-rich pack, that other name is often a namesake too."""

    def __init__(
        self,
        listing: Listing,
        pack: PolicyPack,
        hits: Sequence[Hit] = (),
        prediction: CategoryPrediction | None = None,
    ) -> None:
        self.listing = listing
        self.pack = pack
        self.hits = hits  # every hit in the listing, of any item
        self.prediction = prediction  # the category model's, when one is used
        self.decided: dict[str, tuple[Sense, str]] = {}

    def sense(self, item: Item, hits: list[Hit]) -> tuple[Sense | None, str]:
        """(None, "") when a hit of `item` is certain; else what the context says, and why.

        Misspellings make nothing certain: beside a term with ordinary senses they leave it
        to the context ("Pantaloons" misread beside "shirt" is not cocaine twice over).
        """
        found = [h for h in hits if h.distortion != Distortion.TYPO] or hits
        if all(h.ambiguous for h in found) or self._word_of_a_language(item, found):
            sense, why = self._decide(item, found)
            decided = sense, f"a term with ordinary senses too, and {why}"
        elif self._phrase_of_its_sense_filed_elsewhere(item, found):
            decided = (
                Sense.UNCLEAR,
                f"a term with ordinary senses too, and it is filed under "
                f"{self.listing.category!r}, and its words are everyday ones with no other "
                "word of that sense",
            )
        elif depiction := self._depiction(item, found):
            kind, says_so = depiction
            depicted = (
                f"in a listing of a {kind} (a picture, a model or a print of a thing more "
                "often than the thing), with no weight and no other word of that sense"
            )
            if says_so and self.listing.category:
                decided = Sense.NAMESAKE, f"{depicted}, filed under {self.listing.category!r}"
            else:
                decided = Sense.UNCLEAR, depicted
        elif accessory := self._accessory(item, found):
            made_for = (
                f"in a listing of a {accessory} for it (a thing made for it, not the thing), "
                "with no weight and no other word of that sense"
            )
            if self.listing.category:
                decided = Sense.NAMESAKE, f"{made_for}, filed under {self.listing.category!r}"
            else:
                decided = Sense.UNCLEAR, made_for
        else:
            return None, ""
        self.decided[item.id] = decided
        return decided

    def _word_of_a_language(self, item: Item, hits: list[Hit]) -> bool:
        """A street name that is a word of some language ("Helix", "Chinos", "Dominoes"),
        written as is or in an honest styling, with no word naming the item or showing its
        sense, in a listing filed in another category or in none: too rare a word to be
        marked ambiguous, too ordinary to be certain there."""
        if self._in_own_category(item):
            return False
        # a word naming the item or showing its sense makes the term the item's ("tar pipe")
        own = item_words(item) | self._sense_words(item, strong=True)
        words = all(
            h.ordinary and not _disguised(h) and not own & set(key(h.term).split()) for h in hits
        )
        if words and not self.listing.category:
            # with no category, the street name as written is the item's, unless the listing
            # says what else it is, with no word of the sense nor a weight ("Flora the Skunk
            # soft toy in black and white")
            return not self._agreeing(item, hits)[0] and not self.weighed and self._described(hits)
        return words

    def _phrase_of_its_sense_filed_elsewhere(self, item: Item, hits: list[Hit]) -> bool:
        """A phrase of everyday words that the item's sense words make its own ("shark fin",
        "rhino horn": "shark" and "horn" are words of that sense) is certain where nothing
        says otherwise; filed in another category, saying what else it is ("Universal Shark
        Fin Antenna for cars" under "Automotive"), with no word of the sense beyond its own,
        no weight and no disguise, it is most often a shape or a look: a reviewer's to
        judge, not worth the item's points. A phrase naming the item itself ("crack
        cocaine"), or saying nothing else ("Tar pipe"), stays certain."""
        declared = self.listing.category
        if not declared or self._in_own_category(item) or self.weighed:
            return False
        named = item_words(item)
        phrases = all(
            h.ordinary
            and not _disguised(h)
            and len(words := key(h.term).split()) >= 2
            and not named & set(words)
            for h in hits
        )
        return phrases and not self._agreeing(item, hits)[0] and self._described(hits)

    def _depiction(self, item: Item, hits: list[Hit]) -> tuple[str, bool] | None:
        """The kind of depiction the listing is, if it is one, and whether its own words say
        so: its words or its declared category name one of the pack's `depictions` ("King
        Fireworks Jigsaw Puzzle", a Playmobil crossbow under "Figures & Playsets"), outside
        the item's category, with no weight, no word of the item's sense and no disguise.
        The item named there is most often a picture or a model of it: a namesake where the
        listing says so and is filed elsewhere, a reviewer's call where only its category
        says so or it has none. A toy that is the thing ("toy drone") is no depiction."""
        kinds = _depiction_words(self.pack.depictions)
        if not kinds or self._in_own_category(item) or self.weighed:
            return None
        if any(_disguised(h) for h in hits) or self._agreeing(item, hits)[0]:
            return None
        category = key(self.listing.category).split() if self.listing.category else []
        for words, says_so in ((sorted(self.words), True), (category, False)):
            for word in words:
                if _singular(word) in kinds:
                    return _singular(word), says_so
        return None

    def _accessory(self, item: Item, hits: list[Hit]) -> str | None:
        """The accessory the listing is, if its words say it is one of the pack's
        `accessories` for the item: named before "for" (or "fits") the item ("Carrying Case
        for Syma X5C ... RC Drone") or right after it ("Parrot AR.Drone Replacement
        Propellers", "Glock holster"), outside the item's category, with no weight, no word
        of the item's sense and no disguise. One after "with" or "and" is an extra of the
        thing ("drone with carrying case"): no accessory."""
        kinds = _depiction_words(self.pack.accessories)
        if not kinds or self._in_own_category(item) or self.weighed:
            return None
        if any(_disguised(h) for h in hits) or self._agreeing(item, hits)[0]:
            return None
        texts = dict(self.listing.fields())
        for hit in hits:
            field = texts.get(hit.field)
            preceding = field[: hit.span[0]] if field is not None else hit.before
            accessory = _named_for(key(preceding[-_BEFORE_CHARS:]).split(), kinds) or (
                _named_after(key(hit.after).split(), kinds)
            )
            if accessory:
                return accessory
        return None

    def _decide(self, item: Item, hits: list[Hit]) -> tuple[Sense, str]:
        """The item's category confirms it. Two words of its sense, one of them not a
        shop's everyday word (or any one beside a disguise), confirm it too, unless the
        listing says what it is filed as ("Helix ... ring, pure powder, 5 grams" under
        "Jewellery > Rings"): then a reviewer decides. Filed elsewhere, a listing that says
        what it is, or has no word of the sense or one everyday word ("Powder Blue Tunic"),
        is a namesake; one word that is not everyday, several everyday ones, or a disguise
        are a reviewer's. With no category, `_decide_unfiled`."""
        declared = self.listing.category
        if self._in_own_category(item):
            return Sense.CONFIRMED, f"it is filed under {declared!r}, the item's category"
        agreeing, strong = self._agreeing(item, hits)
        listed = ", ".join(repr(w) for w in agreeing[:3])
        disguised = any(_disguised(h) for h in hits)
        naming = self.says_filed_as
        if _confirms(agreeing, strong) or (agreeing and disguised):
            if naming and not disguised:  # "Johnson's baby powder, pure": a shop's words too
                return Sense.UNCLEAR, (
                    f"it is filed under {declared!r} and says so ({naming}), but also {listed}"
                )
            return Sense.CONFIRMED, f"the listing says {listed}"
        if not declared:
            if disguised:
                return Sense.UNCLEAR, "it is disguised, with no other word of that sense"
            return self._decide_unfiled(item, hits)
        if naming:
            return Sense.NAMESAKE, (
                f"it is filed under {declared!r}, says so ({naming}), and has "
                f"{_said(agreeing)} of that sense"
            )
        if strong or len(agreeing) >= CONFIRMING_WORDS:  # "7 grams", "pure powder"
            return Sense.UNCLEAR, f"it is filed under {declared!r} and says only {listed}"
        if disguised:
            return Sense.UNCLEAR, "it is disguised, with no other word of that sense"
        # an everyday word is most often meant so ("Light brown sugar, 500 g"), unless a
        # weight is all the listing says besides ("20g Weed"); a rarer one ("Chinos",
        # "Helix") needs the listing to say what else it is, with no word of the sense and no
        # weight ("Kush 2+gr", "3.5g ... Sativa": how drugs are sold)
        described = self._described(hits)
        everyday = all(h.ambiguous for h in hits)
        if (everyday and (described or not self.weighed)) or (
            not agreeing and not self.weighed and described
        ):
            return Sense.NAMESAKE, (
                f"it is filed under {declared!r} with {_said(agreeing)} of that sense"
            )
        return Sense.UNCLEAR, (
            f"it is filed under {declared!r} but says little else ({_said(agreeing)} of that sense)"
        )

    def _decide_unfiled(self, item: Item, hits: list[Hit]) -> tuple[Sense, str]:
        """A listing with no category: any word of the item's sense confirms it (nothing
        says otherwise); none, in a listing that says what else it is in words of ordinary
        text and gives no weight, makes it a namesake; anything else is for a reviewer."""
        agreeing, _ = self._agreeing(item, hits)
        if agreeing:
            return Sense.CONFIRMED, f"the listing says {', '.join(repr(w) for w in agreeing[:3])}"
        has_sense = bool(self.pack.item_context(item))
        words_of_the_language = all(h.commonplace or h.ordinary for h in hits)
        if has_sense and words_of_the_language and not self.weighed and self._described(hits):
            return (
                Sense.NAMESAKE,
                "it is a word of ordinary text and no word of the listing has that sense",
            )
        if self.weighed:  # "14g HIGHGRADE KETAMA HASH": how drugs are sold
            return Sense.UNCLEAR, "no category, and a weight with no other word of that sense"
        return Sense.UNCLEAR, "no category and no other word of that sense"

    def _described(self, hits: list[Hit]) -> bool:
        """Does the listing say what else it is: `DESCRIBED_BY` words of 3+ letters that
        are no term of any item ("Bennies and cocaine" says nothing else) nor function
        words?"""
        hit_words = {w for h in [*hits, *self.hits] for w in key(h.term).split()}
        described = [
            w for w in self.words - hit_words - _FUNCTION_WORDS if w.isalpha() and len(w) >= 3
        ]
        return len(described) >= DESCRIBED_BY

    @functools.cached_property
    def weighed(self) -> bool:
        """Does the listing give a weight ("3.5g", "2 gr", "1/4 oz", "10mg")?"""
        return bool(self._weights)

    @functools.cached_property
    def _folded(self) -> str:
        listing = self.listing
        return f"{listing.title} {listing.description} {listing.keywords_text}".casefold()

    @functools.cached_property
    def _fluid(self) -> bool:
        """Does the listing give a volume? Its ounces are fluid ones then ("480 cc/16 oz
        Fuel Tank"), no weight."""
        return not _VOLUMES.isdisjoint(_QUANTITY.findall(self._folded))

    @functools.cached_property
    def _weights(self) -> frozenset[str]:
        """The units of weight the listing gives after a number."""
        units = set(_QUANTITY.findall(self._folded)) & _WEIGHTS
        return frozenset(units - _OUNCES if self._fluid else units)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        listing = self.listing
        text = f"{listing.title} {listing.description} {listing.keywords_text}"
        # "100mg", "3.5g", "10x10mg": the unit counts as a word of its own (read from the
        # text as written: the key reads digits inside a word as letters); a unit of weight
        # only as `_weights` reads it, after a number (`_ABBREVIATED_WEIGHTS`)
        written = {w for w in key(text).split() if w not in _ABBREVIATED_WEIGHTS}
        if self._fluid:
            written -= _OUNCES
        units = {u for u in _UNITS.findall(self._folded) if u not in _WEIGHTS}
        return frozenset(written | self._weights | units)

    def supports(self, item: Item, hits: list[Hit], strongly: bool = False) -> bool:
        """Does anything beside the hit say the listing means `item` (a word of its sense, or
        its category)? A misspelling of a short or everyday term needs that before it is
        worth a reviewer's time: on its own it is most often a brand or a name. `strongly`:
        the category, or words enough to confirm a sense (for a 4-letter term one edit off,
        "Poxy, 8 oz" is an epoxy)."""
        if self._in_own_category(item):
            return True
        agreeing, strong = self._agreeing(item, hits)
        return _confirms(agreeing, strong) if strongly else bool(agreeing)

    def described_outside(self, item: Item) -> bool:
        """Outside the item's categories (or in none), does the listing say what it is in
        words that are no term of any item?"""
        return not self._in_own_category(item) and self._described([])

    def names_other_category(self, item: Item) -> bool:
        """Filed outside the item's categories, and says what it is filed as."""
        return (
            bool(self.listing.category)
            and not self._in_own_category(item)
            and self.says_filed_as is not None
        )

    @functools.cached_property
    def says_filed_as(self) -> str | None:
        """How the listing says it is what it is filed as, if it does: a word of it that
        names its declared category's last two levels, singular or plural alike ("ring"
        under "Jewellery > Rings", "watch" under "Watches"; the term itself under "Dominoes
        & Tile Games"), or else the category model reading its words as that very category
        ("Chinos ... Trousers" under "Apparel > Bottomwear")."""
        if not self.listing.category:
            return None
        declared = normalize_category(self.listing.category)
        levels = declared.split(" > ")[-2:]
        named = {
            _singular(w)
            for w in key(" ".join(levels)).split()
            if len(w) >= 3 and w.isalpha() and w not in _FUNCTION_WORDS
        }
        for word in sorted(self.words):
            if len(word) >= 3 and _singular(word) in named:
                return repr(word)
        model = self.prediction
        if model is not None and model.path_probability >= CATEGORY_READ:
            depth = len(model.path.split(" > "))
            if " > ".join(declared.split(" > ")[:depth]) == model.path:
                return f"the category model reads it there, p={model.path_probability:.2f}"
        return None

    def _agreeing(self, item: Item, hits: list[Hit]) -> tuple[list[str], list[str]]:
        """The words of the listing that show the item's sense, the hits' own words aside;
        and those of them shops do not use every day (the pack's `everyday_context`)."""
        hit_words = {w for h in hits for w in key(h.term).split()}
        agreeing = sorted((self._sense_words(item) & self.words) - hit_words)
        strong = self._sense_words(item, strong=True)
        return agreeing, [w for w in agreeing if w in strong]

    def _sense_words(self, item: Item, strong: bool = False) -> set[str]:
        entries = self.pack.strong_context(item) if strong else self.pack.item_context(item)
        return {w for entry in entries for w in key(entry).split()}

    def _in_own_category(self, item: Item) -> bool:
        declared = self.listing.category
        return bool(declared) and any(category_covers(c, declared) for c in item.categories)


def _verdict(
    listing: Listing, findings: list[Finding], pack: PolicyPack, as_of: dt.date
) -> Verdict:
    findings = _one_charge_per_rule(findings)
    action = strongest([f.action for f in findings])
    blocked: set[str] = set()
    for finding in findings:
        if finding.kind == FindingKind.COUNTRY_MEASURE and finding.action != Action.ALLOW:
            blocked.update(finding.blocked_countries)
    return Verdict(
        listing_id=listing.id,
        seller_id=listing.seller_id,
        content_hash=listing.content_hash(),
        action=action,
        blocked_countries=tuple(sorted(blocked)),
        circumvention=any(f.circumvention for f in findings),
        points=sum(f.points for f in findings),
        findings=tuple(findings),
        policy_version=pack.version,
        as_of=as_of.isoformat(),
    )


def _one_charge_per_rule(findings: list[Finding]) -> list[Finding]:
    """Points stay only where the rules charge them: one infringement per listing and rule
    (`verdict.charge_rule`), at the gravest finding's points. The other findings keep their
    evidence with 0 points, so the ledger (which records one infringement per finding with
    points) charges exactly the verdict's total.
    """
    keep: dict[str, Finding] = {}
    for finding in findings:
        if finding.points <= 0:
            continue
        rule = charge_rule(finding)
        if rule not in keep or finding.points > keep[rule].points:
            keep[rule] = finding
    charged = {id(f) for f in keep.values()}
    return [
        f if id(f) in charged or f.points <= 0 else msgspec.structs.replace(f, points=0.0)
        for f in findings
    ]
