/** The pure parts of the resources toolset: sanitizing, manifest parsing, the unified diff and change lists. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { LAST_APPLIED, sanitize, sanitizePair } from "../../src/output/sanitize.js"
import { changedPaths } from "../../src/kube/compare.js"
import { parseManifest } from "../../src/kube/manifest.js"
import { unifiedDiff } from "../../src/output/diff.js"

const masked = { revealSecrets: false }
const b64 = (s: string) => Buffer.from(s).toString("base64")

describe("sanitize", () => {
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s", managedFields: [{ manager: "x" }], annotations: { [LAST_APPLIED]: "{\"v\":\"hunter2\"}", keep: "me" } },
    data: { password: b64("hunter2"), empty: "" },
    stringData: { token: "héllo" }
  }

  it("masks Secret values with their byte sizes and strips managedFields and last-applied", () => {
    expect(sanitize(secret, masked)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", annotations: { keep: "me" } },
      data: { password: "<masked: 7 bytes>", empty: "<masked: 0 bytes>" },
      stringData: { token: "<masked: 6 bytes>" }
    })
  })

  it("masks items of a typed SecretList (which carry no kind) and of a generic List, at any depth", () => {
    const { apiVersion: _a, kind: _k, ...bare } = secret
    const out = JSON.stringify(sanitize({
      wrapper: [{ apiVersion: "v1", kind: "SecretList", items: [bare] }, { apiVersion: "v1", kind: "List", items: [secret] }]
    }, masked))
    expect(out).not.toContain(b64("hunter2"))
    expect(out).not.toContain("hunter2")
    expect(out).not.toContain("managedFields")
    expect(out.match(/<masked: 7 bytes>/g)).toHaveLength(2)
  })

  it("leaves other kinds' data alone and reveals Secrets when configured", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "b" } }
    expect(sanitize(cm, masked)).toEqual(cm)
    expect(sanitize(secret, { revealSecrets: true })).toMatchObject({ data: { password: b64("hunter2") } })
    // a Secret-like kind of another group is not a core Secret
    const other = { apiVersion: "example.com/v1", kind: "Secret", metadata: { name: "x" }, data: { a: "b" } }
    expect(sanitize(other, masked)).toEqual(other)
  })

  it("marks a changed value of the same size as changed", () => {
    const before = { ...secret, data: { password: b64("aaaa"), same: b64("x") } }
    const after = { ...secret, data: { password: b64("bbbb"), same: b64("x") } }
    const [b, a] = sanitizePair(before, after, masked)
    expect(b?.["data"]).toEqual({ password: "<masked: 4 bytes>", same: "<masked: 1 byte>" })
    expect(a?.["data"]).toEqual({ password: "<masked: 4 bytes, changed>", same: "<masked: 1 byte>" })
  })
})

describe("parseManifest", () => {
  const parse = (m: Parameters<typeof parseManifest>[0]) => Effect.runPromise(Effect.result(parseManifest(m)))

  it("keeps every field as written: unknown fields, x-kubernetes-* keys, timestamps as strings; expands a List; merge keys", async () => {
    const r = await parse([
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: {name: a, annotations: {when: 2024-01-01T00:00:00Z}}",
      "spec: {replicaz: 3, x-kubernetes-preserve-unknown-fields: true}",
      "---",
      "---",
      "apiVersion: v1",
      "kind: List",
      "items:",
      "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}, data: &d {k: v}}",
      "- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {<<: *d, k2: yes}}"
    ].join("\n"))
    expect(r._tag).toBe("Success")
    if (r._tag !== "Success") return
    expect(r.success.map((d) => d.name)).toEqual(["a", "b", "c"])
    expect(r.success[0]?.object).toMatchObject({
      metadata: { annotations: { when: "2024-01-01T00:00:00Z" } },
      spec: { replicaz: 3, "x-kubernetes-preserve-unknown-fields": true }
    })
    // YAML 1.2: "yes" stays a string, as Kubernetes reads it
    expect(r.success[2]?.object["data"]).toEqual({ k: "v", k2: "yes" })
  })

  it("refuses non-objects, missing names, bad apiVersions and empty manifests with the document's path", async () => {
    const cases: Array<[Parameters<typeof parseManifest>[0], string]> = [
      ["apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n[1, 2]\n", "manifest[1]"],
      [{ apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "x-" } }, "manifest.metadata.name"],
      [{ apiVersion: "../../v1", kind: "ConfigMap", metadata: { name: "a" } }, "manifest.apiVersion"],
      [{ kind: "ConfigMap", metadata: { name: "a" } }, "manifest.apiVersion"],
      ["---\n", "manifest"],
      [{ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { pw: "<masked: 7 bytes>" } }, "manifest.data.pw"],
      ["a: [", "manifest"]
    ]
    for (const [m, path] of cases) {
      const r = await parse(m)
      expect(r._tag, JSON.stringify(m)).toBe("Failure")
      if (r._tag === "Failure") expect(r.failure.issues[0]?.path).toBe(path)
    }
  })
})

describe("unifiedDiff", () => {
  it("prints hunks with context, removals before additions", () => {
    const a = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"].join("\n")
    const b = ["a", "b", "c", "D", "e", "f", "g", "h", "i", "j", "k", "l", "m"].join("\n")
    expect(unifiedDiff(a, b, "old", "new")).toBe([
      "--- old",
      "+++ new",
      "@@ -1,7 +1,7 @@",
      " a",
      " b",
      " c",
      "-d",
      "+D",
      " e",
      " f",
      " g",
      "@@ -10,3 +10,4 @@",
      " j",
      " k",
      " l",
      "+m"
    ].join("\n"))
  })

  it("joins changes separated by up to twice the context into one hunk, as diff -u does", () => {
    const d = unifiedDiff("1\n2\n3\n4\n5\n6\n7\n8", "X\n2\n3\n4\n5\n6\n7\nY", "a", "b")
    expect(d.split("\n").filter((l) => l.startsWith("@@"))).toEqual(["@@ -1,8 +1,8 @@"])
  })

  it("is empty for equal texts and all added from nothing", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", "x", "y")).toBe("")
    expect(unifiedDiff("", "a\nb\n", "/dev/null", "y")).toBe("--- /dev/null\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b")
  })

  it("aligns on the longest common subsequence", () => {
    const d = unifiedDiff("x\na\nb\nc\ny", "x\nb\nc\nd\ny", "1", "2")
    expect(d.split("\n").slice(3)).toEqual([" x", "-a", " b", " c", "+d", " y"])
  })
})

describe("changedPaths", () => {
  it("lists changed, added and removed fields with their values", () => {
    expect(changedPaths(
      { spec: { replicas: 1, gone: true, list: [1, 2] }, metadata: { labels: { a: "1" } } },
      { spec: { replicas: 3, list: [1, 5] }, metadata: { labels: { a: "1", b: "2" } } }
    )).toEqual([
      "spec.replicas: 1 → 3",
      "spec.gone: removed (was true)",
      "spec.list[1]: 2 → 5",
      "metadata.labels.b: added \"2\""
    ])
  })
})
