"""Local decoding with llama.cpp: entropy-gated beam search over shared KV-cache sequences.

Owns the model file checks, the single adapter that imports ``llama_cpp``,
entropy measures, beams and their manager, KV checkpoints, the incremental
Python syntax tracker and the security-aware controller (SABS) used while
decoding.
"""
