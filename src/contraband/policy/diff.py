"""What changed between two policy packs: items, their terms, measures, rules, the rest.

An operator reviewing a new pack wants the change in words ("measure VAPE-BAN: effective
2022-05-01 -> 2022-06-01"; "item vapes: term en 'vape juice' added"), and tools want it as
data; `diff_packs` gives both from one comparison of the packs' validated models.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec

from contraband.policy.model import Item, PolicyPack


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """One difference: what (`section`, `id`, `field`), how (`change`), from and to."""

    section: str  # item | measure | rules | pack
    id: str  # the item or measure id; the rule or pack field otherwise
    change: str  # added | removed | changed
    field: str | None = None
    old: Any = None
    new: Any = None

    def words(self) -> str:
        where = f"{self.section} {self.id}" + (f": {self.field}" if self.field else "")
        if self.change == "changed":
            return f"{where}: {_show(self.old)} -> {_show(self.new)}"
        value = self.new if self.change == "added" else self.old
        return f"{where} {self.change}" + (f": {_show(value)}" if self.field else "")


class PackDiff(msgspec.Struct, frozen=True, kw_only=True):
    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    @property
    def changed_items(self) -> frozenset[str]:
        return frozenset(c.id for c in self.changes if c.section == "item")

    @property
    def changed_measures(self) -> frozenset[str]:
        return frozenset(c.id for c in self.changes if c.section == "measure")

    def lines(self) -> list[str]:
        head = f"policy {self.old_version} -> {self.new_version}: {len(self.changes)} change(s)"
        return [head, *(f"  {c.words()}" for c in self.changes)]


def diff_packs(old: PolicyPack, new: PolicyPack) -> PackDiff:
    """Every difference between `old` and `new`, items and measures by id."""
    changes: list[Change] = []
    changes += _by_id("item", *_items(old, new))
    changes += _by_id("measure", _dump_all(old.measures), _dump_all(new.measures))
    changes += _fields(
        "rules", "", old.rules.model_dump(mode="json"), new.rules.model_dump(mode="json")
    )
    for name in (
        "name",
        "country_groups",
        "categories",
        "contexts",
        "everyday_context",
        "depictions",
        "accessories",
        "namesakes",
    ):
        before = _plain(getattr(old, name))
        after = _plain(getattr(new, name))
        if before != after:
            changes.append(Change(section="pack", id=name, change="changed", old=before, new=after))
    return PackDiff(old_version=old.version, new_version=new.version, changes=tuple(changes))


def _items(
    old: PolicyPack, new: PolicyPack
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The items of both packs as plain data, but for those equal in both (most, in a pack of
    thousands: only they are compared whole, not dumped)."""
    before = {item.id: item for item in old.items}
    after = {item.id: item for item in new.items}
    same = {key for key in before.keys() & after.keys() if before[key] == after[key]}
    return (
        {key: _item(item) for key, item in before.items() if key not in same},
        {key: _item(item) for key, item in after.items() if key not in same},
    )


def _item(item: Item) -> dict[str, Any]:
    """An item as plain data, its terms as one sorted list per language."""
    data = item.model_dump(mode="json")
    data["terms"] = {
        language: sorted({_term_text(entry) for entry in entries})
        for language, entries in data.get("terms", {}).items()
    }
    return data


def _term_text(entry: Any) -> str:
    return entry["text"] if isinstance(entry, Mapping) else str(entry)


def _dump_all(models: tuple[Any, ...]) -> dict[str, dict[str, Any]]:
    return {m.id: m.model_dump(mode="json") for m in models}


def _by_id(
    section: str, old: Mapping[str, dict[str, Any]], new: Mapping[str, dict[str, Any]]
) -> Iterator[Change]:
    for key in sorted(old.keys() - new.keys()):
        yield Change(section=section, id=key, change="removed")
    for key in sorted(new.keys() - old.keys()):
        yield Change(section=section, id=key, change="added")
    for key in sorted(old.keys() & new.keys()):
        yield from _fields(section, key, old[key], new[key])


def _fields(section: str, key: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Change]:
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name == "terms" and isinstance(before, dict) and isinstance(after, dict):
            yield from _terms(section, key, before, after)
        elif section == "rules":
            yield Change(section=section, id=name, change="changed", old=before, new=after)
        else:
            yield Change(
                section=section, id=key, change="changed", field=name, old=before, new=after
            )


def _terms(
    section: str, key: str, old: dict[str, list[str]], new: dict[str, list[str]]
) -> Iterator[Change]:
    for language in sorted(old.keys() | new.keys()):
        before, after = set(old.get(language, ())), set(new.get(language, ()))
        for term in sorted(before - after):
            yield Change(
                section=section, id=key, change="removed", field=f"term {language}", old=term
            )
        for term in sorted(after - before):
            yield Change(
                section=section, id=key, change="added", field=f"term {language}", new=term
            )


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return msgspec.json.encode(value).decode()
