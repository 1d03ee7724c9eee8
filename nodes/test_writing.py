"""Two short turns in which the model writes asserts: the task's prose examples, and tests.

``prose_examples`` asks the model to write the examples a task gives in words
as asserts (they are the task's own examples, so they judge the code);
``model_tests`` asks for a few asserts from the task alone, CodeT style (they
may be wrong, so they only rank candidates). Either way an assert is kept only
if it parses and calls one of the functions named (``verify.examples``). A
turn that does not fit the context is skipped: the run goes on without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from config.settings import Settings
from decoding.errors import PromptTooLongError
from decoding.generator import Generator
from nodes.prompting import CLOSING_FENCE, Prompt, choose_template, greedy_reply
from verify.checks import Check, Origin
from verify.examples import checks_from_reply

log = logging.getLogger(__name__)

TESTS_SYSTEM = "You write Python test assertions. You answer with one Python code block."

PROSE_REQUEST = (
    "The task above gives examples in words. Write each of those examples as one assert "
    "statement that calls `{name}` with the example's input and compares the result with `==` "
    "to the example's output. Write only the examples the task gives, one per line, nothing else."
)

TESTS_REQUEST = (
    "Write {count} assert statements that test `{name}` on typical inputs and edge cases. Each "
    "one calls `{name}` with literal arguments and compares the result with `==` to the exact "
    "value a correct implementation returns. One assert per line, nothing else."
)


def request_prompt(
    generator: Generator, settings: Settings, *, task: str, stub: str | None, request: str
) -> Prompt:
    """The turn that shows the task (and stub) and asks ``request``; the reply is a code block."""
    template = choose_template(
        settings.model.use_chat_template, generator.chat_template(), "the model"
    )
    shown = task if stub is None else f"{task}\n\n```python\n{stub.rstrip()}\n```"
    if template is not None:
        text = template.render(
            [
                {"role": "system", "content": TESTS_SYSTEM},
                {"role": "user", "content": f"{shown}\n\n{request}"},
            ]
        )
        return Prompt(
            text=text + "```python\n",
            code_prefix="",
            special_tokens=True,
            stop_sequences=(CLOSING_FENCE,),
            stop_at_top_level=False,
        )
    comments = "".join(f"# {line}\n" for line in f"{shown}\n\n{request}".splitlines())
    return Prompt(
        text=comments + "assert",
        code_prefix="assert",
        stop_sequences=("\n\n", "\ndef ", "\nclass "),
        stop_at_top_level=False,
    )


def ask_for_checks(
    generator: Generator,
    settings: Settings,
    *,
    task: str,
    stub: str | None,
    request: str,
    functions: Sequence[str],
    origin: Origin,
) -> list[Check]:
    """Greedily decode the model's asserts for ``request``; those that parse and call one of
    ``functions``."""
    prompt = request_prompt(generator, settings, task=task, stub=stub, request=request)
    try:
        reply = greedy_reply(generator, prompt, settings.verify.test_max_tokens)
    except PromptTooLongError as exc:  # the turn is an extra: the run goes on without it
        log.info("no asserts asked for: %s", exc.message)
        return []
    return checks_from_reply(prompt.code_prefix + reply, functions, origin=origin)


def prose_examples(
    generator: Generator, settings: Settings, *, task: str, stub: str | None, name: str
) -> list[Check]:
    """The examples ``task`` gives in words, as asserts on ``name`` (origin "example")."""
    return ask_for_checks(
        generator,
        settings,
        task=task,
        stub=stub,
        request=PROSE_REQUEST.format(name=name),
        functions=[name],
        origin="example",
    )


def model_tests(
    generator: Generator, settings: Settings, *, task: str, stub: str | None, name: str
) -> list[Check]:
    """``verify.model_tests`` asserts on ``name`` from the task alone (origin "model")."""
    count = settings.verify.model_tests
    checks = ask_for_checks(
        generator,
        settings,
        task=task,
        stub=stub,
        request=TESTS_REQUEST.format(count=count, name=name),
        functions=[name],
        origin="model",
    )
    return checks[:count]
