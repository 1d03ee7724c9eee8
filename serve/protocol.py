"""The wire formats: OpenAI's chat completions (the part a client uses), the native spec
endpoint, the health check and the error body.

The OpenAI models mirror OpenAI's own schema, so every standard client reads
them; what the loop adds (findings, verdicts, the run and episode ids) travels
in the extra field ``supercoder`` (:class:`RunInfo`), which those clients
ignore, and in ``X-Supercoder-*`` response headers. Request fields the service
does not use (``top_p``, ``stop``, ``tools``, ...) are accepted and ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# --- errors ---------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    """OpenAI's error object."""

    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    """Every error answer: ``{"error": {...}}``."""

    error: ErrorDetail


# --- chat completions: the request ----------------------------------------------------


class _Open(BaseModel):
    """A request object: fields the service does not use are accepted and ignored."""

    model_config = ConfigDict(extra="allow")


class ContentPart(_Open):
    """One part of a message's content; only ``text`` parts carry a task."""

    type: str
    text: str | None = None


class ChatMessage(_Open):
    """One message of the conversation."""

    role: str
    content: str | list[ContentPart] | None = None


class StreamOptions(_Open):
    """Options of a streamed answer."""

    include_usage: bool = False


class ChatCompletionRequest(_Open):
    """``POST /v1/chat/completions``: the last user message is the task; a Python code block
    in it is the stub."""

    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1, description="tokens per cycle at most")
    max_completion_tokens: int | None = Field(default=None, ge=1, description="as max_tokens")
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    seed: int | None = Field(default=None, ge=0)
    n: int | None = Field(default=None, ge=1, le=1, description="one answer per request")
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: str | None = Field(default=None, description="the client, for fair queueing")


# --- chat completions: the answer -----------------------------------------------------


class RunInfo(BaseModel):
    """What the loop adds to an answer (the extra field ``supercoder``)."""

    run_id: str
    episode_id: str | None = Field(description="the run's episode in the store")
    mode: str = Field(description="loop, beams or greedy (from the model id)")
    status: str = Field(description="clean, limit, refused or stopped: as `main.py run`")
    passed: bool | None = Field(description="every example and test passed; null: none ran")
    findings: list[dict[str, Any]] = Field(description="the static tests' findings on the code")
    verdicts: list[dict[str, Any]] = Field(
        description="each example and test run on the code in the sandbox, with its outcome"
    )
    cycles: int
    completeness: float
    seconds: float = Field(description="the run's own time")
    queue_seconds: float = Field(description="time the request waited in the queue")


class AssistantMessage(BaseModel):
    """The answer: a Python code block."""

    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    """The one answer of a completion."""

    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop", "length"]
    logprobs: None = None


class Usage(BaseModel):
    """Tokens of the returned code's prompt and completion (of the cycle that wrote it)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    """A whole answer (``stream: false``)."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    system_fingerprint: str | None = None
    supercoder: RunInfo


class Delta(BaseModel):
    """A streamed piece of the answer."""

    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    """The streamed piece of the one answer."""

    index: int = 0
    delta: Delta
    finish_reason: Literal["stop", "length"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """One server-sent event of a streamed answer; the last carries ``supercoder``."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    supercoder: RunInfo | None = None


class ModelCard(BaseModel):
    """One model id (a mode of the loop on the loaded model)."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "supercoder"


class ModelList(BaseModel):
    """``GET /v1/models``."""

    object: Literal["list"] = "list"
    data: list[ModelCard]


# --- the native endpoints -------------------------------------------------------------


class GenerateOptions(BaseModel):
    """``POST /v1/generate``: what may stand beside the spec's own fields (``verify.spec``:
    function_name, parameters, return_type, constraints, examples)."""

    model_config = ConfigDict(extra="forbid")

    model: str = "supercoder"
    task: str | None = Field(default=None, description="the request in words (default: the spec's)")
    tests: str | None = Field(default=None, description="asserts or test_* functions, as --tests")
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    seed: int | None = Field(default=None, ge=0)


class GenerateResponse(BaseModel):
    """The answer of ``POST /v1/generate``."""

    status: str = Field(description="clean, limit, refused or stopped: as `main.py run`")
    code: str
    confidence: float = Field(
        description="the share of the spec's examples and tests the code passed in the sandbox "
        "(its completeness score when none ran), halved when static findings remain"
    )
    time_taken: float = Field(description="seconds from the request to the answer")
    findings: list[dict[str, Any]]
    run_id: str
    episode_id: str | None
    passed: bool | None
    verdicts: list[dict[str, Any]]
    queue_seconds: float


class Health(BaseModel):
    """``GET /health``."""

    status: Literal["ok", "loading", "error"]
    model_loaded: bool
    queue_length: int = Field(description="requests waiting, not counting the running one")
    running: bool
    store_writable: bool | None = Field(description="null while the store opens")
    error: str | None = None
