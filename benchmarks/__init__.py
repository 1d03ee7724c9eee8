"""Benchmarks, one module per question, each runnable as ``python -m benchmarks.NAME``.

Results go to ``benchmarks/results/`` and are summarised in BENCHMARKS.md.
"""
