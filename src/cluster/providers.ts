/**
 * The three providers of the ClusterRegistry. Each is a ContextSource wrapped by makeRegistry, so
 * handle caching, rate limits and RBAC caching behave identically whichever one main picks.
 */
import type { Cluster, Context, KubeConfig, User } from "@kubernetes/client-node"
import { clientNode } from "../kube/clientNode.js"
import { Effect, Layer } from "effect"
import { statSync } from "node:fs"
import { stat } from "node:fs/promises"
import { readFile } from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { AppSettings } from "../config/appSettings.js"
import type { Settings } from "../config/settings.js"
import { UnknownContext } from "../errors.js"
import { renderView } from "./kubeconfigView.js"
import { ClusterRegistry, type ContextEntry, type ContextSource, makeRegistry, type Snapshot, unknownContext } from "./registry.js"

/** kubectl's rule: the configured path; else every path in $KUBECONFIG; else ~/.kube/config. */
export const kubeconfigPaths = (configured: string, env: NodeJS.ProcessEnv = process.env): ReadonlyArray<string> => {
  if (configured !== "") return [configured]
  const fromEnv = (env["KUBECONFIG"] ?? "").split(path.delimiter).filter((p) => p !== "")
  return fromEnv.length > 0 ? fromEnv : [path.join(os.homedir(), ".kube", "config")]
}

type KubeConfigClass = new () => KubeConfig

const entryOf = (
  KubeConfigCtor: KubeConfigClass,
  ctx: Context,
  cluster: Cluster | undefined,
  user: User | undefined,
  fallbackNs: string
): ContextEntry => ({
  info: { name: ctx.name, cluster: ctx.cluster, user: ctx.user, namespace: ctx.namespace ?? fallbackNs },
  fingerprint: JSON.stringify([ctx, cluster ?? null, user ?? null]),
  kubeConfig: () => {
    const kc = new KubeConfigCtor()
    kc.loadFromOptions({
      clusters: cluster !== undefined ? [cluster] : [],
      users: user !== undefined ? [user] : [],
      contexts: [ctx],
      currentContext: ctx.name
    })
    return kc
  }
})

const emptySnapshot = (problem: string): Snapshot => ({
  contexts: new Map(),
  current: "",
  problem,
  view: () => ({ apiVersion: "v1", kind: "Config", clusters: [], contexts: [], users: [], "current-context": "" })
})

/** Reads (and merges) kubeconfig files; first file wins per name, as kubectl merges $KUBECONFIG. */
const loadKubeconfig = async (files: ReadonlyArray<string>, defaultContext: string): Promise<Snapshot> => {
  const { KubeConfig } = await clientNode()
  const clusters = new Map<string, Cluster>()
  const users = new Map<string, User>()
  const contexts = new Map<string, Context>()
  let current = ""
  const problems: Array<string> = []
  for (const file of files) {
    const kc = new KubeConfig()
    try {
      kc.loadFromFile(file)
    } catch (e) {
      problems.push(`cannot load kubeconfig ${file}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`)
      continue
    }
    for (const c of kc.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c)
    for (const u of kc.getUsers()) if (!users.has(u.name)) users.set(u.name, u)
    for (const c of kc.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c)
    if (current === "") current = kc.getCurrentContext() ?? ""
  }
  if (defaultContext !== "") current = defaultContext
  const entries = new Map<string, ContextEntry>()
  for (const ctx of contexts.values()) {
    entries.set(ctx.name, entryOf(KubeConfig, ctx, clusters.get(ctx.cluster), users.get(ctx.user), "default"))
  }
  const parts = { clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], current }
  return {
    contexts: entries,
    current,
    ...(problems.length > 0 ? { problem: problems.join("; ") } : {}),
    view: (minified) => renderView(parts, minified)
  }
}

/** mtime and size, or "missing". Synchronous on purpose: a cached stat is microseconds, a thread-pool hop is not. */
const stampOf = (file: string): string => {
  try {
    const s = statSync(file)
    return `${s.mtimeMs}:${s.size}`
  } catch {
    return "missing"
  }
}

/** Re-reads only when a file's mtime or size changed (one stat per file per call). */
const watchedFiles = (files: ReadonlyArray<string>, load: () => Promise<Snapshot>): Effect.Effect<Snapshot> => {
  let stamp = ""
  let last: Snapshot | undefined
  return Effect.suspend(() => {
    const next = files.map(stampOf).join("|")
    if (last !== undefined && next === stamp) return Effect.succeed(last) // the common case: no promise hop
    return Effect.promise(async () => {
      const loaded = await load()
      stamp = next
      last = loaded
      return loaded
    })
  })
}

export const kubeconfigSource = (files: ReadonlyArray<string>, defaultContext: string): ContextSource => ({
  provider: "kubeconfig",
  sources: files,
  watch: files,
  snapshot: watchedFiles(files, () => loadKubeconfig(files, defaultContext)),
  pick: (requested, snapshot) => {
    const name = requested !== "" ? requested : snapshot.current
    if (name === "") {
      return Effect.fail(
        new UnknownContext({
          context: "",
          message: "No context given, and the kubeconfig has no current-context (or kubernetes.contexts_allow/contexts_deny hide it)",
          details: snapshot.problem ?? `Available contexts: ${[...snapshot.contexts.keys()].sort().join(", ") || "(none)"}`,
          available: [...snapshot.contexts.keys()].sort()
        })
      )
    }
    return snapshot.contexts.has(name) ? Effect.succeed(name) : Effect.fail(unknownContext(name, snapshot))
  }
})

export const singleSource = (files: ReadonlyArray<string>, only: string): ContextSource => {
  const inner = watchedFiles(files, () => loadKubeconfig(files, only))
  return {
    provider: "single",
    sources: files,
    watch: files,
    snapshot: Effect.map(inner, (s) => {
      const entry = s.contexts.get(only)
      return {
        ...s,
        contexts: new Map(entry !== undefined ? [[only, entry]] : []),
        current: only,
        ...(entry === undefined ? { problem: s.problem ?? `configured context '${only}' is not in the kubeconfig` } : {}),
        view: () => s.view(true)
      }
    }),
    pick: (requested, snapshot) =>
      requested !== "" && requested !== only
        ? Effect.fail(
          new UnknownContext({
            context: requested,
            message: `Context '${requested}' not available in single-cluster mode (configured: ${only})`,
            details: "Single-cluster provider only allows the configured context",
            available: [only]
          })
        )
        : snapshot.contexts.has(only)
        ? Effect.succeed(only)
        : Effect.fail(unknownContext(only, snapshot))
  }
}

export const IN_CLUSTER = "in-cluster"

/** The pod's own ServiceAccount: token, CA and namespace files plus KUBERNETES_SERVICE_HOST/PORT. */
export const inClusterSource = (dir: string, env: NodeJS.ProcessEnv = process.env): ContextSource => {
  const tokenFile = path.join(dir, "token")
  const load = async (): Promise<Snapshot> => {
    const host = env["KUBERNETES_SERVICE_HOST"]
    const port = env["KUBERNETES_SERVICE_PORT"]
    if (host === undefined || host === "" || port === undefined || port === "") {
      return emptySnapshot("in-cluster provider: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set (not running in a pod?)")
    }
    const [token, namespace, caStat] = await Promise.all([
      readFile(tokenFile, "utf8").then((t) => t.trim(), () => undefined),
      readFile(path.join(dir, "namespace"), "utf8").then((t) => t.trim(), () => "default"),
      stat(path.join(dir, "ca.crt")).then(() => true, () => false)
    ])
    if (token === undefined) return emptySnapshot(`in-cluster provider: cannot read ${tokenFile}`)
    const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`
    const cluster: Cluster = { name: IN_CLUSTER, server, skipTLSVerify: false, ...(caStat ? { caFile: path.join(dir, "ca.crt") } : {}) }
    const user: User = { name: IN_CLUSTER, token }
    const ctx: Context = { name: IN_CLUSTER, cluster: IN_CLUSTER, user: IN_CLUSTER, namespace }
    const parts = { clusters: [cluster], users: [user], contexts: [ctx], current: IN_CLUSTER }
    const { KubeConfig } = await clientNode()
    return {
      contexts: new Map([[IN_CLUSTER, entryOf(KubeConfig, ctx, cluster, user, namespace)]]),
      current: IN_CLUSTER,
      view: (minified) => renderView(parts, minified)
    }
  }
  return {
    provider: "in-cluster",
    sources: [dir],
    // Bound ServiceAccount tokens rotate: re-read when the token file changes (the fingerprint then changes too).
    snapshot: watchedFiles([tokenFile], load),
    // the context parameter is ignored: there is only the cluster the pod runs in
    pick: (_requested, snapshot) => snapshot.contexts.has(IN_CLUSTER) ? Effect.succeed(IN_CLUSTER) : Effect.fail(unknownContext(IN_CLUSTER, snapshot))
  }
}

/** A provider: its ContextSource, read from the settings, behind the one registry. */
const registryLayer = (sourceOf: (settings: Settings) => ContextSource) =>
  Layer.effect(
    ClusterRegistry,
    Effect.gen(function*() {
      const settings = yield* AppSettings
      return yield* makeRegistry(sourceOf(settings), settings)
    })
  )

export const KubeconfigLive = registryLayer((settings) =>
  kubeconfigSource(kubeconfigPaths(settings.kubernetes.kubeconfigPath), settings.kubernetes.context)
)

export const SingleLive = registryLayer((settings) =>
  singleSource(kubeconfigPaths(settings.kubernetes.kubeconfigPath), settings.kubernetes.context)
)

export const InClusterLive = registryLayer((settings) => inClusterSource(settings.kubernetes.inClusterDir))

/** main's one choice: the provider named in the settings. */
export const ClusterRegistryLive = Layer.unwrap(Effect.gen(function*() {
  switch ((yield* AppSettings).kubernetes.provider) {
    case "kubeconfig":
      return KubeconfigLive
    case "single":
      return SingleLive
    case "in-cluster":
      return InClusterLive
  }
}))
