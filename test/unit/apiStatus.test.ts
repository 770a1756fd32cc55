/**
 * Kubernetes Status bodies and socket failures map to the typed errors by reason and code; typed errors map
 * to tool results, each encoded through its own class's Schema.
 */
import { describe, expect, it } from "vitest"
import { requestAttributes, statusToError, transportError } from "../../src/cluster/apiStatus.js"
import { ApiError, atDocument, InvalidInput, NotFound, ReadOnly, UnknownContext } from "../../src/errors.js"
import { errorResult } from "../../src/tool/errorResult.js"

const status = (code: number, reason: string, message: string, details?: unknown) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message, ...(details !== undefined ? { details } : {}) })

const map = (code: number, body: string, method = "GET") =>
  statusToError({ context: "dev", method, path: "/api/v1/namespaces/x/pods/y", status: code, body })

describe("statusToError", () => {
  it("maps each reason to its error type", () => {
    expect(map(403, status(403, "Forbidden", "pods is forbidden"), "DELETE")).toMatchObject({ _tag: "Forbidden", verb: "delete", context: "dev", message: "pods is forbidden" })
    expect(map(404, status(404, "NotFound", "pods \"y\" not found"))._tag).toBe("NotFound")
    expect(map(409, status(409, "AlreadyExists", "exists"))._tag).toBe("AlreadyExists")
    expect(map(409, status(409, "Conflict", "conflict with kubectl"))._tag).toBe("Conflict")
    expect(map(401, status(401, "Unauthorized", "Unauthorized"))._tag).toBe("Unauthorized")
    expect(map(504, status(504, "Timeout", "timed out"))._tag).toBe("Timeout")
    expect(map(503, "service unavailable")._tag).toBe("Unavailable")
    expect(map(429, status(429, "TooManyRequests", "slow down"))).toMatchObject({ _tag: "ApiError", code: 429, reason: "TooManyRequests" })
  })

  it("an ApiError carries the Status causes as details (an eviction's 429 names the PodDisruptionBudget)", () => {
    const body = JSON.stringify({
      kind: "Status",
      code: 429,
      reason: "TooManyRequests",
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: "DisruptionBudget", message: "The disruption budget web needs 2 healthy pods and has 2 currently" }] }
    })
    expect(statusToError({ context: "dev", method: "POST", path: "/api/v1/namespaces/x/pods/y/eviction", status: 429, body })).toMatchObject({
      _tag: "ApiError",
      code: 429,
      details: "The disruption budget web needs 2 healthy pods and has 2 currently"
    })
  })

  it("Forbidden names verb, plural resource, group and namespace as RBAC does, whatever the path", () => {
    expect(map(403, status(403, "Forbidden", "pods \"y\" is forbidden"), "DELETE")).toMatchObject({ verb: "delete", resource: "pods", group: "", namespace: "x" })
    const list = statusToError({ context: "dev", method: "GET", path: "/apis/apps/v1/namespaces/team-a/deployments", status: 403, body: "" })
    expect(list).toMatchObject({ _tag: "Forbidden", verb: "list", resource: "deployments", group: "apps", namespace: "team-a" })
    expect(requestAttributes("GET", "/api/v1/namespaces")).toEqual({ verb: "list", group: "", resource: "namespaces" })
    expect(requestAttributes("GET", "/api/v1/namespaces/kube-system")).toEqual({ verb: "get", group: "", resource: "namespaces", name: "kube-system" })
    expect(requestAttributes("PUT", "/api/v1/namespaces/gone/finalize")).toEqual({ verb: "update", group: "", resource: "namespaces/finalize", name: "gone" })
    expect(requestAttributes("GET", "/api/v1/namespaces/a/pods/p/log")).toEqual({ verb: "get", group: "", resource: "pods/log", namespace: "a", name: "p" })
    expect(requestAttributes("DELETE", "/api/v1/namespaces/a/configmaps")).toMatchObject({ verb: "deletecollection", resource: "configmaps" })
    expect(requestAttributes("GET", "/apis/metrics.k8s.io/v1beta1/nodes")).toEqual({ verb: "list", group: "metrics.k8s.io", resource: "nodes" })
    expect(requestAttributes("PATCH", "/apis/apps/v1/namespaces/a/deployments/web/scale")).toMatchObject({ verb: "patch", resource: "deployments/scale", group: "apps" })
    expect(requestAttributes("GET", "/version")).toBeUndefined()
  })

  it("lists the field causes of an Invalid answer", () => {
    const e = map(422, status(422, "Invalid", "Deployment.apps \"web\" is invalid", {
      causes: [{ reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0", field: "spec.replicas" }]
    }))
    expect(e).toMatchObject({ _tag: "Invalid", causes: [{ field: "spec.replicas", reason: "FieldValueInvalid" }] })
    expect(e.details).toContain("spec.replicas: Invalid value: -1")
  })

  it("reads the typed-patch 500 of an unknown field as the caller's field error", () => {
    const e = map(500, status(500, "InternalError", "failed to create typed patch object (x/y; apps/v1, Kind=Deployment): .spec.replicaz: field not declared in schema"), "PATCH")
    expect(e).toMatchObject({ _tag: "Invalid", causes: [{ field: "spec.replicaz", message: "field not declared in schema", reason: "FieldValueInvalid" }] })
    expect(map(500, status(500, "InternalError", "etcd is away"))).toMatchObject({ _tag: "ApiError", code: 500, reason: "InternalError" })
  })

  it("keeps a non-JSON body readable and short", () => {
    const e = map(500, "x".repeat(5000))
    expect(e).toMatchObject({ _tag: "ApiError", code: 500 })
    expect(e.message.length).toBeLessThanOrEqual(300)
  })

  it("socket failures are Unavailable, connect timeouts Timeout", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
    expect(transportError("dev", "https://127.0.0.1:1", refused)).toMatchObject({ _tag: "Unavailable", context: "dev" })
    const timedOut = Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" })
    expect(transportError("dev", "https://10.0.0.1", timedOut)._tag).toBe("Timeout")
  })
})

describe("errorResult", () => {
  it("puts the fields an error's class declares after the five common ones, as its Schema encodes them", () => {
    const forbidden = map(403, status(403, "Forbidden", "deployments.apps is forbidden"), "DELETE")
    expect(errorResult(forbidden, "resources_delete", undefined)).toEqual({
      isError: true,
      content: [{ type: "text", text: "Forbidden: deployments.apps is forbidden [context dev]\nRBAC denied the request for this context's user." }],
      structuredContent: {
        error: {
          type: "Forbidden",
          message: "deployments.apps is forbidden",
          details: "RBAC denied the request for this context's user.",
          cluster: "dev",
          tool: "resources_delete",
          verb: "delete",
          resource: "pods",
          group: "",
          namespace: "x"
        }
      }
    })
    const unknown = new UnknownContext({ context: "nope", message: "No context \"nope\"", available: ["a", "b"] })
    expect(errorResult(unknown, "pods_list", undefined).structuredContent).toEqual({
      error: { type: "UnknownContext", message: "No context \"nope\"", details: "", cluster: "nope", tool: "pods_list", available: ["a", "b"] }
    })
    const api = new ApiError({ context: "dev", message: "slow down", code: 429 })
    expect(errorResult(api, "t", undefined).structuredContent).toEqual({
      error: { type: "ApiError", message: "slow down", details: "", cluster: "dev", tool: "t", code: 429 }
    })
    // errors without a context take the call's
    const readOnly = new ReadOnly({ message: "read-only" })
    expect(errorResult(readOnly, "t", "prod")).toMatchObject({ content: [{ text: "ReadOnly: read-only [context prod]" }], structuredContent: { error: { cluster: "prod" } } })
  })

  it("renders a manifest position before the message and what became of the others after the details", () => {
    const position = { index: 2, total: 3, kind: "Service", name: "web", others: "Nothing was applied. Not attempted: 1 later document(s)." }
    const placed = atDocument(new NotFound({ context: "dev", message: "namespaces \"x\" not found", details: "GET /api/v1/namespaces/x" }), position)
    expect(placed).toBeInstanceOf(NotFound)
    expect(errorResult(placed, "resources_apply", undefined)).toMatchObject({
      content: [{
        text: "NotFound: Service/web (document 2 of 3): namespaces \"x\" not found [context dev]\n" +
          "GET /api/v1/namespaces/x — Nothing was applied. Not attempted: 1 later document(s)."
      }],
      structuredContent: { error: { type: "NotFound", message: "namespaces \"x\" not found", details: "GET /api/v1/namespaces/x", document: position } }
    })
    const input = atDocument(new InvalidInput({ message: "bad", issues: [{ path: "kind", message: "no" }] }), { index: 1, total: 2, kind: "X", name: "y" })
    expect(errorResult(input, "resources_diff", "dev").content[0]?.text).toBe("InvalidInput: X/y (document 1 of 2): bad [context dev]")
    expect(input).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "kind", message: "no" }] })
  })
})
