"""The index cache: a hit loads what a build would make; any change of input is a miss."""

from pathlib import Path

import pytest

from contraband.matching import Matcher, Term
from contraband.matching.cache import cache_directory, cached_index, index_key

TERMS = [Term("vape", "e-cigarette"), Term("shrooms", "narcotics", exceptions=("mushrooms",))]


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("index-*.pickle"))


def test_second_build_is_loaded_from_the_cache(tmp_path: Path) -> None:
    first = cached_index(TERMS, tmp_path)
    [entry] = entries(tmp_path)
    stamp = entry.stat().st_mtime_ns
    second = cached_index(TERMS, tmp_path)
    assert second is not first
    assert entry.stat().st_mtime_ns == stamp  # read, not rewritten
    assert second.literals == first.literals
    assert Matcher(second).find([("title", "v4pe kit")])[0].term == "vape"


@pytest.mark.parametrize(
    "changed",
    [
        [Term("vape", "e-cigarette")],
        [Term("vape", "vaping"), TERMS[1]],
        [TERMS[0], Term("shrooms", "narcotics")],  # exceptions count
        [TERMS[0], Term("shrooms", "narcotics", "nl", ("mushrooms",))],
    ],
)
def test_any_change_of_the_terms_changes_the_key(changed: list[Term]) -> None:
    assert index_key(changed) != index_key(TERMS)


def test_a_damaged_entry_is_rebuilt(tmp_path: Path) -> None:
    cached_index(TERMS, tmp_path)
    [entry] = entries(tmp_path)
    entry.write_bytes(b"not a pickle")
    index = cached_index(TERMS, tmp_path)
    assert Matcher(index).find([("title", "vape")])
    assert entry.read_bytes() != b"not a pickle"


def test_an_unwritable_directory_only_means_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the directory should be")
    index = cached_index(TERMS, blocker / "cache")
    assert Matcher(index).find([("title", "vape")])


def test_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTRABAND_CACHE_DIR", "")
    assert cache_directory() is None
    monkeypatch.setenv("CONTRABAND_CACHE_DIR", "/some/where")
    assert cache_directory() == Path("/some/where")


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return (os.system, (f"touch {MARKER}",))


MARKER = Path("/tmp/contraband-cache-payload-ran")


@pytest.mark.parametrize("exposure", ["directory", "file"])
def test_an_entry_others_could_write_is_never_unpickled(tmp_path: Path, exposure: str) -> None:
    """A crafted entry in a directory (or a file) writable by others is ignored: rebuilt."""
    import pickle

    MARKER.unlink(missing_ok=True)
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    entry = directory / f"index-{index_key(TERMS)}.pickle"
    entry.write_bytes(pickle.dumps(_Payload()))
    (directory if exposure == "directory" else entry).chmod(0o777)
    index = cached_index(TERMS, directory)
    assert not MARKER.exists()
    assert Matcher(index).find([("title", "v4pe kit")])[0].term == "vape"
