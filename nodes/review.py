"""The model's review of its own code: the turn that asks for defects, and its parse.

The review sees the task, the code and what the static tests found, and must
answer with concrete defects, one per line starting with "- ", or exactly
``NO DEFECTS``. :func:`parse_review` turns the reply into a :class:`Review`;
a reply that is neither is kept as "unclear" and counts as no defects found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from config.settings import Settings
from decoding.chat import ChatTemplate
from decoding.generator import Generator
from nodes.prompting import Prompt, choose_template, greedy_reply

NO_DEFECTS = "NO DEFECTS"
MAX_DEFECTS = 6

Verdict = Literal["defects", "no_defects", "unclear"]

REVIEW_SYSTEM = "You are a strict reviewer of Python code. You judge correctness only."
REVIEW_REQUEST = (
    "Does this code do exactly what the task asks, for every valid input? "
    'List each concrete defect on its own line starting with "- ": say which line or '
    "expression is wrong, and what it should do instead. Do not suggest style changes, "
    "tests or optional improvements, and do not rewrite the code. "
    f"If the code has no defects, answer exactly: {NO_DEFECTS}"
)

_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+(.*\S)")
_SAYS_NONE = re.compile(r"\bno (?:defects?|issues?|problems?|bugs?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Review:
    """What the review found: its verdict, the defects it named, and the raw reply."""

    verdict: Verdict
    defects: tuple[str, ...]
    text: str

    def summary(self) -> str:
        """The defects, one per line ("" when none was found)."""
        return "\n".join(self.defects)


def review_prompt(template: ChatTemplate | None, *, task: str, code: str, findings: str) -> Prompt:
    """The review turn: a chat conversation if the model has a template, else comments."""
    reported = (
        "The static tests (ruff, pyright, a security verifier) reported:\n" + findings
        if findings
        else "The static tests (ruff, pyright, a security verifier) reported nothing."
    )
    if template is not None:
        request = (
            f"Task:\n{task}\n\nCode:\n```python\n{code.rstrip()}\n```\n\n{reported}\n\n"
            + REVIEW_REQUEST
        )
        text = template.render(
            [{"role": "system", "content": REVIEW_SYSTEM}, {"role": "user", "content": request}]
        )
        return Prompt(
            text=text,
            code_prefix="",
            special_tokens=True,
            stop_sequences=("```",),
            stop_at_top_level=False,
        )
    comments = "".join(f"# {line}\n" for line in f"Task: {task}\n{reported}".splitlines())
    text = (
        f"{code.rstrip()}\n\n{comments}# Code review: the defects of the code above, "
        f'one per line, or "{NO_DEFECTS}".\n#'
    )
    return Prompt(
        text=text, code_prefix="", stop_sequences=("\n\n", "\ndef "), stop_at_top_level=False
    )


def parse_review(text: str) -> Review:
    """Read the reply: listed defects, an explicit ``NO DEFECTS``, or unclear."""
    items = []
    for line in text.splitlines():
        found = _ITEM.match(line.lstrip("#"))
        if found is None:
            continue
        item = found.group(1).replace("**", "").strip()
        if item and not _SAYS_NONE.search(item):
            items.append(item)
    if items:
        return Review("defects", tuple(items[:MAX_DEFECTS]), text)
    if NO_DEFECTS in text.upper() or _SAYS_NONE.search(text):
        return Review("no_defects", (), text)
    return Review("unclear", (), text)


def review(
    generator: Generator, *, task: str, code: str, findings: str, settings: Settings
) -> Review:
    """Ask the model to review ``code`` for ``task``, given the static findings; parsed."""
    template = choose_template(
        settings.model.use_chat_template, generator.chat_template(), "the model"
    )
    prompt = review_prompt(template, task=task, code=code, findings=findings)
    return parse_review(greedy_reply(generator, prompt, settings.cycles.review_max_tokens))
