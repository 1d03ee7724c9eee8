"""The LangGraph state machine that runs bounded improvement cycles, and the CLI.

Owns the graph (generate -> static_test -> route -> reflect or learn), the
resources a run opens (model, store, checkpointer), run persistence for
resume, and the command-line interface. The run's state, its runtime context
and its progress view belong to ``nodes``, which the graph is built from.
"""
