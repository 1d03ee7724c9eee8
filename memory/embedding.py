"""Offline text embeddings for the episode store, with no download at run time.

``GGUFEmbedder`` pools the local GGUF's hidden states through llama.cpp;
``HashingEmbedder`` hashes word and character n-grams and needs no model (fast,
deterministic: tests and an offline fallback). The GGUF vectors separate
meanings weakly on the small default model, which is why search is hybrid.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from decoding.model_file import ModelFile

if TYPE_CHECKING:
    from llama_cpp import Llama

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[A-Za-z0-9_]+")


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors of a fixed dimension."""

    @property
    def name(self) -> str:
        """Identifies the embedder and its model; recorded with the stored vectors."""
        ...

    @property
    def dim(self) -> int:
        """The vector dimension."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row of shape ``(dim,)`` per text, as float32."""
        ...


class HashingEmbedder:
    """Feature hashing of words, word bigrams and character trigrams; no model needed."""

    def __init__(self, dim: int = 256) -> None:
        if dim < 8:
            raise ValueError(f"dim must be at least 8, got {dim}")
        self._dim = dim

    @property
    def name(self) -> str:
        """``hash-v1``: changes only if the feature scheme changes."""
        return "hash-v1"

    @property
    def dim(self) -> int:
        """The vector dimension chosen at construction."""
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Signed hashed n-gram counts, L2-normalised (a zero text gives a zero row)."""
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in _features(text):
                digest = int.from_bytes(
                    hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little"
                )
                sign = 1.0 if digest & 1 else -1.0
                out[row, (digest >> 1) % self._dim] += sign
        return _normalise(out)


class GGUFEmbedder:
    """Mean-pooled embeddings of a local GGUF model through llama.cpp, loaded on first use."""

    def __init__(self, model_file: ModelFile, n_ctx: int = 512) -> None:
        self._model_file = model_file
        self._n_ctx = n_ctx
        self._llama: Llama | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """``gguf:<file name>:<sha256 prefix>``, known without loading the model."""
        return f"gguf:{self._model_file.name}:{self._model_file.sha256_prefix}"

    @property
    def dim(self) -> int:
        """The model's embedding width (loads the model)."""
        return int(self._model().n_embd())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled, L2-normalised embeddings; texts longer than ``n_ctx`` tokens are cut."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        llama = self._model()
        with self._lock:
            vectors = [llama.embed(text or " ", normalize=False, truncate=True) for text in texts]
        return _normalise(np.asarray(vectors, dtype=np.float32))

    def close(self) -> None:
        """Free the model (it is loaded again on the next use)."""
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    def _model(self) -> Llama:
        with self._lock:
            if self._llama is None:
                self._llama = _load_embedding_model(self._model_file, self._n_ctx)
            return self._llama


def make_embedder(kind: Literal["gguf", "hash"], model_file: ModelFile | None) -> Embedder:
    """The embedder that ``memory.embedder`` names; "gguf" needs the resolved model file."""
    if kind == "hash":
        return HashingEmbedder()
    if model_file is None:
        raise ValueError("the gguf embedder needs a model file")
    return GGUFEmbedder(model_file)


def _load_embedding_model(model_file: ModelFile, n_ctx: int) -> Llama:
    import llama_cpp

    _silence_llama_log(llama_cpp)
    logger.info("loading %s for embeddings", model_file.path)
    # A pooled sequence must fit in one micro-batch, hence n_batch = n_ubatch = n_ctx.
    return llama_cpp.Llama(
        model_path=str(model_file.path),
        embedding=True,
        pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
        n_ctx=n_ctx,
        n_batch=n_ctx,
        n_ubatch=n_ctx,
        verbose=False,
    )


_LOG_CALLBACK: Any = None  # kept alive: llama.cpp holds a raw pointer to it


def _silence_llama_log(llama_cpp: Any) -> None:
    global _LOG_CALLBACK
    if _LOG_CALLBACK is None:
        _LOG_CALLBACK = llama_cpp.llama_log_callback(lambda level, text, user_data: None)
        llama_cpp.llama_log_set(_LOG_CALLBACK, None)


def _features(text: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    features = [f"w:{w}" for w in words]
    features += [f"b:{a} {b}" for a, b in itertools.pairwise(words)]
    for word in words:
        padded = f"<{word}>"
        features += [f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2)]
    return features


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
