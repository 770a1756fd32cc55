/**
 * Waiting on the cluster (resources_wait, rollout_status with wait): a bounded poll on Effect's Schedule and
 * Clock, one progress report per poll, so unit tests drive it with TestClock. And what kubectl wait waits
 * for: a condition (`--for=condition=Ready`, `Ready=False`), a JSONPath value (`--for=jsonpath={.status.phase}=Running`)
 * or deletion (`--for=delete`), on one object or every object a label selector matches.
 */
import { Clock, Duration, Effect, Option, Ref, Result, Schedule, Schema } from "effect"
import { InvalidInput, type KubeError, NotFound, Timeout } from "../errors.js"
import { isRecord } from "../output/sanitize.js"
import { evaluate, parseColumnSpec, type Path } from "./columns.js"
import { typeName } from "./discovery.js"
import { Kube } from "./Kube.js"
import { getObject, type Gvk, inNamespace, listAllObjects, metaOf, refOf, resolveTarget, type Target } from "./objects.js"

export const DEFAULT_WAIT_TIMEOUT_S = 30
export const MAX_WAIT_TIMEOUT_S = 300
export const POLL_INTERVAL_MS = 1000
/** The most objects a label-selector wait follows. */
export const MAX_WAIT_OBJECTS = 100

/** Progress of a wait: poll n of at most `total`, and the state seen (the tool kit's CallProgress). */
export type WaitProgress = (progress: number, total: number, message: string) => Effect.Effect<void>

export interface Polled<A> {
  /** The last observation (undefined only when the first one did not finish before the deadline). */
  readonly last: A | undefined
  readonly met: boolean
  readonly polls: number
  readonly elapsedMs: number
}

/**
 * Observes every `intervalMs` (Schedule.spaced) until `met` holds or `timeoutMs` has passed (a deadline on
 * the Clock, so a poll in flight at the deadline is cut off); reports each observation through `progress`
 * as poll n of the most that fit in the timeout. A failed observation fails the wait.
 */
export const pollUntil = <A, E, R>(options: {
  readonly observe: Effect.Effect<A, E, R>
  readonly met: (a: A) => boolean
  readonly describe: (a: A) => string
  readonly timeoutMs: number
  readonly intervalMs?: number
  readonly progress?: WaitProgress
}): Effect.Effect<Polled<A>, E, R> =>
  Effect.gen(function*() {
    const interval = options.intervalMs ?? POLL_INTERVAL_MS
    const total = Math.floor(options.timeoutMs / interval) + 1
    const started = yield* Clock.currentTimeMillis
    const last = yield* Ref.make<Option.Option<A>>(Option.none())
    const polls = yield* Ref.make(0)
    const once = Effect.gen(function*() {
      const a = yield* options.observe
      yield* Ref.set(last, Option.some(a))
      const n = yield* Ref.updateAndGet(polls, (p) => p + 1)
      if (options.progress !== undefined) yield* options.progress(Math.min(n, total), total, options.describe(a))
      return a
    })
    const finished = yield* once.pipe(
      Effect.repeat({ schedule: Schedule.spaced(Duration.millis(interval)), until: options.met }),
      Effect.timeoutOption(Duration.millis(options.timeoutMs))
    )
    const seen = Option.getOrUndefined(yield* Ref.get(last))
    return {
      last: seen,
      met: Option.isSome(finished) && seen !== undefined && options.met(seen),
      polls: yield* Ref.get(polls),
      elapsedMs: (yield* Clock.currentTimeMillis) - started
    }
  })

/** "5s", "1m30s": for messages about a wait. */
export const seconds = (ms: number): string => {
  const s = Math.round(ms / 1000)
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 === 0 ? "" : `${s % 60}s`}`
}

// ---- what to wait for ----

export type WaitFor =
  /** kubectl wait --for=condition=TYPE[=STATUS]: STATUS defaults to True; both compared case-insensitively. */
  | { readonly _tag: "Condition"; readonly type: string; readonly status: string }
  /** --for=jsonpath=PATH[=VALUE]: without a value, the path must lead somewhere. */
  | { readonly _tag: "JsonPath"; readonly source: string; readonly path: Path; readonly value: string | undefined }
  | { readonly _tag: "Delete" }

export const describeWaitFor = (f: WaitFor): string =>
  f._tag === "Condition"
    ? `condition ${f.type}=${f.status}`
    : f._tag === "JsonPath"
    ? `jsonpath ${f.source}${f.value !== undefined ? ` = ${JSON.stringify(f.value)}` : " to exist"}`
    : "deletion"

const invalid = (path: string, message: string) => new InvalidInput({ message, issues: [{ path, message }] })

/** "Available", "Ready=True", "condition=Ready=False" as kubectl takes them. */
export const parseCondition = (text: string): Effect.Effect<WaitFor, InvalidInput> => {
  const body = text.trim().replace(/^condition=/iu, "")
  const eq = body.indexOf("=")
  const type = (eq < 0 ? body : body.slice(0, eq)).trim()
  const status = eq < 0 ? "True" : body.slice(eq + 1).trim()
  return type === "" || status === "" || /\s/u.test(type)
    ? Effect.fail(invalid("condition", `condition "${text}" is not TYPE or TYPE=STATUS, e.g. "Available" or "Ready=False"`))
    : Effect.succeed({ _tag: "Condition", type, status })
}

/** A JSONPath in kubectl's syntax (`{.status.phase}` or `.status.phase`), parsed by the columns evaluator. */
export const parseJsonPath = (source: string, value: string | undefined): Effect.Effect<WaitFor, InvalidInput> => {
  const parsed = parseColumnSpec(`VALUE:${source}`)
  if (Result.isSuccess(parsed)) {
    const column = parsed.success.columns[0]
    if (parsed.success.columns.length === 1 && column !== undefined) return Effect.succeed({ _tag: "JsonPath", source, path: column.path, value })
  }
  const why = Result.isFailure(parsed) ? parsed.failure.replace(/^column "VALUE": /u, "").replace(/\. columns is .*$/su, "") : "one path only"
  return Effect.fail(invalid("jsonpath", `jsonpath "${source}" is not a JSONPath kubectl accepts (${why}); e.g. "{.status.phase}" or ".status.readyReplicas"`))
}

const Conditions = Schema.Struct({
  metadata: Schema.optionalKey(Schema.Struct({ generation: Schema.optionalKey(Schema.Finite) })),
  status: Schema.optionalKey(Schema.Struct({
    conditions: Schema.optionalKey(Schema.Array(Schema.Struct({
      type: Schema.String,
      status: Schema.String,
      reason: Schema.optionalKey(Schema.String),
      message: Schema.optionalKey(Schema.String),
      observedGeneration: Schema.optionalKey(Schema.Finite)
    })))
  }))
})
const decodeConditions = Schema.decodeUnknownOption(Conditions)

const valueText = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v) ?? "null")

/** Whether one object satisfies a condition or JSONPath wait, and what it shows now (kubectl wait's rules). */
export const checkObject = (obj: unknown, f: WaitFor): { readonly met: boolean; readonly detail: string } => {
  if (f._tag === "Delete") return { met: false, detail: "still exists" }
  if (f._tag === "JsonPath") {
    const values = evaluate(f.path, obj)
    if (values.length === 0) return { met: false, detail: `${f.source} not found` }
    const shown = values.map(valueText).join(",")
    if (f.value === undefined) return { met: true, detail: `${f.source} = ${shown}` }
    // kubectl compares one primitive value with the expected text
    const [only] = values
    const primitive = values.length === 1 && !isRecord(only) && !Array.isArray(only)
    return { met: primitive && valueText(only) === f.value, detail: `${f.source} = ${shown}${primitive ? "" : " (not one value)"}` }
  }
  const view = Option.getOrUndefined(decodeConditions(obj))
  const conditions = view?.status?.conditions ?? []
  const c = conditions.find((x) => x.type.toLowerCase() === f.type.toLowerCase())
  if (c === undefined) return { met: false, detail: `no ${f.type} condition yet` }
  const generation = view?.metadata?.generation
  // a condition observed for an older generation says nothing about the current spec (kubectl checks it too)
  const stale = c.observedGeneration !== undefined && generation !== undefined && c.observedGeneration < generation
  const detail = `${c.type}=${c.status}${c.reason !== undefined && c.reason !== "" ? ` (${c.reason})` : ""}${
    c.message !== undefined && c.message !== "" ? `: ${c.message}` : ""
  }${stale ? ` [observed generation ${c.observedGeneration} < ${generation}]` : ""}`
  return { met: !stale && c.status.toLowerCase() === f.status.toLowerCase(), detail }
}

// ---- resources_wait ----

export interface WaitSubject extends Gvk {
  readonly name?: string | undefined
  readonly namespace?: string | undefined
  readonly labelSelector?: string | undefined
}

export interface ObjectState {
  readonly name: string
  readonly met: boolean
  /** What it shows now: the condition line, the JSONPath value, "deleted". */
  readonly detail: string
}

export interface WaitOutcome extends Omit<Target, "name"> {
  readonly name: string | undefined
  readonly labelSelector: string | undefined
  readonly waitingFor: string
  readonly objects: ReadonlyArray<ObjectState>
  readonly polls: number
  readonly elapsedMs: number
}

const subjectText = (t: Omit<Target, "name">, s: WaitSubject): string =>
  `${s.name !== undefined ? refOf(t.info, s.name) : `${typeName(t.info)} with labels ${s.labelSelector ?? ""}`}${inNamespace(t.namespace)}`

const stateLine = (objects: ReadonlyArray<ObjectState>): string =>
  objects.length === 0 ? "no objects" : objects.map((o) => `${o.name}: ${o.detail}`).join("; ")

/**
 * kubectl wait: polls the object (or the objects a label selector matches) until each satisfies `f` or the
 * timeout passes, which is a Timeout error naming the last state seen. An object that is not there is
 * NotFound, except when waiting for deletion (then it is done); a selector matching nothing is done for
 * deletion and NotFound otherwise, as kubectl says "no matching resources found".
 */
export const waitFor = (
  subject: WaitSubject,
  f: WaitFor,
  timeoutMs: number,
  tool: string,
  progress?: WaitProgress,
  intervalMs?: number
): Effect.Effect<WaitOutcome, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const byName = subject.name !== undefined
    if (byName === (subject.labelSelector !== undefined)) {
      return yield* invalid("name", "give either name or label_selector: the object to wait for, or the objects a selector matches")
    }
    const kube = yield* Kube
    const target = yield* resolveTarget({ ...subject, name: subject.name ?? "" }, byName ? "get" : "list", tool)
    const what = subjectText(target, subject)
    const observe: Effect.Effect<ReadonlyArray<ObjectState>, KubeError | InvalidInput, Kube> = byName
      ? getObject(target).pipe(
        Effect.map((obj): ReadonlyArray<ObjectState> => [{ name: target.name, ...checkObject(obj, f) }]),
        Effect.catchTag("NotFound", (e) => (f._tag === "Delete" ? Effect.succeed([{ name: target.name, met: true, detail: "deleted" }]) : Effect.fail(e)))
      )
      : listAllObjects(subject, { namespace: target.namespace, labelSelector: subject.labelSelector }, MAX_WAIT_OBJECTS, tool).pipe(
        Effect.flatMap(({ items }) =>
          items.length === 0 && f._tag !== "Delete"
            ? Effect.fail(new NotFound({ context: kube.info.name, message: `no matching resources found: ${what}` }))
            : Effect.succeed(items.map((obj): ObjectState => ({ name: metaOf(obj).name ?? "", ...checkObject(obj, f) })))
        )
      )
    const polled = yield* pollUntil({
      observe,
      met: (objects) => objects.every((o) => o.met),
      describe: (objects) => `${what}: ${stateLine(objects)}`,
      timeoutMs,
      ...(intervalMs !== undefined ? { intervalMs } : {}),
      ...(progress !== undefined ? { progress } : {})
    })
    const objects = polled.last ?? []
    if (!polled.met) {
      return yield* new Timeout({
        context: kube.info.name,
        message: `timed out after ${seconds(timeoutMs)} waiting for ${describeWaitFor(f)} on ${what}`,
        details: `Last seen (poll ${polled.polls}): ${stateLine(objects)}`
      })
    }
    return {
      info: target.info,
      namespace: target.namespace,
      name: subject.name,
      labelSelector: subject.labelSelector,
      waitingFor: describeWaitFor(f),
      objects,
      polls: polled.polls,
      elapsedMs: polled.elapsedMs
    }
  })

/** What a caller asks to wait for (resources_wait's parameters): exactly one of condition, jsonpath (with value), delete. */
export const waitForOf = (given: {
  readonly condition?: string | undefined
  readonly jsonpath?: string | undefined
  readonly value?: string | undefined
  readonly delete?: boolean | undefined
}): Effect.Effect<WaitFor, InvalidInput> => {
  const chosen = [given.condition !== undefined, given.jsonpath !== undefined, given.delete === true].filter(Boolean).length
  if (chosen !== 1) {
    return Effect.fail(invalid("condition", "give exactly one of condition (e.g. \"Available\", \"Ready=False\"), jsonpath (with value) or delete: true"))
  }
  if (given.value !== undefined && given.jsonpath === undefined) return Effect.fail(invalid("value", "value goes with jsonpath: the value the path must have"))
  if (given.condition !== undefined) return parseCondition(given.condition)
  if (given.jsonpath !== undefined) return parseJsonPath(given.jsonpath, given.value)
  return Effect.succeed({ _tag: "Delete" })
}
