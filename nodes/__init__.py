"""The graph's nodes, one module each: generate, static_test, reflect, learn.

A node reads the run state and the runtime context and returns a state
update; the work itself lives in ``decoding``, ``analysis`` and ``memory``.
Generated code is never executed by any node.
"""
