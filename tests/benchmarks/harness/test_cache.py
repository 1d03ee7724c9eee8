"""The per-problem result cache."""

from __future__ import annotations

from pathlib import Path

from benchmarks.harness.cache import ResultCache, settings_hash


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
