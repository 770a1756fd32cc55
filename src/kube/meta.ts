/** Schemas of the object fields tools read, and kubectl-style formatting helpers. */
import { Schema } from "effect"

export const ObjectMeta = Schema.Struct({
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  creationTimestamp: Schema.optionalKey(Schema.String),
  labels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  resourceVersion: Schema.optionalKey(Schema.String)
})

/** An object's owner; apiVersion, kind and name are required by the API. */
export const OwnerReference = Schema.Struct({
  apiVersion: Schema.String,
  kind: Schema.String,
  name: Schema.String,
  uid: Schema.optionalKey(Schema.String),
  controller: Schema.optionalKey(Schema.Boolean)
})
export type OwnerReference = typeof OwnerReference.Type

/** A workload's selector (metav1.LabelSelector). */
export const LabelSelector = Schema.Struct({
  matchLabels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  matchExpressions: Schema.optionalKey(Schema.Array(Schema.Struct({
    key: Schema.String,
    operator: Schema.String,
    values: Schema.optionalKey(Schema.Array(Schema.String))
  })))
})
export type LabelSelector = typeof LabelSelector.Type

/** A label selector as its query text (kubectl's selector syntax). */
export const selectorText = (s: LabelSelector | undefined): string =>
  [
    ...Object.entries(s?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s?.matchExpressions ?? []).map((e) =>
      e.operator === "In"
        ? `${e.key} in (${(e.values ?? []).join(",")})`
        : e.operator === "NotIn"
        ? `${e.key} notin (${(e.values ?? []).join(",")})`
        : e.operator === "DoesNotExist"
        ? `!${e.key}`
        : e.key
    )
  ].join(",")

export const ListMeta = Schema.Struct({
  continue: Schema.optionalKey(Schema.String),
  remainingItemCount: Schema.optionalKey(Schema.Finite),
  resourceVersion: Schema.optionalKey(Schema.String)
})

/** kubectl's age column: 45s, 12m, 5h, 3d, 2y; `now` from the Clock, so tests move it with TestClock. */
export const age = (timestamp: string | undefined, now: number): string => {
  if (timestamp === undefined) return "<unknown>"
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000))
  return Number.isNaN(seconds) ? "<unknown>" : ageOfSeconds(seconds)
}

/** The age column of a duration in whole seconds. */
const ageOfSeconds = (seconds: number): string => {
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 120) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h`
  const days = Math.floor(hours / 24)
  return days < 730 ? `${days}d` : `${Math.floor(days / 365)}y`
}

const HUMAN_DURATION = /^(?:(\d+)y)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/

/**
 * The age column from the API server's rendering of the same duration (a server-side Table's cells use
 * apimachinery's HumanDuration: "5m30s", "2h10m", "3d4h"). HumanDuration keeps every unit that `age` reads
 * (seconds below 10 minutes, minutes below 3 hours, hours below 2 days, days below 8 years), so the result
 * is what `age` gives for the timestamp; "<invalid>" (a time in the future) reads as 0s, like `age`.
 */
export const ageOfHumanDuration = (text: string): string => {
  if (text === "<invalid>") return "0s"
  const m = HUMAN_DURATION.exec(text)
  if (m === null || text === "") return text
  const [y, d, h, min, s] = m.slice(1).map((v) => Number(v ?? 0))
  return ageOfSeconds((((((y ?? 0) * 365 + (d ?? 0)) * 24 + (h ?? 0)) * 60 + (min ?? 0)) * 60) + (s ?? 0))
}
