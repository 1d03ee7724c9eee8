"""The episode store: every run logged to an embedded LanceDB table.

Owns the episode schema, offline embeddings, hybrid (vector + full-text)
search, retrieval of past solutions for prompts, and review status.

- ``episode``: the ``Episode`` / ``Attempt`` values and the ``Outcome`` and
  ``ReviewStatus`` enums.
- ``schema``: the explicit Arrow schema (attempts and findings as nested
  ``list<struct>``, stats as JSON strings, a fixed-size float32 vector), its
  version and the embedder recorded in the table metadata.
- ``embedding``: ``GGUFEmbedder`` (the local model through llama.cpp) and
  ``HashingEmbedder`` (no model), both offline.
- ``store``: ``EpisodeStore``: idempotent add, get, list, hybrid search,
  review, retrieval of examples, optimisation and re-embedding.
"""
