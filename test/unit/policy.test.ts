/**
 * Per-context policy in pure logic: which `[contexts."…"]` tables apply to a context (patterns, then the exact
 * name), what denied_resources and allowed_namespaces refuse, and which contexts exist for the server. End to
 * end against the control plane: test/server/policy.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Snapshot, visibleSnapshot } from "../../src/cluster/registry.js"
import { loadSettings, parseCli } from "../../src/config/load.js"
import { settingsFor } from "../../src/config/settings.js"
import { access } from "../../src/kube/Kube.js"
import { policyRefusal } from "../../src/kube/policy.js"
import { TEST_SETTINGS } from "../support/kube.js"
import { writeTemp } from "../support/mcp.js"

const load = (toml: string) =>
  parseCli(["--config", writeTemp("c.toml", toml)]).pipe(Effect.flatMap((cli) => loadSettings({ cli, env: {}, cwd: "/work" })))

describe("[contexts.\"pattern\"] tables", () => {
  it.effect("patterns apply in file order, the exact name last; a global read_only is never loosened", () =>
    Effect.gen(function*() {
      const s = yield* load([
        `[security]`,
        `denied_resources = ["apps/deployments"]`,
        `[contexts."prod-*"]`,
        `denied_resources = ["secrets"]`,
        `allowed_namespaces = ["shop"]`,
        `read_only = true`,
        `[contexts."prod-eu-*"]`,
        `allowed_namespaces = ["shop", "eu"]`,
        `[contexts."prod-eu-1"]`,
        `read_only = false`
      ].join("\n"))
      expect(settingsFor(s, "dev")).toMatchObject({ deniedResources: ["apps/deployments"], allowedNamespaces: [], readOnly: false })
      expect(settingsFor(s, "prod-us")).toMatchObject({ deniedResources: ["secrets"], allowedNamespaces: ["shop"], readOnly: true })
      expect(settingsFor(s, "prod-eu-2")).toMatchObject({ deniedResources: ["secrets"], allowedNamespaces: ["shop", "eu"], readOnly: true })
      expect(settingsFor(s, "prod-eu-1")).toMatchObject({ deniedResources: ["secrets"], allowedNamespaces: ["shop", "eu"], readOnly: false })
      const strict = yield* load(`[security]\nread_only = true\n[contexts."prod-eu-1"]\nread_only = false\n`)
      expect(settingsFor(strict, "prod-eu-1").readOnly).toBe(true)
    }))

  it.effect("a resource named as a kind is refused at load time, with the rule", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(load(`[contexts."prod"]\ndenied_resources = ["Secret"]\n`))
      expect(e.message).toContain("denied_resources")
      expect(e.message).toContain("plural, lower-case")
    }))
})

describe("policyRefusal", () => {
  const strict = { ...TEST_SETTINGS, deniedResources: ["secrets", "apps/deployments"], allowedNamespaces: ["shop"] }

  it("denied_resources: any verb, subresources too, matched with the group", () => {
    expect(policyRefusal(strict, "prod", access({ verb: "get", resource: "secrets", namespace: "shop", name: "db" }))).toMatchObject({
      _tag: "PolicyDenied",
      rule: "denied_resources",
      verb: "get",
      resource: "secrets",
      namespace: "shop",
      message: `Context "prod" does not allow secrets: get secrets refused`
    })
    expect(policyRefusal(strict, "prod", access({ verb: "patch", group: "apps", resource: "deployments", subresource: "scale", namespace: "shop" }))?.rule)
      .toBe("denied_resources")
    // same name, other group: not the same resource
    expect(policyRefusal(strict, "prod", access({ verb: "list", group: "example.com", resource: "secrets", namespace: "shop" }))).toBeUndefined()
  })

  it("allowed_namespaces: other namespaces and all-namespace lists refused; cluster-scoped resources pass", () => {
    expect(policyRefusal(strict, "prod", access({ verb: "list", resource: "pods", namespace: "shop" }))).toBeUndefined()
    expect(policyRefusal(strict, "prod", access({ verb: "list", resource: "pods", namespace: "kube-system" }))?.message)
      .toBe(`Context "prod" allows only namespaces shop: list pods in namespace "kube-system" refused`)
    expect(policyRefusal(strict, "prod", access({ verb: "list", resource: "pods" }))?.message)
      .toBe(`Context "prod" allows only namespaces shop: list pods across all namespaces refused`)
    expect(policyRefusal(strict, "prod", access({ verb: "list", resource: "nodes", clusterScoped: true }))).toBeUndefined()
    expect(policyRefusal(TEST_SETTINGS, "dev", access({ verb: "list", resource: "secrets" }))).toBeUndefined()
  })
})

describe("visibleSnapshot", () => {
  const entry = (name: string, cluster: string, user: string) =>
    [name, { info: { name, cluster, user, namespace: "default" }, fingerprint: name, kubeConfig: () => { throw new Error("unused") } }] as const
  const snapshot: Snapshot = {
    contexts: new Map([entry("dev", "c-dev", "u-dev"), entry("prod-eu", "c-prod", "u-prod"), entry("secret-ops", "c-ops", "u-ops")]),
    current: "secret-ops",
    view: () => ({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "secret-ops",
      clusters: ["c-dev", "c-prod", "c-ops"].map((name) => ({ name, cluster: { server: `https://${name}` } })),
      contexts: [["dev", "c-dev", "u-dev"], ["prod-eu", "c-prod", "u-prod"], ["secret-ops", "c-ops", "u-ops"]].map(([name, cluster, user]) => ({ name, context: { cluster, user } })),
      users: ["u-dev", "u-prod", "u-ops"].map((name) => ({ name, user: {} }))
    })
  }

  it("a hidden context is gone: not listed, not the default, its cluster and user out of the view", () => {
    const v = visibleSnapshot(snapshot, ["*"], ["secret-*"])
    expect([...v.contexts.keys()]).toEqual(["dev", "prod-eu"])
    expect(v.current).toBe("")
    const view = v.view(false)
    expect(JSON.stringify(view)).not.toContain("ops")
    expect(view["current-context"]).toBe("")
    expect(visibleSnapshot(snapshot, ["prod-*", "dev"], []).contexts.size).toBe(2)
    // nothing hidden: the same snapshot
    expect(visibleSnapshot(snapshot, ["*"], [])).toBe(snapshot)
  })
})
