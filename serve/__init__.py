"""The loop as a local service: an HTTP app (OpenAI-compatible and native routers) and an
MCP server, both over one queue that owns the model.

``serve.app.create_app(settings, runner)`` builds the HTTP app and
``serve.mcp_server.create_mcp_server(settings, queue)`` the MCP server; the
runner that opens the loop is the orchestrator's (``orchestrator.serve_commands``),
so nothing here imports the orchestrator.
"""
