"""A pack read before, to the byte, comes from the disk cache; any change of a file it is
read from is a miss, and then a large file that did not change comes from a cache entry of
its own; a pack with problems is never cached; an entry others could write is never
unpickled."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from contraband.errors import PolicyError
from contraband.policy import load_pack
from tests.conftest import MINI_PACK


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("CONTRABAND_CACHE_DIR", str(directory))
    return directory


def _entries(cache: Path) -> list[Path]:
    """The cache entries of whole packs."""
    return sorted(p for p in cache.glob("pack-*.pickle") if not p.name.startswith("pack-file-"))


def _file_entries(cache: Path) -> list[Path]:
    """The cache entries of single large pack files."""
    return sorted(cache.glob("pack-file-*.pickle"))


def _many_items(count: int) -> str:
    """An items file larger than `CACHED_FILE_BYTES`."""
    rows = [
        f"  - id: kite-{i}\n    name: Kite model {i}\n    terms: {{en: [kite model {i}]}}\n"
        for i in range(count)
    ]
    return "items:\n" + "".join(rows)


def test_a_pack_read_twice_is_read_the_second_time_from_the_cache(
    cache: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    first = load_pack(pack)
    [entry] = _entries(cache)
    stamp = entry.stat().st_mtime_ns
    second = load_pack(pack)
    assert entry.stat().st_mtime_ns == stamp  # read, not rewritten
    assert second == first and second is not first


@pytest.mark.parametrize(
    ("path", "edit"),
    [
        ("pack.yaml", lambda text: text + "\n# a comment is a change too\n"),
        ("measures/measures.yaml", lambda text: text.replace("[US]", "[US, CA]", 1)),
    ],
)
def test_any_change_of_a_file_reads_the_pack_afresh(
    cache: Path, tmp_path: Path, path: str, edit: object
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    before = load_pack(pack)
    target = pack / path
    target.write_text(edit(target.read_text()))  # type: ignore[operator]
    after = load_pack(pack)
    assert len(_entries(cache)) == 2
    if path.startswith("measures"):
        assert after.measures != before.measures


def test_a_new_item_file_is_a_change(cache: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    before = load_pack(pack)
    (pack / "items" / "zz.yaml").write_text(
        "items:\n  - id: kites\n    name: Kites\n    terms: {en: [kite]}\n"
    )
    assert {i.id for i in load_pack(pack).items} - {i.id for i in before.items} == {"kites"}


def test_a_pack_with_a_problem_is_reported_each_time_and_never_cached(
    cache: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    (pack / "pack.yaml").write_text((pack / "pack.yaml").read_text() + "\nsurprise: 1\n")
    for _ in range(2):
        with pytest.raises(PolicyError, match="surprise"):
            load_pack(pack)
    assert _entries(cache) == []


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {MARKER}",))


MARKER = Path("/tmp/contraband-pack-cache-payload-ran")


def test_an_entry_others_could_write_is_never_unpickled(cache: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    load_pack(pack)
    [entry] = _entries(cache)
    MARKER.unlink(missing_ok=True)
    entry.write_bytes(pickle.dumps(_Payload()))
    entry.chmod(0o666)
    assert load_pack(pack).name
    assert not MARKER.exists()


def test_a_large_file_that_did_not_change_is_not_parsed_again(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contraband.policy import loader

    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    big = pack / "items" / "kites.yaml"
    big.write_text(_many_items(1500))
    assert big.stat().st_size >= loader.CACHED_FILE_BYTES
    before = load_pack(pack)
    [entry] = _file_entries(cache)
    parsed: list[str] = []
    real_parse = loader._parse_file

    def counting(path: Path, raw: bytes, problems: list[object]) -> object:
        parsed.append(path.name)
        return real_parse(path, raw, problems)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "_parse_file", counting)
    measures = pack / "measures" / "measures.yaml"
    measures.write_text(measures.read_text().replace("[US]", "[US, CA]", 1))
    after = load_pack(pack)
    assert "kites.yaml" not in parsed and "measures.yaml" in parsed
    assert _file_entries(cache) == [entry]
    assert after.items == before.items and after.measures != before.measures
    monkeypatch.setenv("CONTRABAND_CACHE_DIR", "")  # the cache off: the same pack
    assert load_pack(pack) == after


def test_a_large_file_with_a_problem_is_reported_each_time_and_never_cached(
    cache: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(MINI_PACK, pack)
    (pack / "items" / "kites.yaml").write_text(_many_items(1500) + "items: []\n")
    for _ in range(2):
        with pytest.raises(PolicyError, match="duplicate"):
            load_pack(pack)
    assert _file_entries(cache) == [] and _entries(cache) == []
