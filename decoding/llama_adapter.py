"""The one module that talks to llama.cpp: a loaded GGUF and a multi-sequence context.

Beams are llama.cpp sequences in one context created with ``n_seq_max``,
``kv_unified=True`` (a fork shares the prefix's KV cells) and ``swa_full=True``
(sliding-window models can be rolled back). One ``llama_decode`` advances
several sequences by one token each; logits are read as numpy views of
llama.cpp's own buffer. The rest of ``decoding/`` talks to this adapter only.
Its base, ``Vocabulary``, is the tokenizer and metadata alone: loaded without
the weights, it counts a prompt's tokens before the model loads.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import llama_cpp
import numpy as np
import numpy.typing as npt

from decoding.chat import ChatTemplate
from decoding.errors import DecodingError, ModelCapabilityError, ModelLoadError
from decoding.sequence_model import StepInput

log = logging.getLogger(__name__)

_PROBE_SEQ = 1  # a sequence id the capability probe may use and then frees
_GGML_LOG_LEVEL_ERROR = 4  # enum ggml_log_level in ggml.h


@llama_cpp.llama_log_callback
def _quiet_log(level: int, text: bytes | None, user_data: ctypes.c_void_p) -> None:
    if level == _GGML_LOG_LEVEL_ERROR and text:
        log.debug("llama.cpp: %s", text.decode("utf-8", errors="replace").rstrip())


def silence_llama_logs() -> None:
    """Route llama.cpp's own stderr chatter to this module's logger (errors at debug level)."""
    llama_cpp.llama_log_set(_quiet_log, ctypes.c_void_p(0))


@dataclass(frozen=True)
class ModelCapabilities:
    """What the loaded model offers the search, probed at load time."""

    description: str
    vocab_size: int
    n_ctx_train: int
    sliding_window: int  # 0 when the model has no sliding-window attention
    can_fork: bool
    can_truncate: bool


@dataclass
class _Context:
    """The live llama.cpp handles of one context."""

    ctx: llama_cpp.llama_context_p
    memory: llama_cpp.llama_memory_t
    batch: llama_cpp.llama_batch
    n_ctx: int

    def free(self) -> None:
        llama_cpp.llama_batch_free(self.batch)
        llama_cpp.llama_free(self.ctx)


def _load_model(path: Path, params: llama_cpp.llama_model_params) -> llama_cpp.llama_model_p:
    """The GGUF at ``path`` loaded with ``params``, or ``ModelLoadError``."""
    silence_llama_logs()
    llama_cpp.llama_backend_init()
    model = llama_cpp.llama_model_load_from_file(str(path).encode(), params)
    if model is None:
        raise ModelLoadError(
            f"llama.cpp could not load {path}: the file is corrupt, truncated or of an "
            "unsupported architecture; check the file or choose another with --model"
        )
    return model


class Vocabulary:
    """A loaded GGUF's tokenizer and metadata: text to tokens and back, special tokens.

    :meth:`open` loads them alone, without the weights (llama.cpp's ``vocab_only``):
    a fraction of a second, to count a prompt's tokens before the model loads.
    """

    def __init__(self, model: llama_cpp.llama_model_p) -> None:
        """Take ownership of ``model`` (freed by :meth:`close`, also when this raises).
        A subclass sets what its ``close`` needs before calling this."""
        self._model: llama_cpp.llama_model_p | None = model
        self._pieces: dict[int, bytes] = {}
        vocab = llama_cpp.llama_model_get_vocab(model)
        if vocab is None:
            self.close()
            raise ModelCapabilityError("a vocabulary")
        self._vocab = vocab

    @classmethod
    def open(cls, path: Path) -> Vocabulary:
        """The vocabulary and metadata of the GGUF at ``path``, without its weights; raises
        ``ModelLoadError`` where llama.cpp cannot load them alone."""
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        return cls(_load_model(path, params))

    def chat_template(self) -> ChatTemplate | None:
        """The GGUF's chat template with its BOS/EOS spellings, or ``None`` if it has none."""
        source = self.metadata("tokenizer.chat_template")
        if not source:
            return None
        return ChatTemplate(
            source=source,
            bos_token=self.special_text(self.bos_token),
            eos_token=self.special_text(self.eos_token),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Free the model (idempotent)."""
        if self._model is not None:
            llama_cpp.llama_model_free(self._model)
            self._model = None

    @property
    def bos_token(self) -> int:
        """The beginning-of-sequence token (-1 if none)."""
        return int(llama_cpp.llama_vocab_bos(self._vocab))

    @property
    def eos_token(self) -> int:
        """The end-of-sequence token (-1 if none)."""
        return int(llama_cpp.llama_vocab_eos(self._vocab))

    def tokenize(self, text: str, *, add_bos: bool = True, special: bool = False) -> list[int]:
        """Tokens of ``text``, with BOS when asked; ``special`` parses special-token text
        such as ``<start_of_turn>`` (for chat templates), otherwise it is plain text."""
        data = text.encode("utf-8")
        capacity = len(data) + 8
        buffer = (llama_cpp.llama_token * capacity)()
        count = llama_cpp.llama_tokenize(
            self._vocab, data, len(data), buffer, capacity, add_bos, special
        )
        if count < 0:
            capacity = -count
            buffer = (llama_cpp.llama_token * capacity)()
            count = llama_cpp.llama_tokenize(
                self._vocab, data, len(data), buffer, capacity, add_bos, special
            )
        return list(buffer[:count])

    def metadata(self, key: str) -> str | None:
        """The GGUF metadata value ``key`` as text, or ``None`` when the file has none."""
        if self._model is None:
            raise DecodingError("the model is closed")
        read = llama_cpp.llama_model_meta_val_str  # typed with ``bytes`` buffers; ctypes ones work
        buffer = ctypes.create_string_buffer(1 << 16)
        size = read(self._model, key.encode(), buffer, len(buffer))  # pyright: ignore[reportArgumentType]
        if size < 0:
            return None
        if size >= len(buffer):
            buffer = ctypes.create_string_buffer(size + 1)
            read(self._model, key.encode(), buffer, len(buffer))  # pyright: ignore[reportArgumentType]
        return buffer.value.decode("utf-8", errors="replace")

    def special_text(self, token: int) -> str:
        """How a special token (BOS, EOS) is spelled in text, e.g. ``<bos>`` ("" for none)."""
        if token < 0:
            return ""
        buffer = ctypes.create_string_buffer(64)
        size = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, 64, 0, True)
        return buffer.raw[: max(size, 0)].decode("utf-8", errors="replace")

    def piece(self, token: int) -> bytes:
        """The bytes one token renders to (special tokens render as nothing)."""
        cached = self._pieces.get(token)
        if cached is not None:
            return cached
        buffer = ctypes.create_string_buffer(64)
        size = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, 64, 0, False)
        if size < 0:
            buffer = ctypes.create_string_buffer(-size)
            size = llama_cpp.llama_token_to_piece(self._vocab, token, buffer, -size, 0, False)
        data = buffer.raw[:size]
        self._pieces[token] = data
        return data

    def detokenize(self, tokens: Sequence[int]) -> str:
        """The text of ``tokens`` (UTF-8 decoded once, over the joined bytes)."""
        return b"".join(self.piece(t) for t in tokens).decode("utf-8", errors="replace")

    def is_end(self, token: int) -> bool:
        """Whether ``token`` ends generation (EOS or any end-of-generation token)."""
        return bool(llama_cpp.llama_vocab_is_eog(self._vocab, token))


class LlamaAdapter(Vocabulary):
    """A loaded GGUF with a multi-sequence context; sequences are beams."""

    def __init__(
        self,
        path: Path,
        *,
        n_ctx: int,
        n_seq_max: int,
        n_gpu_layers: int = 0,
        n_threads: int | None = None,
        n_batch: int = 512,
    ) -> None:
        model_params = llama_cpp.llama_model_default_params()
        model_params.n_gpu_layers = n_gpu_layers
        self._context: _Context | None = None
        self._rows: dict[int, int] = {}  # seq id -> logits row of the last decode
        model = _load_model(path, model_params)
        super().__init__(model)
        try:
            self._n_vocab = int(llama_cpp.llama_vocab_n_tokens(self._vocab))
            self._n_seq_max = n_seq_max
            self._n_batch = n_batch
            self._threads = n_threads or default_threads()
            self._open_context(n_ctx)
            self.capabilities = self._probe(model)
        except BaseException:
            self.close()
            raise

    # ----------------------------------------------------------------- life cycle

    def close(self) -> None:
        """Free the context and the model (idempotent)."""
        if self._context is not None:
            self._context.free()
            self._context = None
        super().close()

    @property
    def _c(self) -> _Context:
        if self._context is None:
            raise DecodingError("the model is closed")
        return self._context

    @property
    def n_ctx(self) -> int:
        """KV cells of the context, shared by all sequences."""
        return self._c.n_ctx

    @property
    def n_seq_max(self) -> int:
        """How many sequences (beams) the context can hold."""
        return self._n_seq_max

    @property
    def n_vocab(self) -> int:
        """Vocabulary size (the length of a logits row)."""
        return self._n_vocab

    def ensure_capacity(self, n_cells: int) -> None:
        """Recreate the context (empty) if it holds fewer than ``n_cells`` KV cells."""
        if n_cells > self._c.n_ctx:
            self._open_context(n_cells)

    def _open_context(self, n_ctx: int) -> None:
        if self._model is None:
            raise DecodingError("the model is closed")
        if self._context is not None:
            self._context.free()
            self._context = None
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = self._n_batch
        params.n_ubatch = self._n_batch
        params.n_seq_max = self._n_seq_max
        params.n_threads = self._threads
        params.n_threads_batch = self._threads
        params.kv_unified = True
        params.swa_full = True
        params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        ctx = llama_cpp.llama_init_from_model(self._model, params)
        if ctx is None:
            raise ModelLoadError(
                f"llama.cpp could not create a context of {n_ctx} tokens for "
                f"{self._n_seq_max} sequences; lower --n-ctx or --beam-width"
            )
        memory = llama_cpp.llama_get_memory(ctx)
        if memory is None:
            llama_cpp.llama_free(ctx)
            raise ModelCapabilityError("a KV cache")
        batch = llama_cpp.llama_batch_init(max(self._n_batch, self._n_seq_max), 0, 1)
        self._context = _Context(ctx, memory, batch, int(llama_cpp.llama_n_ctx(ctx)))
        self._rows = {}

    def _probe(self, model: llama_cpp.llama_model_p) -> ModelCapabilities:
        """Check that sequences can be forked and truncated, on a two-token scratch decode."""
        missing: list[str] = []
        if self._n_vocab <= 0:
            missing.append("a vocabulary")
        if llama_cpp.llama_model_has_encoder(model):
            missing.append("a decoder-only architecture (this model has an encoder)")
        if missing:
            raise ModelCapabilityError(", ".join(missing))
        token = self.bos_token if self.bos_token >= 0 else 0
        self.decode_prompt([token, token], seq_id=0)
        can_fork = False
        if self._n_seq_max >= 2:  # a one-sequence context never forks
            self.fork(0, _PROBE_SEQ)
            can_fork = self._seq_pos_max(_PROBE_SEQ) == 1
            if not can_fork:
                missing.append("forking a sequence (llama_memory_seq_cp)")
        can_truncate = bool(llama_cpp.llama_memory_seq_rm(self._c.memory, 0, 1, -1))
        can_truncate = can_truncate and self._seq_pos_max(0) == 0
        if not can_truncate:
            missing.append("truncating a sequence (llama_memory_seq_rm)")
        self.clear()
        if missing:
            raise ModelCapabilityError(
                ", ".join(missing) + "; use a transformer GGUF with a KV cache"
            )
        description = ctypes.create_string_buffer(256)
        llama_cpp.llama_model_desc(model, description, 256)
        return ModelCapabilities(
            description=description.value.decode("utf-8", errors="replace"),
            vocab_size=self._n_vocab,
            n_ctx_train=int(llama_cpp.llama_model_n_ctx_train(model)),
            sliding_window=int(llama_cpp.llama_model_n_swa(model)),
            can_fork=can_fork,
            can_truncate=can_truncate,
        )

    # ----------------------------------------------------------------- sequences

    def clear(self) -> None:
        """Empty every sequence."""
        llama_cpp.llama_memory_clear(self._c.memory, True)
        self._rows = {}

    def decode_prompt(self, tokens: Sequence[int], *, seq_id: int = 0) -> None:
        """Feed ``tokens`` from position 0 into ``seq_id`` in batches; logits of the last one are kept."""
        if not tokens:
            raise DecodingError("cannot decode an empty prompt")
        self.free(seq_id)
        for start in range(0, len(tokens), self._n_batch):
            chunk = tokens[start : start + self._n_batch]
            last = start + len(chunk) == len(tokens)
            self._fill(
                [StepInput(seq_id, t, start + i) for i, t in enumerate(chunk)],
                logits_last_only=True,
            )
            self._decode()
            if last:
                self._rows = {seq_id: len(chunk) - 1}

    def step(self, inputs: Sequence[StepInput]) -> None:
        """One decode of one token per sequence; afterwards each of them has logits to read."""
        if len(inputs) > self._n_seq_max:
            raise DecodingError(
                f"{len(inputs)} sequences in one step, the context holds {self._n_seq_max}"
            )
        self._fill(inputs, logits_last_only=False)
        self._decode()
        self._rows = {item.seq_id: row for row, item in enumerate(inputs)}

    def logits(self, seq_id: int) -> npt.NDArray[np.float32]:
        """The next-token logits of ``seq_id`` from the last decode, as a view (valid until the next one).

        Raises ``DecodingError`` if ``seq_id`` was not decoded last or changed since:
        the model state must be prepared for a beam before its logits are read.
        """
        row = self._rows.get(seq_id)
        if row is None:
            raise DecodingError(f"sequence {seq_id} has no fresh logits; decode it first")
        pointer = llama_cpp.llama_get_logits_ith(self._c.ctx, row)
        return np.ctypeslib.as_array(pointer, shape=(self._n_vocab,))

    def fork(self, src: int, dst: int) -> None:
        """Make ``dst`` a copy of ``src`` sharing its KV cells (``dst`` is emptied first)."""
        self.free(dst)
        llama_cpp.llama_memory_seq_cp(self._c.memory, src, dst, -1, -1)

    def free(self, seq_id: int) -> None:
        """Empty ``seq_id`` (its cells are released when no other sequence shares them)."""
        llama_cpp.llama_memory_seq_rm(self._c.memory, seq_id, -1, -1)
        self._rows.pop(seq_id, None)

    def truncate(self, seq_id: int, length: int) -> None:
        """Keep the first ``length`` positions of ``seq_id`` and drop the rest."""
        if not llama_cpp.llama_memory_seq_rm(self._c.memory, seq_id, length, -1):
            raise DecodingError(
                f"llama.cpp refused to truncate sequence {seq_id} to {length} tokens"
            )
        self._rows.pop(seq_id, None)

    def seq_length(self, seq_id: int) -> int:
        """Positions held by ``seq_id`` (0 when empty)."""
        return self._seq_pos_max(seq_id) + 1

    def _seq_pos_max(self, seq_id: int) -> int:
        return int(llama_cpp.llama_memory_seq_pos_max(self._c.memory, seq_id))

    def _fill(self, inputs: Sequence[StepInput], *, logits_last_only: bool) -> None:
        batch = self._c.batch
        last = len(inputs) - 1
        for i, item in enumerate(inputs):
            batch.token[i] = item.token
            batch.pos[i] = item.position
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = item.seq_id
            batch.logits[i] = 1 if (not logits_last_only or i == last) else 0
        batch.n_tokens = len(inputs)

    def _decode(self) -> None:
        status = llama_cpp.llama_decode(self._c.ctx, self._c.batch)
        if status == 1:
            raise DecodingError(
                f"the context's {self._c.n_ctx} KV cells are full; raise --n-ctx or lower --beam-width"
            )
        if status != 0:
            raise DecodingError(f"llama_decode failed with status {status}")


def default_threads() -> int:
    """Half the cores (at least one): on a busy machine more threads than that slow decoding down."""
    return max((os.cpu_count() or 2) // 2, 1)


def system_info() -> str:
    """llama.cpp's build features as it reports them (CPU extensions, GPU backends)."""
    return (
        llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip().rstrip("|").strip()
    )
