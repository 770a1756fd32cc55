/**
 * What the audit log says about one call, from what the adapter knows of it: the tool, the arguments that
 * name objects (never other arguments), the result's per-object outcomes, or the error's type.
 */
import type { AuditObject, AuditRecord } from "./auditLog.js"

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === "object" && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined)

/** An object's identity and outcome from a result entry ({kind, apiVersion, namespace, name, action}). */
const objectOf = (v: Readonly<Record<string, unknown>>): AuditObject => {
  const fields: Array<[keyof AuditObject, string | undefined]> = [
    ["apiVersion", str(v["apiVersion"])],
    ["kind", str(v["kind"])],
    ["namespace", str(v["namespace"])],
    ["name", str(v["name"])],
    ["outcome", str(v["action"])]
  ]
  return Object.fromEntries(fields.filter(([, x]) => x !== undefined))
}

/** The objects a result reports: mutation reports carry `results: [...]` or one object's fields at the top. */
const reported = (structured: Readonly<Record<string, unknown>> | undefined): Array<AuditObject> => {
  if (structured === undefined) return []
  const results = structured["results"]
  if (Array.isArray(results)) return results.filter(isRecord).map(objectOf)
  return str(structured["name"]) !== undefined ? [objectOf(structured)] : []
}

/** The objects the arguments name (when the call failed before reporting any). */
const named = (args: Readonly<Record<string, unknown>>): Array<AuditObject> => {
  const group = str(args["group"])
  const version = str(args["version"])
  const apiVersion = version !== undefined ? (group !== undefined ? `${group}/${version}` : version) : undefined
  const base: AuditObject = {
    ...(apiVersion !== undefined ? { apiVersion } : {}),
    ...(str(args["kind"]) !== undefined ? { kind: String(args["kind"]) } : {}),
    ...(str(args["namespace"]) !== undefined ? { namespace: String(args["namespace"]) } : {})
  }
  const names = Array.isArray(args["names"]) ? args["names"].flatMap((n) => (typeof n === "string" ? [n] : [])) : []
  const name = str(args["name"])
  if (name !== undefined) return [{ ...base, name }]
  if (names.length > 0) return names.map((n) => ({ ...base, name: n }))
  return Object.keys(base).length > 0 ? [base] : []
}

export interface CallFacts {
  readonly time: string
  readonly caller: AuditRecord["caller"]
  readonly tool: string
  readonly args: Readonly<Record<string, unknown>>
  /** The context the call resolved to, if it got that far. */
  readonly context: string | undefined
  readonly durationMs: number
  /** The result's structured form, when the call succeeded. */
  readonly structured: Readonly<Record<string, unknown>> | undefined
  /** The error's type and (PolicyDenied) rule, when it failed. */
  readonly error: { readonly type: string; readonly rule?: string } | undefined
}

export const auditRecord = (f: CallFacts): AuditRecord => {
  const objects = f.error === undefined ? reported(f.structured) : []
  const outcomes = [...new Set(objects.flatMap((o) => (o.outcome !== undefined ? [o.outcome] : [])))]
  const dryRun = typeof f.structured?.["dry_run"] === "boolean" ? f.structured["dry_run"] : f.args["dry_run"] === true
  const contexts = Array.isArray(f.args["contexts"]) ? f.args["contexts"].flatMap((c) => (typeof c === "string" ? [c] : [])) : undefined
  const from = str(f.args["from_context"])
  const to = str(f.args["to_context"])
  return {
    time: f.time,
    caller: f.caller,
    tool: f.tool,
    verb: f.tool.slice(f.tool.indexOf("_") + 1),
    ...(f.context !== undefined ? { context: f.context } : {}),
    ...(contexts !== undefined ? { contexts } : {}),
    ...(from !== undefined ? { from_context: from } : {}),
    ...(to !== undefined ? { to_context: to } : {}),
    objects: objects.length > 0 ? objects : named(f.args),
    dry_run: dryRun,
    outcome: f.error !== undefined ? f.error.type : outcomes.length === 1 ? (outcomes[0] ?? "ok") : "ok",
    ...(f.error?.rule !== undefined ? { rule: f.error.rule } : {}),
    duration_ms: f.durationMs
  }
}
