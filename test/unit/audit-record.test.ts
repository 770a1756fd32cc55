/** What an audit line says about a call, in pure logic: identities and outcomes only, never other arguments. */
import { describe, expect, it } from "vitest"
import { auditRecord, type CallFacts } from "../../src/audit/record.js"

const base: CallFacts = {
  time: "2026-12-05T00:00:00.000Z",
  caller: { transport: "http", session: "s-1" },
  tool: "resources_apply",
  args: {},
  context: "prod",
  durationMs: 12,
  structured: undefined,
  error: undefined
}

describe("auditRecord", () => {
  it("takes each object's outcome from a report's results; one shared outcome becomes the call's", () => {
    const r = auditRecord({
      ...base,
      args: { manifest: "kind: Secret\nstringData: {password: hunter2}", dry_run: true },
      structured: {
        dry_run: true,
        results: [
          { kind: "Secret", apiVersion: "v1", name: "db", namespace: "shop", action: "created", resourceVersion: "7", changes: ["data.password: <masked>"] },
          { kind: "ConfigMap", apiVersion: "v1", name: "cfg", namespace: "shop", action: "created", resourceVersion: "8" }
        ]
      }
    })
    expect(r).toEqual({
      time: "2026-12-05T00:00:00.000Z",
      caller: { transport: "http", session: "s-1" },
      tool: "resources_apply",
      verb: "apply",
      context: "prod",
      objects: [
        { apiVersion: "v1", kind: "Secret", namespace: "shop", name: "db", outcome: "created" },
        { apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "cfg", outcome: "created" }
      ],
      dry_run: true,
      outcome: "created",
      duration_ms: 12
    })
    expect(JSON.stringify(r)).not.toContain("hunter2")
  })

  it("a refused call: the error type and rule, the objects its arguments name", () => {
    const r = auditRecord({
      ...base,
      tool: "resources_delete",
      args: { group: "apps", version: "v1", kind: "Deployment", name: "web", namespace: "shop" },
      error: { type: "PolicyDenied", rule: "allowed_namespaces" }
    })
    expect(r).toMatchObject({
      verb: "delete",
      outcome: "PolicyDenied",
      rule: "allowed_namespaces",
      objects: [{ apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" }],
      dry_run: false
    })
  })

  it("mixed outcomes make the call's outcome ok; a copy names both contexts", () => {
    const r = auditRecord({
      ...base,
      tool: "resources_copy",
      context: undefined,
      args: { from_context: "dev", to_context: "prod", kind: "ConfigMap", version: "v1" },
      structured: { dry_run: false, results: [{ kind: "ConfigMap", name: "a", action: "created" }, { kind: "ConfigMap", name: "b", action: "unchanged" }] }
    })
    expect(r).toMatchObject({ verb: "copy", from_context: "dev", to_context: "prod", outcome: "ok", dry_run: false })
    expect(r.context).toBeUndefined()
  })
})
