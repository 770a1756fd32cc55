/**
 * A fleet of twelve contexts over the test control plane's two API servers, for calls across many contexts:
 * the three contexts of the harness, aliases of the two clusters with other default namespaces, and two dead
 * ones — a black-holed address (a listener that accepts and never answers) and a refused port.
 */
import { KubeConfig } from "@kubernetes/client-node"
import { connect, createServer, type Server, type Socket } from "node:net"
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

/**
 * A TCP relay to 127.0.0.1:`port` that holds every chunk `oneWayMs` in each direction: the round trip of a
 * cluster across a network, for the TLS connection as it is (equal delays keep the byte order).
 */
const delayRelay = async (port: number, oneWayMs: number, sockets: Set<Socket>): Promise<Server> => {
  const relay = createServer((client) => {
    const upstream = connect(port, "127.0.0.1")
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on("close", () => sockets.delete(s))
      s.on("error", () => s.destroy())
    }
    const pipe = (from: Socket, to: Socket) => {
      from.on("data", (chunk) => setTimeout(() => to.write(chunk), oneWayMs))
      from.on("end", () => setTimeout(() => to.end(), oneWayMs))
    }
    pipe(client, upstream)
    pipe(upstream, client)
  })
  await new Promise<void>((ok) => relay.listen(0, "127.0.0.1", ok))
  return relay
}

const portOf = (server: Server): number => {
  const a = server.address()
  return typeof a === "object" && a !== null ? a.port : 0
}

export const BLACK_HOLE = "zz-dead-blackhole"
export const REFUSED = "zz-dead-refused"

export interface FleetOptions {
  /** Route the live clusters through relays that add this round trip (bench: clusters across a network). */
  readonly rttMs?: number
}

export const makeFleet = async (harnessKubeconfig: string, options: FleetOptions = {}): Promise<Fleet> => {
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
  const relays: Array<Server> = []
  const live = await Promise.all(kc.clusters.map(async (c) => {
    if (options.rttMs === undefined) return c
    const url = new URL(c.server)
    const relay = await delayRelay(Number(url.port), options.rttMs / 2, sockets)
    relays.push(relay)
    return { ...c, server: `https://127.0.0.1:${portOf(relay)}` }
  }))
  const clusters = [
    ...live,
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
        for (const r of relays) r.close()
        hole.close(() => ok())
      })
  }
}
