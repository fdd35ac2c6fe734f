"""The policy pack: items, measures and the enforcement rules, as validated data.

Everything numeric in enforcement (points per grade, the ladder, caps, windows, thresholds)
lives here, loaded from the pack's YAML files; a new rule version is a new pack. The models
are pydantic (this is the boundary where human-edited files come in) and frozen.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    """Base for policy models: unknown fields are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: Numbers of the rules: finite and not negative (NaN, infinity or -1 points are typos).
Points = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=1, le=3650)]
TermText = Annotated[str, Field(min_length=1, max_length=200)]

#: The built-in country group meaning "every country".
ALL_COUNTRIES = "ALL"


class MeasureKind(StrEnum):
    PROHIBIT = "prohibit"  # may not be sold to buyers in the countries
    RESTRICT = "restrict"  # only with documents (a certificate for the country) on file


class MeasureState(StrEnum):
    DRAFT = "draft"  # not yet publicized
    ANNOUNCED = "announced"  # publicized, not yet in force: findings, no action
    IN_FORCE = "in_force"
    EXPIRED = "expired"


class TermEntry(Strict):
    """A term, with the innocent phrases that cancel an overlapping hit.

    `ambiguous`: the term has ordinary senses too (a street name that is also a herb, a toy
    line, a colour): a literal hit costs points only where the listing's words agree with the
    item (its `context`). Left unset, a one-word term that is an everyday English word is
    ambiguous, unless it is a word of the item's name ("cocaine" for Cocaine is not)."""

    text: TermText
    exceptions: tuple[TermText, ...] = ()
    ambiguous: bool | None = None


class Item(Strict):
    """A kind of product the rules name: what it is called and how it is treated."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)
    name: str
    grade: str | None = None  # violation grade (A+, A, B, C, D, E); None: measures only
    certificate_required: bool = False  # controlled item: needs a verified certificate
    terms: dict[str, tuple[TermEntry | TermText, ...]] = Field(default_factory=dict)
    categories: tuple[str, ...] = ()  # designated categories (a path covers its descendants)
    #: Words that show a listing means this item (units, forms, uses): they confirm the sense
    #: of an ambiguous term. An entry naming one of the pack's `contexts` stands for its words.
    context: tuple[TermText, ...] = ()
    #: Its terms are names (of medicines, chemicals): they have no ordinary sense, so a
    #: listing's category or words never make one a namesake, whatever a word list says.
    proper_names: bool = False
    note: str = ""

    @field_validator("terms")
    @classmethod
    def _at_least_one_term(
        cls, value: dict[str, tuple[TermEntry | str, ...]]
    ) -> dict[str, tuple[TermEntry | str, ...]]:
        if not any(value.values()):
            raise ValueError("an item needs at least one term")
        return value

    def term_entries(self) -> list[tuple[str, TermEntry]]:
        """(language, term) pairs, plain strings read as terms without exceptions."""
        return [
            (language, entry if isinstance(entry, TermEntry) else TermEntry(text=entry))
            for language, entries in self.terms.items()
            for entry in entries
        ]


class Measure(Strict):
    """A country-specific measure: items that may not be sold (or only with documents)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    title: str
    source: str = ""  # the announcement or rule it comes from
    items: tuple[str, ...] = Field(min_length=1)
    countries: tuple[str, ...] = Field(min_length=1)  # ISO codes or group names
    kind: MeasureKind = MeasureKind.PROHIBIT
    points: Points = 0.0  # charged per listing while in force (site bans)
    publicized: dt.date
    effective: dt.date
    expires: dt.date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Measure:
        if self.effective < self.publicized:
            raise ValueError("effective must not be before publicized")
        if self.expires is not None and self.expires <= self.effective:
            raise ValueError("expires must be after effective")
        return self

    def state_on(self, day: dt.date) -> MeasureState:
        if day < self.publicized:
            return MeasureState.DRAFT
        if day < self.effective:
            return MeasureState.ANNOUNCED
        if self.expires is not None and day >= self.expires:
            return MeasureState.EXPIRED
        return MeasureState.IN_FORCE


class LadderStep(Strict):
    """A sanction fired once when a seller's active points reach `points`."""

    points: Annotated[float, Field(gt=0, le=10_000, allow_inf_nan=False)]
    sanction: str = Field(pattern=r"^(severe_warning|restriction|removal|termination)$")
    days: Days | None = None  # length of a restriction
    remove_all_products: bool = False
    notify: bool = True


class Rules(Strict):
    """The enforcement rules of one version of the policy."""

    grade_points: dict[str, Points]
    circumvention_points: Points = 1.0
    controlled_first_violation_points: Points = 0.0
    controlled_points: Points = 0.5
    daily_cap_points: Points = 12.0
    daily_cap_hours: Annotated[int, Field(ge=1, le=24 * 366)] = 24
    daily_cap_exempt_at: Points = 48.0  # a charge of this size is not capped
    record_days: Days = 365
    appeal_days: Annotated[int, Field(ge=0, le=3650)] = 7
    notify_at_points: Points = 6.0
    termination_grade: str = "A+"
    ladder: tuple[LadderStep, ...]
    #: A listing is misplaced when the model puts another top level first with this
    #: probability, or its words score `misplacement_min_margin` higher there than in the
    #: declared one (the linear model's decision scores: they still rank a listing of a
    #: brand the model never saw, where its probabilities are flat; issue #15).
    misplacement_min_probability: float = Field(default=0.9, ge=0, le=1)
    misplacement_min_margin: float = Field(default=3.0, ge=0)
    concept_swap_min_probability: float = Field(default=0.97, ge=0, le=1)
    concept_swap_enabled: bool = False

    @field_validator("ladder")
    @classmethod
    def _ladder_ascends(cls, value: tuple[LadderStep, ...]) -> tuple[LadderStep, ...]:
        points = [step.points for step in value]
        if points != sorted(points) or len(set(points)) != len(points):
            raise ValueError("ladder steps must have strictly increasing points")
        return value


class Category(Strict):
    path: str
    special_control: bool = False


class PolicyPack(Strict):
    """A whole pack: what the loader returns and every decision reads."""

    name: str
    version: str = Field(min_length=1)
    rules: Rules
    items: tuple[Item, ...]
    measures: tuple[Measure, ...] = ()
    country_groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    categories: tuple[Category, ...] = ()
    contexts: dict[str, tuple[TermText, ...]] = Field(default_factory=dict)
    #: Context words honest shops use every day too ("pure", "powder", "kg"): alone they
    #: never show an item's sense (see `strong_context`).
    everyday_context: tuple[TermText, ...] = ()
    #: Kinds of product that show or model a thing without being it ("jigsaw", "poster",
    #: "figure", "playset"): an item named in a listing of one of these kinds, outside the
    #: item's categories, with no weight nor word of its sense, is for a reviewer, no points.
    depictions: tuple[TermText, ...] = ()
    #: Things made for an item without being it ("case", "holster", "propeller", "charger"):
    #: a listing of one, named before "for" the item ("Carrying case for ... drone") or right
    #: after it ("Drone propellers"), outside the item's categories, with no weight nor word
    #: of its sense, is a namesake (a reviewer's where it has no category).
    accessories: tuple[TermText, ...] = ()
    #: Terms with ordinary senses too, whichever item has them (the pack's namesakes.yaml).
    namesakes: tuple[TermText, ...] = ()

    def item_context(self, item: Item) -> tuple[str, ...]:
        """The item's context words, the pack's named sets expanded."""
        words: list[str] = []
        for entry in item.context:
            words.extend(self.contexts.get(entry, (entry,)))
        return tuple(dict.fromkeys(words))

    def strong_context(self, item: Item) -> tuple[str, ...]:
        """The item's context words that shops do not use every day ("mg", "blotter",
        "uncut"): only these confirm a sense alone or make a phrase the item's own name."""
        everyday = {w.casefold() for w in self.everyday_context}
        return tuple(w for w in self.item_context(item) if w.casefold() not in everyday)

    @cached_property
    def items_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def measures_by_item(self) -> dict[str, tuple[Measure, ...]]:
        out: dict[str, list[Measure]] = {}
        for measure in self.measures:
            for item_id in measure.items:
                out.setdefault(item_id, []).append(measure)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def special_control_paths(self) -> tuple[str, ...]:
        return tuple(c.path for c in self.categories if c.special_control)

    def measure_countries(self, measure: Measure) -> frozenset[str] | None:
        """The ISO codes a measure covers, with groups expanded; None means every country."""
        if ALL_COUNTRIES in measure.countries:
            return None
        out: set[str] = set()
        for code in measure.countries:
            out.update(self.country_groups.get(code, (code,)))
        return frozenset(out)

    def grade_points(self, item: Item) -> float:
        return self.rules.grade_points.get(item.grade, 0.0) if item.grade else 0.0


def category_covers(designated: str, declared: str) -> bool:
    """True when `declared` is the designated category or one of its descendants."""
    designated = normalize_category(designated)
    declared = normalize_category(declared)
    return declared == designated or declared.startswith(designated + " > ")


def normalize_category(path: str) -> str:
    """Category paths compare case-insensitively with single ' > ' separators."""
    return " > ".join(part.strip().casefold() for part in path.split(">") if part.strip())
