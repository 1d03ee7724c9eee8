"""Human-gated datasets: review episodes, export only approved ones.

Owns the review workflow and the SFT, DPO and OpenAI export formats with
their dataset cards and training configs. Never exports an episode that a
person has not approved.
"""
