"""The graph's nodes, one module each: generate, static_test, reflect, approve, learn.

A node reads the run state (``nodes.state``) and the runtime context
(``nodes.context``) and returns a state update; the work itself lives in
``decoding``, ``analysis`` and ``memory``. The orchestrator builds the graph
from the nodes and these types; nothing here imports the orchestrator.
Generated code is never executed by any node.
"""
