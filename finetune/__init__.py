"""Human-gated datasets: review episodes, export only approved ones.

Owns the SFT, DPO and OpenAI export formats with their dataset cards and
training configs, and the tables people review episodes in; the ``episodes``,
``review`` and ``export`` commands that use them are
``orchestrator.episode_commands``. Never exports an episode that a person
has not approved.

``export --format`` takes one of four values, one file each:

- ``sft``: ``{"messages": [system, user, assistant]}`` (TRL SFTTrainer, Axolotl).
- ``dpo``: ``{"prompt": [system, user], "chosen": [assistant], "rejected":
  [assistant]}`` (TRL DPOTrainer, conversational); chosen is the clean final
  code, rejected the latest earlier attempt with a finding at ERROR or above.
- ``openai``: OpenAI chat fine-tuning, ``{"messages": [...]}``.
- ``openai-dpo``: OpenAI preference fine-tuning, ``{"input": {"messages":
  [...]}, "preferred_output": [...], "non_preferred_output": [...]}``.

Each export writes ``NAME.card.md`` beside ``NAME.jsonl``.
"""
