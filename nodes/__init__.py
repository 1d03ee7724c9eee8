"""The graph's nodes, one module each: prepare, generate, static_test, verify, write_tests,
sample, reflect, approve, learn.

A node reads the run state (``nodes.state``) and the runtime context
(``nodes.context``) and returns a state update; the work itself lives in
``decoding``, ``analysis``, ``verify`` and ``memory``. The orchestrator builds the graph
from the nodes and these types; nothing here imports the orchestrator.
Generated code never runs on the host: the verify node runs it only in the
WebAssembly sandbox (``verify.sandbox``), which has no capabilities.
"""
