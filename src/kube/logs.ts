/**
 * Container logs: narrowed on the server (tail, since, bytes, previous instance, timestamps) and by a
 * regex here. A pod with several containers needs one named, or every container read at once.
 */
import { Effect } from "effect"
import type { InvalidInput, KubeError } from "../errors.js"
import { access, Kube } from "./Kube.js"
import { allContainerNames, pickContainer } from "./podContainers.js"
import { getPod, podPath } from "./pods.js"

export interface LogQuery {
  /** The last N lines; with `grep`, the last N matching lines. */
  readonly tailLines?: number | undefined
  /** Lines newer than this (sent as whole seconds, at least 1). */
  readonly sinceMs?: number | undefined
  /** Lines at or after this RFC 3339 time. */
  readonly sinceTime?: string | undefined
  /** The previous (crashed or restarted) instance of the container. */
  readonly previous?: boolean | undefined
  /** Each line prefixed with the runtime's RFC 3339 timestamp. */
  readonly timestamps?: boolean | undefined
  /** Only lines matching it. */
  readonly grep?: RegExp | undefined
  /** At most this many bytes from the start of the (since/tail-narrowed) log. */
  readonly limitBytes?: number | undefined
}

export interface ContainerLog {
  readonly container: string
  readonly lines: ReadonlyArray<string>
  /** Set when this container's log could not be read (reading every container keeps going). */
  readonly error?: string
}

const splitLines = (body: string): Array<string> => {
  if (body === "") return []
  const lines = body.split("\n")
  if (lines[lines.length - 1] === "") lines.pop()
  return lines
}

/** The query string of the log subresource for one container. */
export const logQuery = (container: string, q: LogQuery): Readonly<Record<string, string | number | boolean | undefined>> => ({
  container,
  // with grep the tail counts matching lines, so it is applied here after filtering
  tailLines: q.grep === undefined ? q.tailLines : undefined,
  sinceSeconds: q.sinceMs !== undefined ? Math.max(1, Math.ceil(q.sinceMs / 1000)) : undefined,
  sinceTime: q.sinceTime,
  previous: q.previous === true ? true : undefined,
  timestamps: q.timestamps === true ? true : undefined,
  limitBytes: q.limitBytes
})

const narrowLines = (lines: ReadonlyArray<string>, q: LogQuery): ReadonlyArray<string> => {
  const re = q.grep
  if (re === undefined) return lines
  const matching = lines.filter((l) => re.test(l))
  return q.tailLines !== undefined ? matching.slice(Math.max(0, matching.length - q.tailLines)) : matching
}

/**
 * The pod (which containers it has), then the permission to read its logs, checked once for all of them: a
 * denial is the answer, not one error per container.
 */
const podForLogs = (namespace: string, name: string) =>
  Effect.gen(function*() {
    const pod = yield* getPod(namespace, name)
    yield* (yield* Kube).authorize(access({ verb: "get", resource: "pods", subresource: "log", namespace, name }))
    return pod
  })

const readLog = (namespace: string, pod: string, container: string, q: LogQuery): Effect.Effect<ReadonlyArray<string>, KubeError, Kube> =>
  Effect.flatMap(Effect.service(Kube), (kube) =>
    kube.text({ path: `${podPath(namespace, pod)}/log`, accept: "text/plain, */*", query: logQuery(container, q) }))
    .pipe(Effect.map((body) => narrowLines(splitLines(body), q)))

/**
 * One container's log: `container`, or the pod's only / kubectl.kubernetes.io/default-container one; a pod
 * with several containers and none named is an InvalidInput that lists them.
 */
export const containerLog = (
  namespace: string,
  name: string,
  container: string | undefined,
  q: LogQuery
): Effect.Effect<ContainerLog & { readonly defaulted?: string }, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const pod = yield* podForLogs(namespace, name)
    const picked = yield* pickContainer(pod, container, { fallbackToFirst: false, allHint: "all_containers: true" })
    const lines = yield* readLog(namespace, name, picked.name, q)
    return { container: picked.name, lines, ...(picked.defaulted !== undefined ? { defaulted: picked.defaulted } : {}) }
  })

/** Every container's log (init, regular, ephemeral, in that order); one that cannot be read says why. */
export const allContainerLogs = (namespace: string, name: string, q: LogQuery): Effect.Effect<ReadonlyArray<ContainerLog>, KubeError, Kube> =>
  Effect.gen(function*() {
    const pod = yield* podForLogs(namespace, name)
    return yield* Effect.forEach(
      allContainerNames(pod),
      (container) =>
        readLog(namespace, name, container, q).pipe(
          Effect.map((lines): ContainerLog => ({ container, lines })),
          // one container that cannot be read (not started yet, no previous instance) does not hide the others
          Effect.catch((e) => Effect.succeed<ContainerLog>({ container, lines: [], error: `${e._tag}: ${e.message}` }))
        ),
      { concurrency: 4 }
    )
  })
