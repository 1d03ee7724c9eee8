"""The episode store: every run logged to an embedded LanceDB table.

Owns the episode schema, offline embeddings, hybrid (vector + full-text)
search, retrieval of past solutions for prompts, and review status.
"""
