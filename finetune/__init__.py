"""Human-gated datasets: review episodes, export only what a person judged.

Owns the SFT, DPO and OpenAI export formats with their dataset cards; the
``episodes``, ``review`` and ``export`` commands are
``orchestrator.episode_commands`` (what they print,
``orchestrator.episode_rendering``). The code a model is trained to write
always comes from an episode a person approved; a rejected episode only ever
gives the rejected side of a preference pair, and a pending one nothing.

``export --format`` takes one of four values, one file each (``records``):

- ``sft``: ``{"prompt": [system, user], "completion": [assistant]}`` (TRL
  SFTTrainer, conversational prompt-completion: the loss falls on the code).
- ``openai``: ``{"messages": [system, user, assistant]}`` (OpenAI chat
  fine-tuning, within its constraints; TRL and Axolotl read it too, with the
  loss on every token).
- ``dpo``: ``{"prompt": [system, user], "chosen": [assistant], "rejected":
  [assistant]}`` (TRL DPOTrainer, conversational).
- ``openai-dpo``: OpenAI preference fine-tuning, ``{"input": {"messages":
  [...]}, "preferred_output": [...], "non_preferred_output": [...]}``.

The preference formats hold every pair ``pairs`` finds for one request: an
approved answer over a rejected episode of the same task, over an attempt of
its own run that failed a check it passes, and an attempt that passed the
examples over one that failed them. Each export writes ``NAME.card.md``
beside ``NAME.jsonl``; an export with no record writes neither.
"""
