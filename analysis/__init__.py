"""Static judgement of generated code, which is never executed.

Owns the common finding type, the ruff and pyright runners, the AST security
verifier (also used by SABS while decoding), the completeness checker and the
incremental syntax tracker (also what the beams' boundaries come from).
"""
