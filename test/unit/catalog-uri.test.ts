/** The k8s:// URIs of the catalog in pure logic: objectUri and parseUri agree, whatever a context is named. */
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { CORE_GROUP, objectUri, parseUri } from "../../src/mcp/catalog/uri.js"

describe("k8s:// URIs", () => {
  it("round-trip any context name, the core group as `core`, both scopes", () => {
    const core = { context: "gke_project_europe-west1_prod #2", group: "", version: "v1", kind: "ConfigMap", namespace: "default", name: "app.config" }
    const objects = [
      { context: "arn:aws:eks:eu-west-1:123456789012:cluster/prod", group: "apps", version: "v1", kind: "Deployment", namespace: "shop", name: "web" },
      core,
      { context: "dev", group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", namespace: undefined, name: "system:aggregate-to-view" }
    ]
    for (const o of objects) {
      const uri = objectUri(o)
      expect(uri.slice("k8s://".length).split("/")).toHaveLength(o.namespace === undefined ? 5 : 6)
      const parsed = parseUri(uri)
      expect(Result.isSuccess(parsed) ? parsed.success : parsed.failure.message).toEqual({ _tag: "Object", ...o })
    }
    expect(objectUri(core)).toContain(`/${CORE_GROUP}/v1/ConfigMap/`)
  })

  it("k8s://contexts is the contexts, not an object", () => {
    expect(parseUri("k8s://contexts")).toEqual(Result.succeed({ _tag: "Contexts" }))
    const trailing = parseUri("k8s://contexts/")
    expect(Result.isFailure(trailing) && trailing.failure.message).toContain("got 2")
  })

  it("a URI longer than 2048 characters is refused before it is split", () => {
    const long = parseUri(`k8s://dev/apps/v1/Deployment/default/${"a".repeat(2100)}`)
    expect(Result.isFailure(long) && long.failure).toMatchObject({ code: -32602 })
    expect(Result.isFailure(long) && long.failure.message).toContain("at most 2048 characters")
  })
})
