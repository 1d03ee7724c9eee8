"""The per-problem result cache."""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness.cache import (
    PRODUCT_PACKAGES,
    REPO_ROOT,
    ResultCache,
    code_fingerprint,
    settings_hash,
)


def _cache(root: Path, *, settings_key: str = "s1", model_sha: str = "m1") -> ResultCache:
    return ResultCache(
        root, benchmark="humaneval", mode="greedy", settings_key=settings_key, model_sha=model_sha
    )


def test_a_stored_record_is_read_back(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    cache.put("HumanEval/0", {"passed": True})
    assert cache.get("HumanEval/0") == {"passed": True}


def test_a_missing_record_is_none(tmp_path: Path) -> None:
    assert _cache(tmp_path).get("HumanEval/1") is None


def test_an_unreadable_record_is_none(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    cache.put("HumanEval/0", {"passed": True})
    cache.path("HumanEval/0").write_text("{half a rec", encoding="utf-8")
    assert cache.get("HumanEval/0") is None


def test_other_settings_or_another_model_do_not_share_records(tmp_path: Path) -> None:
    _cache(tmp_path).put("HumanEval/0", {"passed": True})
    assert _cache(tmp_path, settings_key="s2").get("HumanEval/0") is None
    assert _cache(tmp_path, model_sha="m2").get("HumanEval/0") is None


def test_a_put_leaves_no_temporary_files(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    cache.put("HumanEval/0", {"passed": False})
    assert [p.name for p in cache.directory.iterdir()] == ["HumanEval_0.json"]


def test_the_settings_hash_ignores_key_order() -> None:
    assert settings_hash({"a": 1, "b": {"c": 2}}) == settings_hash({"b": {"c": 2}, "a": 1})


def test_the_settings_hash_changes_with_a_value() -> None:
    assert settings_hash({"threshold": 1.0}) != settings_hash({"threshold": 2.0})


def _tree(root: Path, body: str) -> Path:
    (root / "decoding").mkdir(parents=True, exist_ok=True)
    (root / "decoding" / "search.py").write_text(body, encoding="utf-8")
    return root


def test_the_code_fingerprint_is_stable_for_the_same_sources(tmp_path: Path) -> None:
    one = _tree(tmp_path / "one", "x = 1\n")
    two = _tree(tmp_path / "two", "x = 1\n")
    assert code_fingerprint(one, ("decoding",)) == code_fingerprint(two, ("decoding",))


def test_a_source_change_changes_the_code_fingerprint(tmp_path: Path) -> None:
    root = _tree(tmp_path, "x = 1\n")
    before = code_fingerprint(root, ("decoding",))
    _tree(tmp_path, "x = 2\n")
    assert code_fingerprint(root, ("decoding",)) != before


def test_compiled_files_do_not_count_in_the_code_fingerprint(tmp_path: Path) -> None:
    root = _tree(tmp_path, "x = 1\n")
    before = code_fingerprint(root, ("decoding",))
    (root / "decoding" / "search.cpython-311.pyc").write_bytes(b"\0")
    assert code_fingerprint(root, ("decoding",)) == before


def test_the_fingerprint_reads_the_product_packages_of_this_checkout(tmp_path: Path) -> None:
    assert all((REPO_ROOT / package / "__init__.py").is_file() for package in PRODUCT_PACKAGES)
    assert code_fingerprint() != code_fingerprint(tmp_path)  # an empty tree hashes to a constant
