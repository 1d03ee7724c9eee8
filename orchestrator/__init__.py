"""The LangGraph state machine that runs bounded improvement cycles, and the CLI.

Owns the run's typed state, the graph (generate -> static_test -> route ->
reflect or learn), the runtime context that carries configuration to the
nodes, run persistence for resume, and the command-line interface.
"""
