/**
 * A fleet of twelve contexts over the test control plane's two API servers, for calls across many contexts:
 * the three contexts of the harness, aliases of the two clusters with other default namespaces, and two dead
 * ones — a black-holed address (a listener that accepts and never answers) and a refused port.
 */
import { KubeConfig } from "@kubernetes/client-node"
import { createServer, type Server, type Socket } from "node:net"
import { freePort } from "./net.js"
import { writeTemp } from "./mcp.js"

export interface Fleet {
  readonly kubeconfig: string
  /** Every context name, sorted. */
  readonly contexts: ReadonlyArray<string>
  /** The contexts that answer (all but the two dead ones). */
  readonly live: ReadonlyArray<string>
  readonly blackHole: string
  readonly refused: string
  readonly close: () => Promise<void>
}

/** Aliases: [name, cluster context of the harness, default namespace]. */
const ALIASES: ReadonlyArray<readonly [string, "dev-cluster" | "prod-cluster", string]> = [
  ["dev-team-a", "dev-cluster", "team-a"],
  ["dev-system", "dev-cluster", "kube-system"],
  ["edge-1", "dev-cluster", "default"],
  ["prod-production", "prod-cluster", "production"],
  ["prod-system", "prod-cluster", "kube-system"],
  ["staging-1", "prod-cluster", "default"],
  ["staging-2", "dev-cluster", "default"]
]

export const BLACK_HOLE = "zz-dead-blackhole"
export const REFUSED = "zz-dead-refused"

export const makeFleet = async (harnessKubeconfig: string): Promise<Fleet> => {
  const kc = new KubeConfig()
  kc.loadFromFile(harnessKubeconfig)
  // accepts TCP connections and never answers: the TLS handshake hangs until the request times out
  const sockets = new Set<Socket>()
  const hole: Server = createServer((s) => {
    sockets.add(s)
    s.on("close", () => sockets.delete(s))
  })
  await new Promise<void>((ok) => hole.listen(0, "127.0.0.1", ok))
  const address = hole.address()
  const holePort = typeof address === "object" && address !== null ? address.port : 0
  const refusedPort = await freePort()
  const base = (name: string) => {
    const c = kc.getContextObject(name)
    if (c === null) throw new Error(`the harness kubeconfig has no context ${name}`)
    return c
  }
  const devCluster = kc.getCluster(base("dev-cluster").cluster)
  if (devCluster === null) throw new Error("the harness kubeconfig has no dev cluster")
  const clusters = [
    ...kc.clusters,
    { ...devCluster, name: "black-hole", server: `https://127.0.0.1:${holePort}` },
    { ...devCluster, name: "refused", server: `https://127.0.0.1:${refusedPort}` }
  ]
  const contexts = [
    ...kc.contexts,
    ...ALIASES.map(([name, of, namespace]) => ({ ...base(of), name, namespace })),
    { ...base("dev-cluster"), name: BLACK_HOLE, cluster: "black-hole" },
    { ...base("dev-cluster"), name: REFUSED, cluster: "refused" }
  ]
  const fleet = new KubeConfig()
  fleet.loadFromOptions({ clusters, users: kc.users, contexts, currentContext: "dev-cluster" })
  const kubeconfig = writeTemp("fleet-kubeconfig.json", fleet.exportConfig())
  const names = contexts.map((c) => c.name).sort((a, b) => a.localeCompare(b))
  return {
    kubeconfig,
    contexts: names,
    live: names.filter((n) => n !== BLACK_HOLE && n !== REFUSED),
    blackHole: BLACK_HOLE,
    refused: REFUSED,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy()
        hole.close(() => ok())
      })
  }
}
