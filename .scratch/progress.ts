import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js"
const t = new StdioClientTransport({ command: process.execPath, args: ["--import", "tsx", "src/main.ts", "--kubeconfig", "/work/main/.cluster/kubeconfig"], stderr: "inherit" })
const c = new Client({ name: "x", version: "0" })
await c.connect(t)
for (let i = 0; i < 3; i++) {
  const seen: Array<unknown> = []
  const r = await c.callTool({ name: "namespaces_list", arguments: { contexts: ["*"] } }, CallToolResultSchema, { onprogress: (p) => seen.push(p) })
  console.log(JSON.stringify(seen), r.isError)
}
await c.close()
