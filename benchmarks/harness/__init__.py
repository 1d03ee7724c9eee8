"""Shared parts of the benchmarks: sandboxed execution, result cache, modes, reports."""
