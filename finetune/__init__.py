"""Human-gated datasets: review episodes, export only approved ones.

Owns the SFT, DPO and OpenAI export formats with their dataset cards and
training configs; the ``episodes``, ``review`` and ``export`` commands are
``orchestrator.episode_commands`` (what they print, ``orchestrator.episode_rendering``). Never exports an episode that a person
has not approved.

``export --format`` takes one of four values, one file each:

- ``sft``: ``{"messages": [system, user, assistant]}`` (TRL SFTTrainer, Axolotl).
- ``dpo``: ``{"prompt": [system, user], "chosen": [assistant], "rejected":
  [assistant]}`` (TRL DPOTrainer, conversational); chosen is the clean final
  code that failed none of its examples and tests, rejected the latest other
  attempt with a finding at ERROR or above or a failed example or test.
- ``openai``: OpenAI chat fine-tuning, ``{"messages": [...]}``.
- ``openai-dpo``: OpenAI preference fine-tuning, ``{"input": {"messages":
  [...]}, "preferred_output": [...], "non_preferred_output": [...]}``.

Each export writes ``NAME.card.md`` beside ``NAME.jsonl``.
"""
