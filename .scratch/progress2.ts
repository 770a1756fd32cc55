import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { makeFleet } from "../test/support/fleet.js"
const fleet = await makeFleet("/work/main/.cluster/kubeconfig")
const t = new StdioClientTransport({ command: process.execPath, args: ["--import", "tsx", "src/main.ts", "--kubeconfig", fleet.kubeconfig], stderr: "ignore" })
const c = new Client({ name: "x", version: "0" })
c.onerror = (e) => console.log("client error", e.message.slice(0, 200))
await c.connect(t)
let bad = 0
for (let i = 0; i < 40; i++) {
  const seen: Array<number> = []
  await c.callTool({ name: "namespaces_list", arguments: { contexts: ["dev-*", "prod-*", "edge-1"] } }, CallToolResultSchema, { onprogress: (p) => seen.push(p.progress) })
  if (seen.length !== 7) { bad++; console.log(i, JSON.stringify(seen)) }
}
console.log("bad", bad)
await c.close()
await fleet.close()
