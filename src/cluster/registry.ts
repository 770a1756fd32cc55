/**
 * ClusterRegistry: the one port every tool reaches clusters through. Providers (kubeconfig, in-cluster,
 * single) differ only in their ContextSource; handle caching and invalidation live here once.
 */
import type { KubeConfig } from "@kubernetes/client-node"
import { Context, Duration, Effect, Layer, RcMap, type Scope } from "effect"
import { unwatchFile, watchFile } from "node:fs"
import { RateLimiter } from "effect/persistence"
import { matchesAny } from "../config/glob.js"
import { type Settings, settingsFor } from "../config/settings.js"
import { type KubeError, UnknownContext } from "../errors.js"
import type { KubeApi } from "../kube/Kube.js"
import { makeHandle } from "./handle.js"

export type ProviderKind = "kubeconfig" | "in-cluster" | "single"

export interface ContextInfo {
  readonly name: string
  readonly cluster: string
  readonly user: string
  readonly namespace: string
}

export interface ContextEntry {
  readonly info: ContextInfo
  /** Changes whenever the context, its cluster or its user changes: the cached handle is then rebuilt. */
  readonly fingerprint: string
  readonly kubeConfig: () => KubeConfig
}

export interface Snapshot {
  readonly contexts: ReadonlyMap<string, ContextEntry>
  readonly current: string
  /** Why the source could not be read, if it could not (the server keeps serving and says so). */
  readonly problem?: string
  /** The kubeconfig as kubectl would show it, credentials redacted; minified = current context only. */
  readonly view: (minified: boolean) => Readonly<Record<string, unknown>>
}

export interface ContextSource {
  readonly provider: ProviderKind
  /** Where contexts come from (kubeconfig files, the ServiceAccount directory), for the startup line. */
  readonly sources: ReadonlyArray<string>
  /** Cheap when nothing changed (a stat); re-reads the source otherwise. */
  readonly snapshot: Effect.Effect<Snapshot>
  /** Provider rules for turning the `context` parameter into a context name. */
  readonly pick: (requested: string, snapshot: Snapshot) => Effect.Effect<string, UnknownContext>
  /** Files whose edits can change the set of contexts (kubeconfig files); watched while anyone listens. */
  readonly watch?: ReadonlyArray<string>
}

export interface ClusterRegistryShape {
  readonly provider: ProviderKind
  readonly contexts: Effect.Effect<{ readonly contexts: ReadonlyArray<ContextInfo>; readonly current: string }>
  /** The context's handle, held until the caller's scope closes (then kept for the next call). */
  readonly resolve: (context: string | undefined) => Effect.Effect<KubeApi, UnknownContext | KubeError, Scope.Scope>
  readonly view: (minified: boolean) => Effect.Effect<Readonly<Record<string, unknown>>>
  /** What the server runs on: provider, sources, how many contexts, the default, and any problem reading them. */
  readonly status: Effect.Effect<RegistryStatus>
  /**
   * Calls `listener` whenever the visible contexts (their names or the default) change while the server runs,
   * e.g. a kubeconfig file was edited, until the scope closes. MCP tells clients with list_changed.
   */
  readonly onContextsChanged: (listener: () => void) => Effect.Effect<void, never, Scope.Scope>
}

export interface RegistryStatus {
  readonly provider: ProviderKind
  readonly sources: ReadonlyArray<string>
  readonly contexts: number
  readonly current: string
  readonly problem?: string
}

export class ClusterRegistry extends Context.Service<ClusterRegistry, ClusterRegistryShape>()("kube-mcp/ClusterRegistry") {}

export const unknownContext = (requested: string, snapshot: Snapshot): UnknownContext => {
  const available = [...snapshot.contexts.keys()].sort()
  return new UnknownContext({
    context: requested,
    message: `Context '${requested}' not found in kubeconfig`,
    details: snapshot.problem ?? `Available contexts: ${available.join(", ") || "(none)"}`,
    available
  })
}

const isRecordValue = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * The snapshot as kubernetes.contexts_allow/contexts_deny let the server see it: a hidden context is not
 * listed, cannot be named (UnknownContext lists only the visible ones), is never the default, and its
 * cluster and user are left out of the kubeconfig view.
 */
export const visibleSnapshot = (snapshot: Snapshot, allow: ReadonlyArray<string>, deny: ReadonlyArray<string>): Snapshot => {
  // the default (allow everything, deny nothing) costs a tool call nothing
  if (deny.length === 0 && allow.includes("*")) return snapshot
  const visible = (name: string) => matchesAny(name, allow) && !matchesAny(name, deny)
  if ([...snapshot.contexts.keys()].every(visible)) return snapshot
  const contexts = new Map([...snapshot.contexts].filter(([name]) => visible(name)))
  const current = visible(snapshot.current) ? snapshot.current : ""
  const view = (minified: boolean): Readonly<Record<string, unknown>> => {
    const whole = snapshot.view(minified)
    const shown = Array.isArray(whole["contexts"])
      ? whole["contexts"].filter((c) => isRecordValue(c) && typeof c["name"] === "string" && contexts.has(c["name"]))
      : []
    const refs = (field: string) => shown.flatMap((c) => (isRecordValue(c) && isRecordValue(c["context"]) ? [String(c["context"][field])] : []))
    const keep = (list: unknown, used: ReadonlyArray<string>) =>
      Array.isArray(list) ? list.filter((x) => isRecordValue(x) && typeof x["name"] === "string" && used.includes(x["name"])) : []
    return {
      ...whole,
      "current-context": current,
      clusters: keep(whole["clusters"], refs("cluster")),
      contexts: shown,
      users: keep(whole["users"], refs("user"))
    }
  }
  return { ...snapshot, contexts, current, view }
}

/** How often watched kubeconfig files are stat'ed (polling survives editors that replace the file). */
export const WATCH_INTERVAL_MS = 1000
/** Edits arrive in bursts (an editor writes, renames, touches): one re-read after they settle. */
const WATCH_DEBOUNCE_MS = 200

const signatureOf = (s: Snapshot): string => JSON.stringify([[...s.contexts.keys()].sort(), s.current])

/**
 * Listeners of context changes: the files are watched while there is at least one. A change re-reads the
 * source and tells the listeners only when the visible names or the default differ from the last reading.
 */
const contextWatch = (files: ReadonlyArray<string>, snapshot: Effect.Effect<Snapshot>) => {
  const listeners = new Set<() => void>()
  let known: string | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const recheck = Effect.map(snapshot, (s) => {
    const signature = signatureOf(s)
    const changed = known !== undefined && signature !== known
    known = signature
    if (changed) for (const l of listeners) l()
  })
  const onStat = () => {
    clearTimeout(timer)
    timer = setTimeout(() => void Effect.runFork(recheck), WATCH_DEBOUNCE_MS)
  }
  const start = () => {
    for (const f of files) watchFile(f, { interval: WATCH_INTERVAL_MS, persistent: false }, onStat)
    Effect.runFork(recheck) // the reading later ones are compared with
  }
  const stop = () => {
    for (const f of files) unwatchFile(f, onStat)
    clearTimeout(timer)
    known = undefined
  }
  return (listener: () => void): Effect.Effect<void, never, Scope.Scope> =>
    Effect.acquireRelease(
      Effect.sync(() => {
        listeners.add(listener)
        if (listeners.size === 1) start()
      }),
      () =>
        Effect.sync(() => {
          listeners.delete(listener)
          if (listeners.size === 0) stop()
        })
    )
}

/** A handle is cached per context entry: a changed entry (new fingerprint) is a new key, so a new handle. */
const keyOf = (entry: ContextEntry): string => `${entry.info.name}\u0000${entry.fingerprint}`

export const makeRegistry = (rawSource: ContextSource, settings: Settings): Effect.Effect<ClusterRegistryShape, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { contextsAllow, contextsDeny } = settings.kubernetes
    // one place decides which contexts exist for the server: every use below sees the filtered snapshot
    const source: ContextSource = {
      ...rawSource,
      snapshot: Effect.map(rawSource.snapshot, (s) => visibleSnapshot(s, contextsAllow, contextsDeny))
    }
    // one limiter for the server, one bucket per context (keyed by name, so a rebuilt handle keeps its bucket)
    const withLimiter = yield* RateLimiter.makeWithRateLimiter.pipe(
      Effect.provide(RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory)))
    )
    // the entries the keys stand for, and which key is current for each context name
    const entries = new Map<string, ContextEntry>()
    const current = new Map<string, string>()
    const handles = yield* RcMap.make({
      lookup: (key: string) =>
        Effect.suspend(() => {
          const entry = entries.get(key)
          return entry === undefined
            ? Effect.die(new Error("registry: a handle was requested for an entry it does not know"))
            : makeHandle({
              info: entry.info,
              kubeConfig: entry.kubeConfig(),
              settings: settingsFor(settings, entry.info.name),
              rbacCacheTtlMs: settings.rbacCacheTtlMs,
              withLimiter
            })
        }),
      // kept until its entry changes; a call in flight keeps its handle alive until it ends
      idleTimeToLive: Duration.infinity
    })

    // Only handles whose context entry changed (or vanished) are released.
    const prune = (snapshot: Snapshot) =>
      Effect.forEach(
        [...current].filter(([name, key]) => {
          const entry = snapshot.contexts.get(name)
          return entry === undefined || keyOf(entry) !== key
        }),
        ([name, key]) =>
          Effect.suspend(() => {
            current.delete(name)
            entries.delete(key)
            return RcMap.invalidate(handles, key)
          }),
        { discard: true }
      )

    const resolve = (context: string | undefined) =>
      Effect.gen(function*() {
        const snapshot = yield* source.snapshot
        yield* prune(snapshot)
        const name = yield* source.pick(context ?? "", snapshot)
        const entry = snapshot.contexts.get(name)
        if (entry === undefined) return yield* unknownContext(name, snapshot)
        const key = keyOf(entry)
        entries.set(key, entry)
        current.set(name, key)
        return yield* RcMap.get(handles, key)
      })
    return {
      provider: source.provider,
      onContextsChanged: contextWatch(source.watch ?? [], source.snapshot),
      contexts: Effect.map(source.snapshot, (s) => ({
        contexts: [...s.contexts.values()].map((e) => e.info).sort((a, b) => a.name.localeCompare(b.name)),
        current: s.current
      })),
      resolve,
      view: (minified) => Effect.map(source.snapshot, (s) => s.view(minified)),
      status: Effect.map(source.snapshot, (s) => ({
        provider: source.provider,
        sources: source.sources,
        contexts: s.contexts.size,
        current: s.current,
        ...(s.problem !== undefined ? { problem: s.problem } : {})
      }))
    }
  })
