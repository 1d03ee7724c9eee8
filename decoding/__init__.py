"""Local decoding with llama.cpp: entropy-gated beam search over shared KV-cache sequences.

Owns the model file checks, the single adapter that imports ``llama_cpp``,
entropy measures, beams and their manager, KV checkpoints and the
security-aware controller (SABS) used while decoding. The beams' syntax state
comes from ``analysis.syntax``.
"""
