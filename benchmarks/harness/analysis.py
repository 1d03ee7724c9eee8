"""Why modes differ: paired outcomes against a reference mode, and where the search branches.

A pass@1 difference between two modes hides how it arose. ``paired`` counts,
problem by problem, which outcomes each mode got and how often the two wrote
the very same code; ``branch_profile`` reads the branch events the search
recorded (the step, the entropy and the top alternatives) and says what kind
of token the search was unsure about and how far into the completion.
"""

from __future__ import annotations

import keyword
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks.harness.report import markdown_table

TOKEN_KINDS = ("keyword", "identifier", "operator", "number", "string", "comment", "whitespace")
# Completion steps at which branch events are counted, as [start, end) ranges.
POSITIONS = ((0, 10, "steps 0-9"), (10, 50, "steps 10-49"), (50, None, "steps 50+"))


@dataclass(frozen=True)
class Paired:
    """Problem-by-problem outcomes of ``mode`` against ``reference`` on the problems both ran."""

    mode: str
    reference: str
    problems: int
    both: int
    only_reference: int
    only_mode: int
    neither: int
    same_code: int  # problems where both wrote identical code

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def paired(
    reference: Sequence[Mapping[str, Any]],
    records: Sequence[Mapping[str, Any]],
    *,
    mode: str,
    reference_name: str,
    key: str = "problem",
    outcome: str = "passed",
) -> Paired:
    """Compare ``records`` with ``reference`` by ``key``, counting the true ``outcome`` flags."""
    by_id = {r[key]: r for r in reference}
    pairs = [(by_id[r[key]], r) for r in records if r[key] in by_id]
    counts = Counter((bool(ref[outcome]), bool(rec[outcome])) for ref, rec in pairs)
    return Paired(
        mode=mode,
        reference=reference_name,
        problems=len(pairs),
        both=counts[True, True],
        only_reference=counts[True, False],
        only_mode=counts[False, True],
        neither=counts[False, False],
        same_code=sum(ref["completion"]["code"] == rec["completion"]["code"] for ref, rec in pairs),
    )


def paired_table(pairs: Sequence[Paired], *, outcome: str) -> str:
    """One row per mode: the four outcome cells against the reference and identical code."""
    return markdown_table(
        ["mode", "vs", "problems", f"{outcome}: both", "only vs", "only mode", "neither",
         "identical code"],
        [
            (p.mode, p.reference, p.problems, p.both, p.only_reference, p.only_mode, p.neither,
             p.same_code)
            for p in pairs
        ],
    )


def token_kind(text: str) -> str:
    """The lexical kind of a token's text: one of ``TOKEN_KINDS``."""
    stripped = text.strip()
    if not stripped:
        return "whitespace"
    if stripped.startswith("#"):
        return "comment"
    if keyword.iskeyword(stripped) or keyword.issoftkeyword(stripped):
        return "keyword"
    if stripped.isidentifier():
        return "identifier"
    if stripped[0].isdigit():
        return "number"
    if stripped[0] in "'\"" or stripped[:2].lower() in ('f"', "f'", 'r"', "r'", 'b"', "b'"):
        return "string"
    return "operator"


@dataclass(frozen=True)
class BranchProfile:
    """Where one mode's search branched, over the events its records kept."""

    mode: str
    problems: int
    branches_per_problem: float  # from the search's own counter (not capped)
    events: int  # recorded events (capped per completion by the harness)
    by_kind: dict[str, float]  # kind of the most likely alternative -> share of events
    by_position: dict[str, float]  # completion step range -> share of events
    mean_entropy: float
    mean_top_probability: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def branch_profile(mode: str, records: Sequence[Mapping[str, Any]]) -> BranchProfile | None:
    """The branch profile of ``mode``'s records, or None when they recorded no branch events."""
    extras = [r["completion"].get("extra", {}) for r in records]
    events = [e for extra in extras for e in extra.get("branch_points", [])]
    if not any("branch_points" in extra for extra in extras):
        return None
    kinds = Counter(token_kind(e["alternatives"][0][0]) for e in events if e["alternatives"])
    positions: Counter[str] = Counter()
    for event in events:
        for start, end, label in POSITIONS:
            if event["step"] >= start and (end is None or event["step"] < end):
                positions[label] += 1
    total = len(events)

    def share(counter: Counter[str], labels: Sequence[str]) -> dict[str, float]:
        return {label: counter[label] / total if total else 0.0 for label in labels}

    return BranchProfile(
        mode=mode,
        problems=len(records),
        branches_per_problem=statistics.fmean(int(x.get("branches", 0)) for x in extras),
        events=total,
        by_kind=share(kinds, TOKEN_KINDS),
        by_position=share(positions, [label for _, _, label in POSITIONS]),
        mean_entropy=statistics.fmean(e["entropy"] for e in events) if events else 0.0,
        mean_top_probability=statistics.fmean(
            e["alternatives"][0][1] for e in events if e["alternatives"]
        ) if events else 0.0,
    )


def branch_table(profiles: Sequence[BranchProfile]) -> str:
    """Where each mode branched: per problem, by token kind and by completion step."""
    def pct(value: float) -> str:
        return f"{100 * value:.0f}%"

    labels = [label for _, _, label in POSITIONS]
    return markdown_table(
        ["mode", "branches/problem", "events kept", *TOKEN_KINDS, *labels, "mean entropy",
         "mean top p"],
        [
            (
                p.mode,
                f"{p.branches_per_problem:.1f}",
                p.events,
                *(pct(p.by_kind[k]) for k in TOKEN_KINDS),
                *(pct(p.by_position[label]) for label in labels),
                f"{p.mean_entropy:.2f}",
                f"{p.mean_top_probability:.2f}",
            )
            for p in profiles
        ],
    )


def compare_modes(
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    reference: str,
    key: str,
    outcome: str,
) -> tuple[str, dict[str, Any]]:
    """Every mode paired with ``reference`` and the branch profiles, as markdown and as JSON.

    Modes without a ``reference`` run are left out of the pairing; modes whose
    records hold no branch events are left out of the branch table.
    """
    pairs = [
        paired(records[reference], rs, mode=mode, reference_name=reference, key=key,
               outcome=outcome)
        for mode, rs in records.items()
        if mode != reference and reference in records
    ]
    profiles = [p for mode, rs in records.items() if (p := branch_profile(mode, rs))]
    parts = []
    if pairs:
        parts.append(paired_table(pairs, outcome=outcome))
    if profiles:
        parts.append(
            "Where the search branched (kind of the most likely alternative, completion step):\n\n"
            + branch_table(profiles)
        )
    return "\n".join(parts), {
        "paired": [p.to_dict() for p in pairs],
        "branching": [p.to_dict() for p in profiles],
    }
