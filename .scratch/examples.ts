import { AppsV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { makeFleet } from "../test/support/fleet.js"
const fleet = await makeFleet("/work/main/.cluster/kubeconfig")
const kc = (ctx: string) => { const k = new KubeConfig(); k.loadFromFile("/work/main/.cluster/kubeconfig"); k.setCurrentContext(ctx); return k }
const apps = { dev: kc("dev-cluster").makeApiClient(AppsV1Api), prod: kc("prod-cluster").makeApiClient(AppsV1Api) }
const core = { dev: kc("dev-cluster").makeApiClient(CoreV1Api), prod: kc("prod-cluster").makeApiClient(CoreV1Api) }
const ns = "shop"
const dep = (replicas: number, image: string) => ({ metadata: { name: "web", labels: { app: "web" } }, spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image }] } } } })
for (const [k, r, img] of [["dev", 2, "registry.example/shop/web:1.5"], ["prod", 3, "registry.example/shop/web:1.4"]] as const) {
  await core[k].createNamespace({ body: { metadata: { name: ns } } }).catch(() => undefined)
  await apps[k].createNamespacedDeployment({ namespace: ns, body: dep(r, img) }).catch(() => undefined)
}
await new Promise((r) => setTimeout(r, 4000))
const t = new StdioClientTransport({ command: process.execPath, args: ["--import", "tsx", "src/main.ts", "--kubeconfig", fleet.kubeconfig, "--config", "/tmp/ex.toml"], stderr: "ignore" })
const c = new Client({ name: "x", version: "0" })
await c.connect(t)
const show = async (name: string, args: Record<string, unknown>) => {
  const r = await c.callTool({ name, arguments: args })
  console.log(`\n##### ${name} ${JSON.stringify(args)}`)
  console.log((r.content as Array<{ text: string }>)[0]?.text)
  console.log("--- structured:", JSON.stringify(r.structuredContent).slice(0, 1500))
}
await show("clusters_overview", {})
await show("pods_list", { contexts: ["*"], namespace: ns })
await show("resources_compare", { contexts: ["dev-cluster", "prod-cluster"], group: "apps", version: "v1", kind: "Deployment", name: "web", namespace: ns })
await show("resources_get", { contexts: ["dev-cluster", "prod-cluster"], group: "apps", version: "v1", kind: "Deployment", name: "web", namespace: ns, output: "summary" })
await c.close()
await fleet.close()
