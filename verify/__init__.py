"""Verification by running code where it can do nothing else: CPython on WASI under wasmtime.

``sandbox`` runs code and its tests with no files, network or processes, in
bounded fuel, memory and time, and returns a verdict; ``runtime`` installs and
locates the pinned CPython WASI build. The test extraction modules turn text
(a docstring's examples, a user's test file, a spec) into the checks it runs.
This package imports ``config`` only, and never ``analysis``: the static half
and the running half of the judgement meet in ``nodes``.
"""
