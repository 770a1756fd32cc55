"""A third-party MCP client (the Python SDK, PyPI `mcp`) against kube-mcp: lists the tools and calls one.

    python python_client.py <mode> http <url>
    python python_client.py <mode> stdio <command> [args...]

<mode> is the SDK's negotiation: "legacy" (the 2025 initialize handshake) or "auto" (server/discover, then
2026-07-28). Prints one JSON line: the negotiated protocol version, the tool names and the call's result.
"""

import asyncio
import json
import os
import sys

from mcp import Client
from mcp.client.stdio import StdioServerParameters


async def main() -> None:
    mode, kind, *rest = sys.argv[1:]
    server = rest[0] if kind == "http" else StdioServerParameters(command=rest[0], args=rest[1:], env=dict(os.environ))
    async with Client(server, mode=mode) as client:
        tools = await client.list_tools()
        result = await client.call_tool("namespaces_list", {"context": "prod-cluster"})
        print(json.dumps({
            "protocol_version": client.protocol_version,
            "server": client.server_info.name if client.server_info else None,
            "tools": [t.name for t in tools.tools],
            "is_error": bool(result.is_error),
            "text": "\n".join(c.text for c in result.content if getattr(c, "type", None) == "text"),
            "structured": result.structured_content,
        }))


asyncio.run(main())
