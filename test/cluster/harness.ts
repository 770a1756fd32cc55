// The real Kubernetes control plane behind every test (issue #2): one etcd, two kube-apiservers
// ("dev" = cluster A, "prod" = cluster B), controllers, and on dev a workload tier (kube-scheduler + kwok
// fake node, optional metrics-server). Plain async functions; all state lives under <repo>/.cluster/.
//
//   start()  -> reuse a healthy running plane or start one; writes .cluster/kubeconfig and state.json
//   stop()   -> kill exactly the processes recorded in state.json (by pid + start time)
//   status() -> what runs, ports, readiness
import { spawn } from "node:child_process"
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { request } from "node:https"
import { homedir } from "node:os"
import { dirname, isAbsolute, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import {
  ApiException,
  ApiregistrationV1Api,
  CoreV1Api,
  KubeConfig,
  Metrics,
  RbacAuthorizationV1Api,
  type V1APIService,
  type V1Node,
  type V1Role,
  type V1RoleBinding,
  type V1Service
} from "@kubernetes/client-node"
import { dexBinary, type OidcInfo, OIDC_CLIENT, writeAuthenticationConfig, writeDexConfig } from "./dex.js"
import { ensureCA, ensureLeaf, ensureSigningKey, type KeyPair } from "./pki.js"
import { freePorts, isRunning, pidExists, sleep, spawnLogged, tail, terminate, type ProcessRecord, type StopResult } from "./proc.js"

export type { ProcessRecord, StopResult } from "./proc.js"

// ---------------------------------------------------------------------------------------------------------
// Public types

export const K8S_VERSION = "1.37.2"
const HERE = dirname(fileURLToPath(import.meta.url))
/** Repository root: two directories above test/cluster. */
export const REPO_ROOT = resolve(HERE, "../..")
/** State directory: KUBE_MCP_CLUSTER_DIR or <repo>/.cluster. */
export const defaultStateDir = (): string => process.env.KUBE_MCP_CLUSTER_DIR ?? join(REPO_ROOT, ".cluster")
/** Binary cache: KUBE_MCP_K8S_BIN or ~/.cache/kube-mcp/k8s/v1.37.2/bin (filled by build.sh). */
export const defaultBinDir = (): string =>
  process.env.KUBE_MCP_K8S_BIN ?? join(homedir(), ".cache", "kube-mcp", "k8s", `v${K8S_VERSION}`, "bin")

export type ClusterKey = "dev" | "prod"
/** The kubeconfig's contexts, exactly these three. */
export type ContextName = "dev-cluster" | "prod-cluster" | "restricted"
export const CONTEXTS = { dev: "dev-cluster", prod: "prod-cluster", restricted: "restricted" } as const
/** User name of the restricted user (client certificate CN); its group is RESTRICTED_GROUP. */
export const RESTRICTED_USER = "restricted"
export const RESTRICTED_GROUP = "kube-mcp:restricted"
/** Namespace the restricted user may read (pods, services, configmaps, events; get/list/watch only). */
export const RESTRICTED_NAMESPACE = "team-a"

export interface ClusterEndpoint {
  /** Name of the cluster entry in the kubeconfig ("dev" / "prod"). */
  name: ClusterKey
  /** The admin context of this cluster. */
  context: ContextName
  /** https://127.0.0.1:<port> */
  server: string
  port: number
  /** PEM file of this cluster's CA: it signed the apiserver's serving cert and all client certs. */
  caFile: string
  /** --etcd-prefix; both clusters share one etcd. */
  etcdPrefix: string
  /** The namespace that exists only on this cluster: "team-a" on dev, "production" on prod. */
  namespace: string
}

export interface WorkloadInfo {
  /**
   * The kwok fake node on dev-cluster (pods of any Deployment land there; it has no taints).
   * Everything in WorkloadInfo assumes the workload tier; start({ workload: false }) creates no node.
   */
  kwokNode: string
  /** Exactly what reading any pod's log on dev-cluster returns (kwok ClusterLogs). */
  logText: string
  /** What reading with previous=true returns. */
  previousLogText: string
  /** Working directory of commands run by `pods/exec` (kwok ClusterExec runs them on this host). */
  execWorkDir: string
  /**
   * metrics.k8s.io is registered on dev-cluster (metrics-server scraping kwok). Samples need ~10-25 s after
   * a pod starts; use waitForMetrics(). prod-cluster never serves metrics.k8s.io.
   */
  metrics: boolean
}

/** What tests get from `inject("cluster")`. Plain JSON. */
export interface ClusterInfo {
  /** Absolute path of the kubeconfig with contexts dev-cluster, prod-cluster, restricted. */
  kubeconfig: string
  stateDir: string
  binDir: string
  etcd: { endpoint: string }
  clusters: { dev: ClusterEndpoint; prod: ClusterEndpoint }
  workload: WorkloadInfo
  /**
   * Dex, the OpenID Connect provider dev's API server trusts (test/cluster/dex.ts); absent when its binary is
   * not built (test/cluster/build-dex.sh).
   */
  oidc?: OidcInfo
  /** Every process of this control plane. */
  pids: number[]
}

export interface Owner {
  /** Who started the plane: `npm run cluster:up`, the vitest global setup, or a test. */
  kind: "cli" | "vitest" | "test"
  pid: number
}

/** Shape of <stateDir>/state.json. */
export interface StateFile {
  version: 1
  owner: Owner
  createdAt: string
  /** False while starting; true once everything answered. */
  ready: boolean
  processes: ProcessRecord[]
  info?: ClusterInfo
  readyAfterMs?: number
}

export interface StartOptions {
  stateDir?: string
  binDir?: string
  owner?: Owner["kind"]
  /** Start controllers/scheduler/kwok/metrics-server (default true). false = etcd + two apiservers only. */
  workload?: boolean
  /** Run build.sh when binaries are missing (default true). */
  build?: boolean
  /** Progress lines (default: stderr). */
  log?: (line: string) => void
}

export interface StartResult {
  info: ClusterInfo
  /** True when an already running, healthy plane was reused. */
  reused: boolean
  /** Owner recorded in state.json now (the earlier owner when reused from a live one). */
  owner: Owner
  /**
   * True when this call is responsible for stopping the plane: it started it, or it reused one whose owner
   * was an earlier vitest run that no longer exists (an orphan; ownership moves to this process).
   */
  owned: boolean
  elapsedMs: number
}

// ---------------------------------------------------------------------------------------------------------
// Layout

const KWOK_NODE = "kwok-node-0"
const SA_ISSUER = "https://kubernetes.default.svc.cluster.local"
const REQUIRED_BINARIES = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const

interface Paths {
  stateDir: string
  state: string
  lock: string
  kubeconfig: string
  logs: string
  etcdData: string
  pki: string
  kwok: string
}

const paths = (stateDir: string): Paths => ({
  stateDir,
  state: join(stateDir, "state.json"),
  lock: join(stateDir, "lock"),
  kubeconfig: join(stateDir, "kubeconfig"),
  logs: join(stateDir, "logs"),
  etcdData: join(stateDir, "etcd"),
  pki: join(stateDir, "pki"),
  kwok: join(stateDir, "kwok")
})

// Log lines in the CRI format that kwok's log reader (k8s.io/cri-client logs) parses: "<time> <stream> F <msg>".
// The messages carry their own timestamps too, like typical application logs, for grep/filter tests.
const LOG_LINES = [
  "2026-01-15T10:00:00.000Z INFO starting demo-app version=1.4.2",
  "2026-01-15T10:00:01.250Z INFO listening on :8080",
  "2026-01-15T10:00:05.000Z WARN slow request path=/api/orders duration=1.8s",
  '2026-01-15T10:00:07.500Z ERROR failed to connect to database host=db.internal:5432 err="connection refused"',
  "2026-01-15T10:00:08.000Z INFO retrying database connection attempt=2",
  "2026-01-15T10:00:09.000Z INFO database connection established",
  '2026-01-15T10:00:12.000Z ERROR failed to process order id=1042 err="timeout"',
  "2026-01-15T10:00:15.000Z INFO health check ok"
] as const
const PREVIOUS_LOG_LINES = [
  "2026-01-15T09:58:00.000Z INFO starting demo-app version=1.4.1",
  "2026-01-15T09:59:59.000Z FATAL out of memory, exiting"
] as const
// Each message starts with a millisecond timestamp ("2026-01-15T10:00:00.000Z"); the CRI time is the same
// instant in RFC 3339 with nanoseconds.
const criLog = (lines: readonly string[]): string => lines.map((l) => `${l.slice(0, 23)}000000Z stdout F ${l}`).join("\n") + "\n"

// ---------------------------------------------------------------------------------------------------------
// State file

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null

const isProcessRecord = (x: unknown): x is ProcessRecord =>
  isRecord(x) &&
  typeof x.name === "string" &&
  typeof x.pid === "number" &&
  typeof x.startTime === "string" &&
  typeof x.log === "string" &&
  typeof x.tier === "number"

const isStateFile = (x: unknown): x is StateFile =>
  isRecord(x) &&
  x.version === 1 &&
  isRecord(x.owner) &&
  typeof x.ready === "boolean" &&
  Array.isArray(x.processes) &&
  x.processes.every(isProcessRecord)

/** The parsed state.json of `stateDir`, or undefined when absent or unreadable. */
export const readState = (stateDir = defaultStateDir()): StateFile | undefined => {
  const file = paths(stateDir).state
  if (!existsSync(file)) return undefined
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"))
    return isStateFile(parsed) ? parsed : undefined
  } catch {
    return undefined
  }
}

/**
 * Appends to <stateDir>/events.log who started, reused or stopped the plane (pid + command line): the
 * state dir is shared by `cluster:up`, every test run and anyone's scripts, so "who stopped it?" must be
 * answerable afterwards.
 */
const event = (stateDir: string, what: string): void => {
  try {
    mkdirSync(stateDir, { recursive: true })
    appendFileSync(join(stateDir, "events.log"), `${new Date().toISOString()} pid=${process.pid} [${process.argv.slice(1).join(" ")}] ${what}\n`)
  } catch {
    // Diagnostics only.
  }
}

const writeState = (stateDir: string, state: StateFile): void => {
  const file = paths(stateDir).state
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + "\n")
  // rename is atomic: a concurrent reader (status) never sees half a file.
  renameSync(`${file}.tmp`, file)
}

/**
 * Serializes start/stop on one state dir (a `cluster:up` and a test run may race). The lock file holds the
 * holder's pid; a lock whose holder is gone is stale and taken over.
 */
const withLock = async <T>(stateDir: string, fn: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> => {
  const lock = paths(stateDir).lock
  mkdirSync(stateDir, { recursive: true })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const fd = openSync(lock, "wx")
      writeFileSync(fd, String(process.pid))
      closeSync(fd)
      break
    } catch (e) {
      if (!(e instanceof Error && "code" in e && e.code === "EEXIST")) throw e
      const holder = Number(readFileSync(lock, "utf8").trim())
      if (!Number.isInteger(holder) || holder <= 0 || !pidExists(holder) || holder === process.pid) {
        rmSync(lock, { force: true })
        continue
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (held by pid ${holder})`)
      await sleep(250)
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(lock, { force: true })
  }
}

// ---------------------------------------------------------------------------------------------------------
// Binaries

/** Ensures the required binaries exist in binDir, running build.sh (output to stderr) when some are missing. */
export const ensureBinaries = async (binDir = defaultBinDir(), build = true, log: (l: string) => void = logStderr): Promise<string> => {
  const missing = (): string[] => REQUIRED_BINARIES.filter((b) => !existsSync(join(binDir, b)))
  if (missing().length === 0) return binDir
  if (!build) throw new Error(`missing binaries in ${binDir}: ${missing().join(", ")}; run \`npm run cluster:build\``)
  log(`binaries missing in ${binDir} (${missing().join(", ")}); running test/cluster/build.sh (first build takes minutes)`)
  const code = await new Promise<number | null>((res, rej) => {
    const child = spawn("bash", [join(HERE, "build.sh")], {
      stdio: ["ignore", 2, 2],
      env: { ...process.env, KUBE_MCP_K8S_BIN: binDir }
    })
    child.once("error", rej)
    child.once("exit", res)
  })
  if (code !== 0 || missing().length > 0) {
    throw new Error(`test/cluster/build.sh exited with ${String(code)}; still missing: ${missing().join(", ") || "none"}`)
  }
  return binDir
}

// ---------------------------------------------------------------------------------------------------------
// Readiness probes

interface TlsClient {
  ca: string
  /** Client certificate and key; absent for servers that need none (Dex). */
  cert?: string
  key?: string
}

/** GET with a short timeout. HTTPS with our CA + client cert, or (tls undefined) without verification. */
const httpGet = (url: string, tls: TlsClient | undefined, timeoutMs = 2_000): Promise<{ status: number; body: string }> => {
  if (url.startsWith("http:")) {
    // Plain HTTP (etcd's /health): fetch is enough.
    return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(async (r) => ({ status: r.status, body: await r.text() }))
  }
  return new Promise((res, rej) => {
    const opts = tls === undefined ? { timeout: timeoutMs, rejectUnauthorized: false } : { timeout: timeoutMs, ...tls }
    const req = request(url, opts, (r) => {
      let body = ""
      r.setEncoding("utf8")
      r.on("data", (c: string) => (body += c))
      r.on("end", () => res({ status: r.statusCode ?? 0, body }))
    })
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)))
    req.on("error", rej)
    req.end()
  })
}

/**
 * Polls `probe` until it returns true. Fails early when one of `procs` exits, and on timeout, with the
 * last error and the tail of each process log (plus its path) in the message.
 */
const waitFor = async (what: string, probe: () => Promise<boolean>, procs: ProcessRecord[], timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  let lastError = ""
  for (;;) {
    try {
      if (await probe()) return
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e)
    }
    const dead = procs.find((p) => !isRunning(p))
    if (dead !== undefined) {
      throw new Error(`${what}: ${dead.name} (pid ${dead.pid}) exited; log ${dead.log}:\n${tail(dead.log)}`)
    }
    if (Date.now() > deadline) {
      const logs = procs.map((p) => `--- ${p.name} log ${p.log}:\n${tail(p.log, 15)}`).join("\n")
      throw new Error(`${what}: not ready after ${timeoutMs / 1000} s${lastError ? ` (last error: ${lastError})` : ""}\n${logs}`)
    }
    await sleep(200)
  }
}

const readyz = async (server: string, tls: TlsClient): Promise<boolean> => (await httpGet(`${server}/readyz`, tls)).status === 200

// ---------------------------------------------------------------------------------------------------------
// Kubeconfig files

interface KubeconfigCluster {
  name: string
  server: string
  ca: string
}
interface KubeconfigUser {
  name: string
  cert: string
  key: string
}
interface KubeconfigContext {
  name: string
  cluster: string
  user: string
  namespace: string
}

/**
 * Writes a kubeconfig. `embed` inlines certificates as *-data (self-contained file for users and tests);
 * otherwise file paths are referenced (component kubeconfigs). Values are JSON-quoted, which is valid YAML.
 */
const writeKubeconfig = (
  file: string,
  clusters: KubeconfigCluster[],
  users: KubeconfigUser[],
  contexts: KubeconfigContext[],
  current: string,
  embed: boolean
): void => {
  const q = (s: string) => JSON.stringify(s)
  const b64 = (f: string) => readFileSync(f).toString("base64")
  const lines = ["apiVersion: v1", "kind: Config", "preferences: {}", `current-context: ${q(current)}`, "clusters:"]
  for (const c of clusters) {
    lines.push(`- name: ${q(c.name)}`, "  cluster:", `    server: ${q(c.server)}`)
    lines.push(embed ? `    certificate-authority-data: ${q(b64(c.ca))}` : `    certificate-authority: ${q(c.ca)}`)
  }
  lines.push("contexts:")
  for (const c of contexts) {
    lines.push(`- name: ${q(c.name)}`, "  context:", `    cluster: ${q(c.cluster)}`, `    user: ${q(c.user)}`, `    namespace: ${q(c.namespace)}`)
  }
  lines.push("users:")
  for (const u of users) {
    lines.push(`- name: ${q(u.name)}`, "  user:")
    if (embed) lines.push(`    client-certificate-data: ${q(b64(u.cert))}`, `    client-key-data: ${q(b64(u.key))}`)
    else lines.push(`    client-certificate: ${q(u.cert)}`, `    client-key: ${q(u.key)}`)
  }
  writeFileSync(file, lines.join("\n") + "\n", { mode: 0o600 })
}

// ---------------------------------------------------------------------------------------------------------
// PKI

interface ClusterPki {
  ca: KeyPair
  apiserver: KeyPair
  admin: KeyPair
  sa: { key: string; pub: string }
}
interface Pki {
  dev: ClusterPki & { restricted: KeyPair; kwok: KeyPair; metricsServer: KeyPair }
  prod: ClusterPki
  frontProxyCa: KeyPair
  frontProxyClient: KeyPair
}

const SERVING_SANS = ["IP:127.0.0.1", "DNS:localhost"]

const clusterPki = async (dir: string, key: ClusterKey): Promise<ClusterPki> => {
  // One CA per cluster, so the two clusters do not accept each other's credentials.
  const ca = await ensureCA(dir, "ca", `kube-mcp-${key}-ca`)
  const [apiserver, admin, sa] = await Promise.all([
    ensureLeaf(ca, dir, "apiserver", {
      cn: "kube-apiserver",
      usage: "server",
      sans: [...SERVING_SANS, "DNS:kubernetes", "DNS:kubernetes.default", "DNS:kubernetes.default.svc", "IP:10.96.0.1"]
    }),
    ensureLeaf(ca, dir, "admin", { cn: "kube-mcp-admin", orgs: ["system:masters"], usage: "client" }),
    ensureSigningKey(dir, "sa")
  ])
  return { ca, apiserver, admin, sa }
}

const ensurePki = async (pkiDir: string): Promise<Pki> => {
  const [dev, prod, frontProxyCa] = await Promise.all([
    clusterPki(join(pkiDir, "dev"), "dev"),
    clusterPki(join(pkiDir, "prod"), "prod"),
    ensureCA(pkiDir, "front-proxy-ca", "kube-mcp-front-proxy-ca")
  ])
  const devDir = join(pkiDir, "dev")
  const [restricted, kwok, metricsServer, frontProxyClient] = await Promise.all([
    ensureLeaf(dev.ca, devDir, "restricted", { cn: RESTRICTED_USER, orgs: [RESTRICTED_GROUP], usage: "client" }),
    ensureLeaf(dev.ca, devDir, "kwok", { cn: "kwok", usage: "server", sans: SERVING_SANS }),
    // The aggregator dials the APIService's service with TLS server name <service>.<namespace>.svc.
    ensureLeaf(dev.ca, devDir, "metrics-server", {
      cn: "metrics-server",
      usage: "server",
      sans: [...SERVING_SANS, "DNS:metrics-server.kube-system.svc"]
    }),
    ensureLeaf(frontProxyCa, pkiDir, "front-proxy-client", { cn: "front-proxy-client", usage: "client" })
  ])
  return { dev: { ...dev, restricted, kwok, metricsServer }, prod, frontProxyCa, frontProxyClient }
}

// ---------------------------------------------------------------------------------------------------------
// Process launch helpers

/** Distinct free ports, one per name. */
const namedPorts = async <K extends string>(names: readonly K[]): Promise<Record<K, number>> => {
  const free = await freePorts(names.length)
  const out: Partial<Record<K, number>> = {}
  names.forEach((n, i) => (out[n] = free[i]))
  const complete = (o: Partial<Record<K, number>>): o is Record<K, number> => names.every((n) => o[n] !== undefined)
  if (!complete(out)) throw new Error("could not allocate ports")
  return out
}

const logStderr = (line: string): void => {
  process.stderr.write(`[cluster] ${line}\n`)
}

class Launcher {
  readonly records: ProcessRecord[] = []
  constructor(
    private readonly stateDir: string,
    private readonly state: StateFile,
    private readonly bin: string,
    private readonly logDir: string
  ) {}

  /**
   * Spawns and immediately records the process in state.json, so even a failed start can be stopped.
   * Tier: 0 etcd, 1 apiservers, 2 their clients (stop goes 2, 1, 0).
   */
  async run(name: string, binary: string, args: string[], tier: number): Promise<ProcessRecord> {
    const rec = await spawnLogged(name, isAbsolute(binary) ? binary : join(this.bin, binary), args, join(this.logDir, `${name}.log`), tier)
    this.records.push(rec)
    this.state.processes.push(rec)
    writeState(this.stateDir, this.state)
    return rec
  }
}

// ---------------------------------------------------------------------------------------------------------
// Kubernetes API helpers (as admin)

/** A KubeConfig for one context of `info.kubeconfig`. */
export const kubeConfigFor = (info: Pick<ClusterInfo, "kubeconfig">, context: ContextName): KubeConfig => {
  const kc = new KubeConfig()
  kc.loadFromFile(info.kubeconfig)
  kc.setCurrentContext(context)
  return kc
}

/** The admin (system:masters) KubeConfig of cluster "dev" or "prod", or of a context by name. */
export const adminKubeConfig = (info: Pick<ClusterInfo, "kubeconfig">, cluster: ClusterKey | "dev-cluster" | "prod-cluster"): KubeConfig =>
  kubeConfigFor(info, cluster === "dev" || cluster === "dev-cluster" ? CONTEXTS.dev : CONTEXTS.prod)

/** HTTP status of a failed client-node call (ApiException.code), or undefined for other errors. */
export const statusOf = (e: unknown): number | undefined => (e instanceof ApiException ? e.code : undefined)

/** Runs a create call; an AlreadyExists (409) answer counts as success (bootstrap must be idempotent). */
const createIgnoringConflict = async (fn: () => Promise<unknown>): Promise<void> => {
  try {
    await fn()
  } catch (e) {
    if (statusOf(e) !== 409) throw e
  }
}

const bootstrapDev = async (kc: KubeConfig, workload: { metrics: { port: number; caPem: string } | undefined } | undefined): Promise<void> => {
  const core = kc.makeApiClient(CoreV1Api)
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api)
  await createIgnoringConflict(() => core.createNamespace({ body: { metadata: { name: RESTRICTED_NAMESPACE } } }))
  const role: V1Role = {
    metadata: { name: "team-a-reader", namespace: RESTRICTED_NAMESPACE },
    rules: [
      { apiGroups: [""], resources: ["pods", "services", "configmaps", "events"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["get", "list", "watch"] }
    ]
  }
  const binding: V1RoleBinding = {
    metadata: { name: "team-a-reader", namespace: RESTRICTED_NAMESPACE },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "team-a-reader" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: RESTRICTED_USER }]
  }
  await createIgnoringConflict(() => rbac.createNamespacedRole({ namespace: RESTRICTED_NAMESPACE, body: role }))
  await createIgnoringConflict(() => rbac.createNamespacedRoleBinding({ namespace: RESTRICTED_NAMESPACE, body: binding }))
  if (workload === undefined) return

  // The fake node follows kwok's conventions (kwokctl's node template): annotation kwok.x-k8s.io/node=fake
  // (kwok manages nodes matching it), type=kwok label, metrics path annotation for metrics-server.
  // Deliberately NOT tainted (kwokctl's optional kwok.x-k8s.io/node:NoSchedule): it is the only node and no
  // real kubelet exists, so any Deployment a test creates should land here without tolerations.
  // Nodes accept status on create (kubelets register that way); kwok's node-initialize stage keeps it.
  const node: V1Node = {
    metadata: {
      name: KWOK_NODE,
      annotations: {
        "kwok.x-k8s.io/node": "fake",
        "node.alpha.kubernetes.io/ttl": "0",
        "metrics.k8s.io/resource-metrics-path": `/metrics/nodes/${KWOK_NODE}/metrics/resource`
      },
      labels: {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": KWOK_NODE,
        "kubernetes.io/role": "agent",
        "node-role.kubernetes.io/agent": "",
        type: "kwok"
      }
    },
    // /20 = 4096 pod IPs (kwok assigns pod IPs from the node's podCIDR; its own default /24 caps at 254).
    spec: { podCIDR: "10.244.0.0/20", podCIDRs: ["10.244.0.0/20"] },
    status: {
      allocatable: { cpu: "32", memory: "256Gi", pods: "1000", "ephemeral-storage": "1Ti" },
      capacity: { cpu: "32", memory: "256Gi", pods: "1000", "ephemeral-storage": "1Ti" },
      nodeInfo: KWOK_NODE_INFO
    }
  }
  await createIgnoringConflict(() => core.createNode({ body: node }))

  const metrics = workload.metrics
  if (metrics !== undefined) {
    // The aggregator resolves an ExternalName service to <externalName>:<APIService port>; metrics-server
    // runs on this host, so "localhost" (kwokctl's trick for its binary runtime).
    const svc: V1Service = {
      metadata: { name: "metrics-server", namespace: "kube-system", labels: { "k8s-app": "metrics-server" } },
      spec: { type: "ExternalName", externalName: "localhost", ports: [{ name: "https", port: metrics.port, protocol: "TCP" }] }
    }
    await createIgnoringConflict(() => core.createNamespacedService({ namespace: "kube-system", body: svc }))
    const apiService: V1APIService = {
      metadata: { name: "v1beta1.metrics.k8s.io", labels: { "k8s-app": "metrics-server" } },
      spec: {
        group: "metrics.k8s.io",
        version: "v1beta1",
        groupPriorityMinimum: 100,
        versionPriority: 100,
        caBundle: Buffer.from(metrics.caPem).toString("base64"),
        service: { name: "metrics-server", namespace: "kube-system", port: metrics.port }
      }
    }
    await createIgnoringConflict(() => kc.makeApiClient(ApiregistrationV1Api).createAPIService({ body: apiService }))
  }
}

const nodeReady = async (kc: KubeConfig, name: string): Promise<boolean> => {
  const node = await kc.makeApiClient(CoreV1Api).readNode({ name })
  return (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
}

/** The ServiceAccount controller (kube-controller-manager) created "default" in every namespace listed. */
const defaultServiceAccounts = async (kc: KubeConfig, namespaces: string[]): Promise<boolean> => {
  const core = kc.makeApiClient(CoreV1Api)
  for (const namespace of namespaces) {
    try {
      await core.readNamespacedServiceAccount({ name: "default", namespace })
    } catch (e) {
      if (statusOf(e) === 404) return false
      throw e
    }
  }
  return true
}

// ---------------------------------------------------------------------------------------------------------
// start / stop / status

const healthy = async (state: StateFile): Promise<boolean> => {
  const info = state.info
  if (!state.ready || info === undefined || state.processes.length === 0) return false
  if (!state.processes.every(isRunning)) return false
  for (const c of [info.clusters.dev, info.clusters.prod]) {
    const pki = join(info.stateDir, "pki", c.name)
    const tls = { ca: readFileSync(c.caFile, "utf8"), cert: readFileSync(join(pki, "admin.crt"), "utf8"), key: readFileSync(join(pki, "admin.key"), "utf8") }
    try {
      if (!(await readyz(c.server, tls))) return false
    } catch {
      return false
    }
  }
  return true
}

/**
 * Starts the control plane, or reuses a healthy one recorded in `<stateDir>/state.json`. On failure every
 * process started so far is stopped and the error names the failing component and its log file.
 */
export const start = async (opts: StartOptions = {}): Promise<StartResult> => {
  const t0 = Date.now()
  const stateDir = resolve(opts.stateDir ?? defaultStateDir())
  const log = opts.log ?? logStderr
  const workload = opts.workload ?? true
  return withLock(stateDir, async () => {
    const existing = readState(stateDir)
    if (existing !== undefined && existing.info !== undefined && (await healthy(existing))) {
      log(`reusing running control plane (${existing.owner.kind} pid ${existing.owner.pid}) from ${stateDir}`)
      const orphan = existing.owner.kind === "vitest" && existing.owner.pid !== process.pid && !pidExists(existing.owner.pid)
      event(stateDir, `reused plane of ${existing.owner.kind} pid ${existing.owner.pid}${orphan && opts.owner === "vitest" ? " (adopted orphan)" : ""}`)
      if (orphan && opts.owner === "vitest") {
        existing.owner = { kind: "vitest", pid: process.pid }
        writeState(stateDir, existing)
      }
      return { info: existing.info, reused: true, owner: existing.owner, owned: orphan && opts.owner === "vitest", elapsedMs: Date.now() - t0 }
    }
    if (existing !== undefined && existing.processes.length > 0) {
      // Leftovers of a crashed or half-started run: stop exactly those before starting fresh.
      const r = await terminate(existing.processes)
      log(`stopped stale processes ${r.stopped.join(", ") || "(none running)"}`)
      event(stateDir, `stopped stale processes of ${existing.owner.kind} pid ${existing.owner.pid}: ${r.stopped.join(",") || "none running"}`)
    }
    const binDir = await ensureBinaries(opts.binDir ?? defaultBinDir(), opts.build ?? true, log)
    const owner: Owner = { kind: opts.owner ?? "test", pid: process.pid }
    const p = paths(stateDir)
    // Ports are picked free, then bound by the children a moment later; another process can grab one in
    // between. That (and only that) is worth one more attempt.
    for (let attempt = 1; ; attempt++) {
      const state: StateFile = { version: 1, owner, createdAt: new Date().toISOString(), ready: false, processes: [] }
      // Fresh data every start: tests rely on a clean cluster; certificates are kept (fast restarts).
      rmSync(p.etcdData, { recursive: true, force: true })
      rmSync(p.logs, { recursive: true, force: true })
      rmSync(p.kubeconfig, { force: true })
      for (const d of [p.logs, p.kwok, p.pki]) mkdirSync(d, { recursive: true })
      writeState(stateDir, state)
      const launcher = new Launcher(stateDir, state, binDir, p.logs)
      try {
        const info = await bringUp(p, binDir, launcher, workload, log)
        state.ready = true
        state.info = info
        state.readyAfterMs = Date.now() - t0
        writeState(stateDir, state)
        event(stateDir, `started (${owner.kind}) in ${state.readyAfterMs} ms: pids ${info.pids.join(",")}`)
        return { info, reused: false, owner, owned: true, elapsedMs: Date.now() - t0 }
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e)
        log(`start failed; stopping the ${launcher.records.length} processes started so far (logs stay in ${p.logs})`)
        const stopped = await terminate(launcher.records)
        event(stateDir, `start failed (attempt ${attempt}): ${message.split("\n")[0]}; stopped pids ${stopped.stopped.join(",") || "-"}; survivors ${stopped.survivors.join(",") || "-"}`)
        rmSync(p.state, { force: true })
        if (attempt >= 2 || !/address already in use/i.test(message)) throw e
        log("a port was taken meanwhile; retrying with new ports")
      }
    }
  })
}

const bringUp = async (p: Paths, binDir: string, launcher: Launcher, workload: boolean, log: (l: string) => void): Promise<ClusterInfo> => {
  const t0 = Date.now()
  const step = (msg: string) => log(`${msg} (+${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  const pki = await ensurePki(p.pki)
  step("certificates ready")
  const ports = await namedPorts(["etcdClient", "etcdPeer", "dev", "prod", "kwok", "metricsServer", "devKcm", "prodKcm", "scheduler", "dex"] as const)
  const metrics = workload && existsSync(join(binDir, "metrics-server"))

  // --- etcd: one for both clusters (separate --etcd-prefix) ---------------------------------------------
  const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`
  const etcd = await launcher.run("etcd", "etcd", [
    "--name=kube-mcp",
    `--data-dir=${p.etcdData}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-cluster=kube-mcp=http://127.0.0.1:${ports.etcdPeer}`,
    // Test data is disposable; skipping fsync makes every write cheap.
    "--unsafe-no-fsync=true",
    "--auto-compaction-retention=1",
    "--quota-backend-bytes=8589934592",
    "--log-level=warn"
  ], 0)
  await waitFor("etcd", async () => (await httpGet(`${etcdUrl}/health`, undefined)).body.includes('"health":"true"'), [etcd], 20_000)
  step(`etcd ready on ${etcdUrl}`)

  // --- Dex (OIDC), before dev's apiserver, which trusts it ---------------------------------------------
  // part of the workload tier (the API tier stays etcd + two apiservers)
  const dex = workload ? dexBinary() : undefined
  let oidc: OidcInfo | undefined
  let authenticationConfig: string | undefined
  if (dex === undefined) {
    if (workload) log("Dex binary not built (test/cluster/build-dex.sh): no OIDC issuer, identity tests will skip")
  } else {
    const oidcDir = join(p.pki, "oidc")
    const oidcCa = await ensureCA(oidcDir, "ca", "kube-mcp-oidc-ca")
    const serving = await ensureLeaf(oidcCa, oidcDir, "dex", { cn: "dex", usage: "server", sans: SERVING_SANS })
    const issuer = `https://127.0.0.1:${ports.dex}/dex`
    const dexConfig = join(p.stateDir, "dex.json")
    writeDexConfig(dexConfig, { issuer, port: ports.dex, cert: serving.cert, key: serving.key })
    const dexProc = await launcher.run("dex", dex, ["serve", dexConfig], 1)
    const caPem = readFileSync(oidcCa.cert, "utf8")
    await waitFor("dex discovery", async () => (await httpGet(`${issuer}/.well-known/openid-configuration`, { ca: caPem })).status === 200, [dexProc], 30_000)
    authenticationConfig = join(p.stateDir, "authentication-config.json")
    writeAuthenticationConfig(authenticationConfig, { issuer, caPem })
    oidc = { issuer, caFile: oidcCa.cert, clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret }
    step(`dex ready on ${issuer}`)
  }

  // --- two apiservers, in parallel --------------------------------------------------------------------
  const endpoint = (key: ClusterKey, port: number, ns: string): ClusterEndpoint => ({
    name: key,
    context: key === "dev" ? CONTEXTS.dev : CONTEXTS.prod,
    server: `https://127.0.0.1:${port}`,
    port,
    caFile: pki[key].ca.cert,
    etcdPrefix: `/kube-mcp/${key}`,
    namespace: ns
  })
  const dev = endpoint("dev", ports.dev, RESTRICTED_NAMESPACE)
  const prod = endpoint("prod", ports.prod, "production")
  const apiserverArgs = (c: ClusterEndpoint, cp: ClusterPki): string[] => [
    `--etcd-servers=${etcdUrl}`,
    `--etcd-prefix=${c.etcdPrefix}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${c.port}`,
    // No lease-based endpoint reconciliation: it would publish (and validate) an advertise address.
    "--endpoint-reconciler-type=none",
    `--cert-dir=${join(p.stateDir, "apiserver-certs", c.name)}`,
    `--tls-cert-file=${cp.apiserver.cert}`,
    `--tls-private-key-file=${cp.apiserver.key}`,
    `--client-ca-file=${cp.ca.cert}`,
    "--authorization-mode=RBAC",
    "--allow-privileged=true",
    "--service-cluster-ip-range=10.96.0.0/16",
    `--service-account-issuer=${SA_ISSUER}`,
    `--service-account-key-file=${cp.sa.pub}`,
    `--service-account-signing-key-file=${cp.sa.key}`,
    // kwok publishes InternalIP 127.0.0.1 for its node; that is where logs/exec are proxied to.
    "--kubelet-preferred-address-types=InternalIP,Hostname",
    // Aggregation layer (metrics.k8s.io on dev): the apiserver proxies as front-proxy-client.
    `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
    "--requestheader-allowed-names=front-proxy-client",
    "--requestheader-username-headers=X-Remote-User",
    "--requestheader-group-headers=X-Remote-Group",
    "--requestheader-extra-headers-prefix=X-Remote-Extra-",
    `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
    `--proxy-client-key-file=${pki.frontProxyClient.key}`,
    ...(workload ? [] : ["--disable-admission-plugins=ServiceAccount"]),
    ...(c.name === "dev" && authenticationConfig !== undefined ? [`--authentication-config=${authenticationConfig}`] : [])
  ]
  const [devApi, prodApi] = await Promise.all([
    launcher.run("dev-apiserver", "kube-apiserver", apiserverArgs(dev, pki.dev), 1),
    launcher.run("prod-apiserver", "kube-apiserver", apiserverArgs(prod, pki.prod), 1)
  ])
  const adminTls = (cp: ClusterPki): TlsClient => ({
    ca: readFileSync(cp.ca.cert, "utf8"),
    cert: readFileSync(cp.admin.cert, "utf8"),
    key: readFileSync(cp.admin.key, "utf8")
  })
  await Promise.all([
    waitFor("dev kube-apiserver /readyz", () => readyz(dev.server, adminTls(pki.dev)), [etcd, devApi], 90_000),
    waitFor("prod kube-apiserver /readyz", () => readyz(prod.server, adminTls(pki.prod)), [etcd, prodApi], 90_000)
  ])
  step(`apiservers ready: dev ${dev.server}, prod ${prod.server}`)

  // --- kubeconfigs ------------------------------------------------------------------------------------
  const clusters = [
    { name: "dev", server: dev.server, ca: pki.dev.ca.cert },
    { name: "prod", server: prod.server, ca: pki.prod.ca.cert }
  ]
  writeKubeconfig(
    p.kubeconfig,
    clusters,
    [
      { name: "dev-admin", ...pki.dev.admin },
      { name: "prod-admin", ...pki.prod.admin },
      { name: RESTRICTED_USER, ...pki.dev.restricted }
    ],
    [
      { name: CONTEXTS.dev, cluster: "dev", user: "dev-admin", namespace: "default" },
      { name: CONTEXTS.prod, cluster: "prod", user: "prod-admin", namespace: "production" },
      { name: CONTEXTS.restricted, cluster: "dev", user: RESTRICTED_USER, namespace: RESTRICTED_NAMESPACE }
    ],
    CONTEXTS.dev,
    true
  )
  // Component kubeconfigs reference files (admin identity: simplest way to give controllers every right).
  const componentKubeconfig = (key: ClusterKey): string => {
    const file = join(p.stateDir, `${key}-admin.kubeconfig`)
    const c = key === "dev" ? dev : prod
    writeKubeconfig(file, [{ name: key, server: c.server, ca: pki[key].ca.cert }], [{ name: "admin", ...pki[key].admin }], [{ name: key, cluster: key, user: "admin", namespace: "default" }], key, false)
    return file
  }
  const devKubeconfig = componentKubeconfig("dev")
  const prodKubeconfig = componentKubeconfig("prod")

  const logFile = join(p.kwok, "pod.log")
  const previousLogFile = join(p.kwok, "pod-previous.log")
  const execWorkDir = join(p.kwok, "exec")
  const info: ClusterInfo = {
    kubeconfig: p.kubeconfig,
    stateDir: p.stateDir,
    binDir,
    etcd: { endpoint: etcdUrl },
    clusters: { dev, prod },
    workload: {
      kwokNode: KWOK_NODE,
      logText: LOG_LINES.join("\n") + "\n",
      previousLogText: PREVIOUS_LOG_LINES.join("\n") + "\n",
      execWorkDir,
      metrics
    },
    ...(oidc !== undefined ? { oidc } : {}),
    pids: []
  }

  const devKc = kubeConfigFor(info, CONTEXTS.dev)
  const prodKc = kubeConfigFor(info, CONTEXTS.prod)

  if (!workload) {
    await Promise.all([
      bootstrapDev(devKc, undefined),
      createIgnoringConflict(() => prodKc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "production" } } }))
    ])
    info.pids = launcher.records.map((r) => r.pid)
    step("API tier ready (no workload tier requested)")
    return info
  }

  // --- workload tier ----------------------------------------------------------------------------------
  writeFileSync(logFile, criLog(LOG_LINES))
  writeFileSync(previousLogFile, criLog(PREVIOUS_LOG_LINES))
  mkdirSync(execWorkDir, { recursive: true })
  const kwokConfig = join(p.kwok, "kwok.yaml")
  writeFileSync(
    kwokConfig,
    [
      readFileSync(join(HERE, "kwok", "stages.yaml"), "utf8"),
      ...(metrics ? [readFileSync(join(HERE, "kwok", "metrics.yaml"), "utf8")] : []),
      // Every container of every pod: logs from our files, exec runs the command on this host.
      `---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: kube-mcp-logs
spec:
  logs:
  - logsFile: ${JSON.stringify(logFile)}
    previousLogsFile: ${JSON.stringify(previousLogFile)}
    follow: true
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: kube-mcp-exec
spec:
  execs:
  - local:
      workDir: ${JSON.stringify(execWorkDir)}
`
    ].join("\n")
  )
  const schedulerConfig = join(p.stateDir, "kube-scheduler.yaml")
  writeFileSync(
    schedulerConfig,
    `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: ${JSON.stringify(devKubeconfig)}
  qps: 200
  burst: 400
leaderElection:
  leaderElect: false
`
  )
  const kcmArgs = (key: ClusterKey, kubeconfig: string, port: number): string[] => [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    "--leader-elect=false",
    `--cluster-name=kube-mcp-${key}`,
    `--root-ca-file=${pki[key].ca.cert}`,
    `--service-account-private-key-file=${pki[key].sa.key}`,
    `--cluster-signing-cert-file=${pki[key].ca.cert}`,
    `--cluster-signing-key-file=${pki[key].ca.key}`,
    "--use-service-account-credentials=false",
    // Fast rollouts of hundreds of pods.
    "--kube-api-qps=200",
    "--kube-api-burst=400"
  ]
  // kube-controller-manager on BOTH clusters: besides Deployments/ReplicaSets it runs the namespace
  // controller (namespace deletion would hang in Terminating without it), the garbage collector and the
  // ServiceAccount controller. prod has no scheduler and no nodes, so its pods stay Pending.
  const started = await Promise.all([
    launcher.run("dev-controller-manager", "kube-controller-manager", kcmArgs("dev", devKubeconfig, ports.devKcm), 2),
    launcher.run("prod-controller-manager", "kube-controller-manager", kcmArgs("prod", prodKubeconfig, ports.prodKcm), 2),
    launcher.run("dev-scheduler", "kube-scheduler", [
      `--config=${schedulerConfig}`,
      `--authentication-kubeconfig=${devKubeconfig}`,
      `--authorization-kubeconfig=${devKubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${ports.scheduler}`
    ], 2),
    launcher.run("kwok", "kwok", [
      `--kubeconfig=${devKubeconfig}`,
      `--config=${kwokConfig}`,
      "--manage-all-nodes=false",
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      // The node's addresses/kubelet port as kwok publishes them: the apiserver proxies logs/exec there.
      "--node-ip=127.0.0.1",
      "--node-name=localhost",
      `--node-port=${ports.kwok}`,
      `--server-address=127.0.0.1:${ports.kwok}`,
      `--tls-cert-file=${pki.dev.kwok.cert}`,
      `--tls-private-key-file=${pki.dev.kwok.key}`,
      "--cidr=10.244.0.0/16",
      "--node-lease-duration-seconds=40"
    ], 2),
    ...(metrics
      ? [
          launcher.run("metrics-server", "metrics-server", [
            `--kubeconfig=${devKubeconfig}`,
            `--authentication-kubeconfig=${devKubeconfig}`,
            `--authorization-kubeconfig=${devKubeconfig}`,
            "--bind-address=127.0.0.1",
            `--secure-port=${ports.metricsServer}`,
            `--tls-cert-file=${pki.dev.metricsServer.cert}`,
            `--tls-private-key-file=${pki.dev.metricsServer.key}`,
            "--kubelet-preferred-address-types=InternalIP",
            "--kubelet-use-node-status-port",
            // kwok's serving certificate is not issued for the node; the real-cluster equivalent is common.
            "--kubelet-insecure-tls",
            // The minimum; the kubelet timeout must stay below 90% of it.
            "--metric-resolution=10s",
            "--kubelet-request-timeout=5s"
          ], 2)
        ]
      : [])
  ])
  const [devKcm, prodKcm, scheduler, kwok] = started
  if (devKcm === undefined || prodKcm === undefined || scheduler === undefined || kwok === undefined) throw new Error("unreachable")
  step("controllers, scheduler, kwok started")

  await Promise.all([
    bootstrapDev(devKc, { metrics: metrics ? { port: ports.metricsServer, caPem: readFileSync(pki.dev.ca.cert, "utf8") } : undefined }),
    createIgnoringConflict(() => prodKc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "production" } } }))
  ])
  step("namespaces, RBAC, kwok node created")

  const devTls = adminTls(pki.dev)
  await Promise.all([
    waitFor(`kwok node ${KWOK_NODE} Ready`, () => nodeReady(devKc, KWOK_NODE), [kwok, devApi], 60_000),
    waitFor("dev kube-controller-manager (default ServiceAccounts)", () => defaultServiceAccounts(devKc, ["default", RESTRICTED_NAMESPACE]), [devKcm, devApi], 60_000),
    waitFor("prod kube-controller-manager (default ServiceAccounts)", () => defaultServiceAccounts(prodKc, ["default", "production"]), [prodKcm, prodApi], 60_000),
    waitFor("kube-scheduler /healthz", async () => (await httpGet(`https://127.0.0.1:${ports.scheduler}/healthz`, undefined)).status === 200, [scheduler], 60_000),
    // kwok's serving cert is signed by the dev CA, so this also checks the certificate the apiserver sees.
    waitFor("kwok /healthz", async () => (await httpGet(`https://127.0.0.1:${ports.kwok}/healthz`, devTls)).status === 200, [kwok], 60_000)
  ])
  info.pids = launcher.records.map((r) => r.pid)
  step("workload tier ready")
  return info
}

/**
 * Stops exactly the processes recorded in `<stateDir>/state.json` (SIGTERM, SIGKILL after `graceMs`) and
 * removes state.json. Certificates, logs and the kubeconfig stay (the kubeconfig just stops answering).
 */
export const stop = async (stateDir = defaultStateDir(), graceMs = 10_000): Promise<StopResult> =>
  withLock(resolve(stateDir), async () => {
    const state = readState(resolve(stateDir))
    if (state === undefined) return { stopped: [], alreadyGone: [], survivors: [] }
    const result = await terminate(state.processes, graceMs)
    event(resolve(stateDir), `stop: stopped ${result.stopped.join(",") || "-"}; already gone ${result.alreadyGone.join(",") || "-"}; survivors ${result.survivors.join(",") || "-"}`)
    if (result.survivors.length === 0) rmSync(paths(resolve(stateDir)).state, { force: true })
    return result
  })

export interface ComponentStatus {
  name: string
  pid: number
  running: boolean
  log: string
}

export interface ClusterStatus {
  stateDir: string
  /** No state.json: nothing was started (or it was stopped). */
  present: boolean
  ready: boolean
  owner?: Owner
  processes: ComponentStatus[]
  readyz: { dev?: boolean; prod?: boolean }
  info?: ClusterInfo
}

/** What runs according to state.json, whether it runs, and whether both apiservers answer /readyz. */
export const status = async (stateDir = defaultStateDir()): Promise<ClusterStatus> => {
  const dir = resolve(stateDir)
  const state = readState(dir)
  if (state === undefined) return { stateDir: dir, present: false, ready: false, processes: [], readyz: {} }
  const processes = state.processes.map((r) => ({ name: r.name, pid: r.pid, running: isRunning(r), log: r.log }))
  const result: ClusterStatus = { stateDir: dir, present: true, ready: state.ready, owner: state.owner, processes, readyz: {} }
  if (state.info !== undefined) {
    result.info = state.info
    for (const c of [state.info.clusters.dev, state.info.clusters.prod]) {
      const pki = join(dir, "pki", c.name)
      try {
        result.readyz[c.name] = await readyz(c.server, {
          ca: readFileSync(c.caFile, "utf8"),
          cert: readFileSync(join(pki, "admin.crt"), "utf8"),
          key: readFileSync(join(pki, "admin.key"), "utf8")
        })
      } catch {
        result.readyz[c.name] = false
      }
    }
  }
  return result
}

// ---------------------------------------------------------------------------------------------------------
// Helpers for tests

export interface ServiceAccountToken {
  /** A bound token from the TokenRequest API. */
  token: string
  /** Base64 of the cluster CA PEM, as certificate-authority-data in a kubeconfig. */
  caData: string
  /** The cluster CA PEM itself (what /var/run/secrets/kubernetes.io/serviceaccount/ca.crt holds). */
  caPem: string
  /** https://127.0.0.1:<port> */
  server: string
  namespace: string
  serviceAccount: string
}

export interface TokenOptions {
  /** Default "default". */
  namespace?: string
  /** ServiceAccount name; created when missing. */
  name: string
  expirationSeconds?: number
  /** Bind this ClusterRole to the ServiceAccount: in `namespace` with a RoleBinding, or cluster-wide. */
  bind?: { clusterRole: string; scope: "namespace" | "cluster" }
}

/**
 * Mints a ServiceAccount token on `cluster` through the TokenRequest API (the apiserver signs it with its
 * --service-account-signing-key-file): what an in-cluster client would find mounted in a pod.
 */
export const mintServiceAccountToken = async (info: Pick<ClusterInfo, "kubeconfig" | "clusters">, cluster: ClusterKey, opts: TokenOptions): Promise<ServiceAccountToken> => {
  const kc = adminKubeConfig(info, cluster)
  const core = kc.makeApiClient(CoreV1Api)
  const namespace = opts.namespace ?? "default"
  await createIgnoringConflict(() => core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: opts.name } } }))
  if (opts.bind !== undefined) {
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api)
    const bindingName = `${opts.name}-${opts.bind.clusterRole}`.replace(/[^a-z0-9.-]/g, "-")
    const subjects = [{ kind: "ServiceAccount", name: opts.name, namespace }]
    const roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: opts.bind.clusterRole }
    if (opts.bind.scope === "namespace") {
      await createIgnoringConflict(() => rbac.createNamespacedRoleBinding({ namespace, body: { metadata: { name: bindingName }, roleRef, subjects } }))
    } else {
      await createIgnoringConflict(() => rbac.createClusterRoleBinding({ body: { metadata: { name: `${namespace}-${bindingName}` }, roleRef, subjects } }))
    }
  }
  const tr = await core.createNamespacedServiceAccountToken({
    name: opts.name,
    namespace,
    body: { spec: { audiences: [SA_ISSUER], expirationSeconds: opts.expirationSeconds ?? 3600 } }
  })
  const token = tr.status?.token
  if (token === undefined || token === "") throw new Error(`TokenRequest for ${namespace}/${opts.name} returned no token`)
  const endpoint = info.clusters[cluster]
  const caPem = readFileSync(endpoint.caFile, "utf8")
  return { token, caData: Buffer.from(caPem).toString("base64"), caPem, server: endpoint.server, namespace, serviceAccount: opts.name }
}

/**
 * Waits until metrics.k8s.io on dev-cluster returns node metrics and, when given, metrics for a pod in
 * `podNamespace` (metrics-server needs two kwok scrapes, 10 s apart, before a pod shows up).
 */
export const waitForMetrics = async (info: ClusterInfo, opts: { podNamespace?: string; timeoutMs?: number } = {}): Promise<void> => {
  if (!info.workload.metrics) throw new Error("metrics.k8s.io is not served (metrics-server binary missing; run `npm run cluster:build`)")
  const m = new Metrics(adminKubeConfig(info, "dev"))
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000)
  let last = ""
  for (;;) {
    try {
      const nodes = await m.getNodeMetrics()
      const pods = opts.podNamespace === undefined ? undefined : await m.getPodMetrics(opts.podNamespace)
      if (nodes.items.length > 0 && (pods === undefined || pods.items.length > 0)) return
      last = `nodes: ${nodes.items.length}, pods: ${pods?.items.length ?? "-"}`
    } catch (e) {
      last = e instanceof Error ? e.message : String(e)
    }
    if (Date.now() > deadline) throw new Error(`metrics.k8s.io not serving after ${(opts.timeoutMs ?? 90_000) / 1000} s (${last}); log ${join(info.stateDir, "logs", "metrics-server.log")}`)
    await sleep(1_000)
  }
}

/** Pids recorded in state.json that still exist as processes (any identity): empty after a clean stop. */
/** What a kwok node reports about itself (every kwok node of the tests: the harness's and the drain test's). */
export const KWOK_NODE_INFO = {
  architecture: "amd64",
  operatingSystem: "linux",
  bootID: "",
  containerRuntimeVersion: "kwok",
  kernelVersion: "kwok",
  kubeProxyVersion: "kwok",
  kubeletVersion: "kwok",
  machineID: "",
  osImage: "kwok",
  systemUUID: ""
}

export const leftoverPids = (pids: number[]): number[] => pids.filter(pidExists)

/** Starts only etcd in `stateDir`, recorded in its state.json like a full start (for stop() tests). */
export const startEtcdOnly = async (stateDir: string, binDir = defaultBinDir()): Promise<ProcessRecord> =>
  withLock(resolve(stateDir), async () => {
    const p = paths(resolve(stateDir))
    mkdirSync(p.logs, { recursive: true })
    const state: StateFile = { version: 1, owner: { kind: "test", pid: process.pid }, createdAt: new Date().toISOString(), ready: false, processes: [] }
    const launcher = new Launcher(p.stateDir, state, binDir, p.logs)
    const { client, peer } = await namedPorts(["client", "peer"] as const)
    const url = `http://127.0.0.1:${client}`
    const rec = await launcher.run("etcd", "etcd", [
      "--name=test",
      `--data-dir=${p.etcdData}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=test=http://127.0.0.1:${peer}`,
      "--unsafe-no-fsync=true",
      "--log-level=warn"
    ], 0)
    await waitFor("etcd", async () => (await httpGet(`${url}/health`, undefined)).body.includes('"health":"true"'), [rec], 20_000)
    return rec
  })
