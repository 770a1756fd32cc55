/**
 * kube/helm.ts: release records decoded as helm stores them (a record helm v3.22.0 wrote on the test control
 * plane, and fixtures encoded the same way), the newest revision per release, values coalesced and masked,
 * Secrets in manifests masked; helmRun.ts: the typed error when no helm binary can be found. The end-to-end
 * proof is test/tools/helm.test.ts.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import type { ApiRequest } from "../../src/cluster/restClient.js"
import {
  coalesceValues,
  decodeReleaseData,
  encodeReleaseData,
  getRelease,
  latestReleases,
  listReleases,
  maskManifest,
  maskValues,
  releaseDetails,
  releaseOf
} from "../../src/kube/helm.js"
import { findHelm, runHelm } from "../../src/kube/helmRun.js"
import { manifestObjects } from "../../src/kube/helmWrite.js"
import { type FakeAnswer, fakeServer, makeTestKube, testKubeLayer } from "../support/kube.js"

/** data.release of sh.helm.release.v1.fx.v1 as the API server returned it: helm 3.22.0 installed chart tiny-0.1.0 with --set password=s3cret. */
const REAL_RECORD =
  "SDRzSUFBQUFBQUFDLzVSU1hXK2JTaEQ5SzJqdUt4REFzbk85VWg2dXVZbnJ0a21VMkRVMnBhcldzTURHK3lWMmNYQWovL2RxY1J6bm9hMVVpUWQyZHVlY09YUE9Dd2pNQ1NBb08zQ0JpbElDZW9HU050cDhMNGhpY2s4S1FCQUYwY2dMSXk4WUxvSVJDaTlSOUs4ZmpLT0IvUzVUY0lIaHYyd29DQ09tZjlvZmRONVFaYWdVZ0dBbXRNR01PYm5reWo0Q0Y3VEJwdFdBNEkzQ0JTRU5zYVZGamNWV082VnNISHJzcEtKeXlzN1BCQnhjeUd2Y0dDdUtFNE1MYkxEOWZ4VnRxTmlEQ3p2UzZDTjE0SWQrQUM1Z1JaZHZ4VjNVVjlTNUV2cVJQN0RnVE9aYlFLSmx6QVZEdUdLNG4rbnJtZUZVdkxpN1gxelBmZE1acTdjZkE1YlR1dDV3ODJNMlRYYzVuYWlOdUF2V1NhZHhNaFN6RCtaeUZnL25hZEt4OWVxT2ZkNE82MDN5cFNwWFFSdFhWMWR3Y0g5QmtrdFIwb3BqNWU4eFoyZW05V3FpbG55NXp5TzIyenpKcW5pNi9vUWoxcWIveStvaEdyY3BaMktSM0R6SFBHVEY5R2E3WGozVzk1V3NadE9lZGZTSGFjejZ0VC9tajNVeHZSN0Y5TDhxSFh4azZlcFJiWGgrNmszV1NSZW1xOXYyM1YxVnhwT3VTTVpCT3ArTXl3ZDVCWWR2THV3d2ErMFdYNkJxQ0RGVVZJQ2dKb3hKY0VGaHJaOWxZNFBUTytzVnBNUXRNOVlObmRlRTQ1TWZKV1VXeFI1c0RQck5XTkIzQ0hxUU42UnY1VmpRa21nRENEelB5OFEvemx5MlRVNlFZek55OGJzTlorS2NGT1Rzd2t4c3FTaVFFL2V2YnJIS3hDbDJLQk9PWXcxRFR0bDVSNWhNdk4yY3BDSW5PMnJOSUJQdnN4bTZ2ZDFhNGR4NnZ1VzU4bXJDdUZmU3pyUU5nY1BQQUFBQS8vOXNEblNGekFNQUFBPT0="

const MANIFEST = [
  "---",
  "# Source: web/templates/secret.yaml",
  "apiVersion: v1",
  "kind: Secret",
  "metadata:",
  "  name: web-creds",
  "stringData:",
  "  password: hunter2",
  "---",
  "# Source: web/templates/configmap.yaml",
  "apiVersion: v1",
  "kind: ConfigMap",
  "metadata:",
  "  name: web-config",
  "data:",
  "  greeting: hello",
  ""
].join("\n")

const fixture = (version: number, status: string, overrides: Record<string, unknown> = {}) => ({
  name: "web",
  namespace: "shop",
  version,
  info: { first_deployed: "2026-01-01T00:00:00Z", last_deployed: `2026-01-0${version}T00:00:00Z`, status, description: `rev ${version}`, notes: "Visit web" },
  chart: {
    metadata: { name: "web", version: `1.${version}.0`, appVersion: "2.0" },
    values: { replicas: 1, db: { host: "db", password: "chart-default" } }
  },
  config: { db: { password: "s3cret" } },
  manifest: MANIFEST,
  hooks: [{ name: "web-test", kind: "Pod", events: ["test"], manifest: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-test\n" }],
  ...overrides
})

const secretOf = (release: ReturnType<typeof fixture>) => ({
  metadata: {
    name: `sh.helm.release.v1.${release.name}.v${release.version}`,
    namespace: release.namespace,
    labels: { owner: "helm", name: release.name, version: String(release.version), status: release.info.status }
  },
  type: "helm.sh/release.v1",
  data: { release: encodeReleaseData(release) }
})

describe("release records", () => {
  it.effect("decodes a record written by helm 3.22.0 (base64 of base64 of gzip of JSON)", () =>
    Effect.gen(function*() {
      const r = releaseOf(yield* decodeReleaseData(REAL_RECORD), "kmcp-helm-fixture")
      expect(r).toMatchObject({ name: "fx", namespace: "kmcp-helm-fixture", revision: 1, status: "deployed", chart: "tiny-0.1.0", appVersion: "1.2.3" })
      expect(r.raw.config).toEqual({ password: "s3cret" })
      expect(r.raw.manifest).toContain("name: fx-config")
      expect(r.raw.info?.notes).toContain("Thanks for installing fx.")
    }))

  it.effect("decodes what encodeReleaseData writes, and records helm wrote without gzip", () =>
    Effect.gen(function*() {
      const release = fixture(2, "deployed")
      expect((yield* decodeReleaseData(encodeReleaseData(release))).config).toEqual(release.config)
      const plain = Buffer.from(Buffer.from(JSON.stringify(release)).toString("base64")).toString("base64")
      expect((yield* decodeReleaseData(plain)).version).toBe(2)
    }))

  it.effect("a record that is not a release fails with the reason", () =>
    Effect.gen(function*() {
      const junk = Buffer.from(Buffer.from(gzipSync(Buffer.from("{\"nope\": 1}"))).toString("base64")).toString("base64")
      const why = yield* Effect.flip(decodeReleaseData(junk))
      expect(why).toContain("not a helm release")
    }))
})

describe("listing and reading on the Kube test layer", () => {
  const records = [fixture(1, "superseded"), fixture(2, "superseded"), fixture(3, "deployed"), { ...fixture(1, "failed"), name: "api" }]
  const server = fakeServer((req: ApiRequest): FakeAnswer => {
    if (req.path.endsWith("/secrets")) {
      const selector = String(req.query?.["labelSelector"] ?? "")
      const name = /,name=(.*)$/.exec(selector)?.[1]
      return { body: { items: records.filter((r) => name === undefined || r.name === name).map(secretOf) } }
    }
    const m = /\/secrets\/sh\.helm\.release\.v1\.(.+)\.v(\d+)$/.exec(req.path)
    const found = records.find((r) => r.name === m?.[1] && String(r.version) === m?.[2])
    return found !== undefined ? { body: secretOf(found) } : { status: 404, body: { kind: "Status", reason: "NotFound", code: 404, message: "not found" } }
  })

  it.effect("helm list: the newest revision of each release, by server-side label selector", () =>
    Effect.gen(function*() {
      const releases = yield* listReleases("shop")
      expect(releases.map((r) => [r.name, r.revision, r.status, r.chart])).toEqual([["api", 1, "failed", "web-1.1.0"], ["web", 3, "deployed", "web-1.3.0"]])
      expect(server.requests.at(-1)).toContain("labelSelector=owner%3Dhelm")
    }).pipe(Effect.provide(testKubeLayer(server))))

  it.effect("a revision by name, the newest by default, NotFound for one that is not kept", () =>
    Effect.gen(function*() {
      expect((yield* getRelease("shop", "web")).revision).toBe(3)
      expect((yield* getRelease("shop", "web", 2)).status).toBe("superseded")
      const e = yield* Effect.flip(getRelease("shop", "web", 9))
      expect(e._tag).toBe("NotFound")
      expect(e.message).toContain("Revision 9")
    }).pipe(Effect.provide(testKubeLayer(server))))

  it.effect("a context that denies secrets cannot read releases, and the error says why", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(listReleases("shop"))
      expect(e._tag).toBe("PolicyDenied")
      expect(e.details).toContain("Helm stores releases as Secrets")
    }).pipe(Effect.provide(testKubeLayer(server, { settings: { deniedResources: ["secrets"] } }))))

  it("latestReleases keeps one row per namespace/name", () => {
    const a = releaseOf(fixture(1, "superseded"), "shop")
    const b = releaseOf(fixture(2, "deployed"), "shop")
    const other = releaseOf({ ...fixture(1, "deployed"), namespace: "other" }, "other")
    expect(latestReleases([b, a, other]).map((r) => `${r.namespace}/${r.name}@${r.revision}`)).toEqual(["other/web@1", "shop/web@2"])
  })
})

describe("values and manifests fit to show", () => {
  it("coalesces chart values with the user's (user wins, null removes)", () => {
    expect(coalesceValues({ a: 1, db: { host: "db", port: 5432 }, gone: true }, { db: { port: 6543 }, gone: null, extra: "x" }))
      .toEqual({ a: 1, db: { host: "db", port: 6543 }, extra: "x" })
  })

  it("masks every leaf, keeping keys and sizes", () => {
    expect(maskValues({ db: { password: "s3cret", port: 5432 }, hosts: ["a", "bb"], none: null }))
      .toEqual({ db: { password: "<masked: 6 bytes>", port: "<masked: 4 bytes>" }, hosts: ["<masked: 1 byte>", "<masked: 2 bytes>"], none: null })
  })

  it("masks the Secrets of a manifest and keeps the other documents as rendered", () => {
    const masked = maskManifest(MANIFEST, false)
    expect(masked).not.toContain("hunter2")
    expect(masked).toContain("password: '<masked: 7 bytes>'")
    expect(masked).toContain("# Source: web/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap")
    expect(masked).toContain("greeting: hello")
    expect(maskManifest(MANIFEST, true)).toBe(MANIFEST)
  })

  it("helm_get's parts: values masked unless revealed, computed values on request", () => {
    const r = releaseOf(fixture(3, "deployed"), "shop")
    const masked = releaseDetails(r, ["values", "notes", "hooks"], { allValues: false, revealSecrets: false })
    expect(masked.values).toEqual({ db: { password: "<masked: 6 bytes>" } })
    expect(masked.notes).toBe("Visit web")
    expect(masked.hooks?.[0]).toMatchObject({ name: "web-test", kind: "Pod", events: ["test"] })
    expect(masked.manifest).toBeUndefined()
    const all = releaseDetails(r, ["values"], { allValues: true, revealSecrets: true })
    expect(all.values).toEqual({ replicas: 1, db: { host: "db", password: "s3cret" } })
  })

  it("lists the objects of a rendered manifest", () => {
    expect(manifestObjects(MANIFEST).map((o) => `${o.kind}/${o.name}`)).toEqual(["Secret/web-creds", "ConfigMap/web-config"])
  })
})

describe("finding helm", () => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-helm-unit-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const fake = join(dir, "helm")
  writeFileSync(fake, "#!/bin/sh\necho fake\n")
  chmodSync(fake, 0o755)

  it.effect("HelmUnavailable when helm is not on PATH and none is configured", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(findHelm("dev", { binary: "", timeoutMs: 1000 }, { PATH: "/nonexistent" }))
      expect(e._tag).toBe("HelmUnavailable")
      expect(e.message).toContain("not on the server's PATH")
      expect(e.details).toContain("[helm] binary")
    }))

  it.effect("HelmUnavailable when the configured path is missing; a configured path or PATH entry is used", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(findHelm("dev", { binary: join(dir, "missing"), timeoutMs: 1000 }, { PATH: dir }))
      expect(e.message).toContain("does not exist or is not executable")
      expect(yield* findHelm("dev", { binary: fake, timeoutMs: 1000 }, { PATH: "" })).toBe(fake)
      expect(yield* findHelm("dev", { binary: "", timeoutMs: 1000 }, { PATH: `/nonexistent:${dir}` })).toBe(fake)
    }))
})

describe("running helm (a fake helm script that records what it was given)", () => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-helm-run-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const record = join(dir, "record")
  const script = (name: string, body: string): string => {
    const file = join(dir, name)
    writeFileSync(file, `#!/bin/sh\n${body}\n`)
    chmodSync(file, 0o755)
    return file
  }
  // records its arguments, the kubeconfig's mode and directory, and the values file it got
  const recorder = script("helm-ok", [
    `printf '%s\\n' "$@" > ${record}.args`,
    `kc=""; vf=""; prev=""; for a in "$@"; do [ "$prev" = --kubeconfig ] && kc="$a"; [ "$prev" = -f ] && vf="$a"; prev="$a"; done`,
    `stat -c %a "$kc" > ${record}.mode; dirname "$kc" > ${record}.dir; cat "$vf" > ${record}.values`,
    `echo '{"name":"web","version":1,"namespace":"shop","info":{"status":"deployed"}}'`
  ].join("\n"))
  const kube = makeTestKube(fakeServer(() => ({ body: {} })))

  it.live("passes the connection flags, a 0600 kubeconfig and values in a private file, all removed afterwards", () =>
    Effect.gen(function*() {
      const out = yield* runHelm(yield* kube, { binary: recorder, timeoutMs: 90_000 }, {
        args: ["install", "-o", "json", "--", "web", "./chart"],
        namespace: "shop",
        valuesFiles: [JSON.stringify({ password: "s3cret" })],
        timeoutFlag: true
      })
      expect(out.stdout).toContain(`"name":"web"`)
      const args = readFileSync(`${record}.args`, "utf8").trim().split("\n")
      expect(args.slice(0, 3)).toEqual(["install", "-o", "json"])
      expect(args.slice(-3)).toEqual(["--", "web", "./chart"])
      expect(args).toEqual(expect.arrayContaining(["--namespace", "shop", "--timeout", "1m30s", "-f"]))
      expect(args.join(" ")).not.toContain("s3cret")
      expect(readFileSync(`${record}.mode`, "utf8").trim()).toBe("600")
      expect(readFileSync(`${record}.values`, "utf8")).toContain("s3cret")
      expect(existsSync(readFileSync(`${record}.dir`, "utf8").trim())).toBe(false)
    }))

  it.live("a failing helm: HelmFailed with helm's reason and exit code; 'release: not found' is NotFound", () =>
    Effect.gen(function*() {
      const failing = script("helm-fail", "echo 'Error: INSTALLATION FAILED: chart broke' >&2; exit 3")
      const e = yield* Effect.flip(runHelm(yield* kube, { binary: failing, timeoutMs: 10_000 }, { args: ["install"], namespace: "shop" }))
      expect(e).toMatchObject({ _tag: "HelmFailed", message: "helm failed: INSTALLATION FAILED: chart broke", exit_code: 3 })
      const missing = script("helm-missing", "echo 'Error: uninstall: Release not loaded: web: release: not found' >&2; exit 1")
      const nf = yield* Effect.flip(runHelm(yield* kube, { binary: missing, timeoutMs: 10_000 }, { args: ["uninstall"], namespace: "shop" }))
      expect(nf._tag).toBe("NotFound")
    }))

  it.live("a helm that outlives its timeout is killed with what it started: Timeout", () =>
    Effect.gen(function*() {
      const slow = script("helm-slow", `sleep 30 & echo $! > ${record}.pid; wait`)
      const e = yield* Effect.flip(runHelm(yield* kube, { binary: slow, timeoutMs: 200, killGraceMs: 300 }, { args: ["upgrade"], namespace: "shop" }))
      expect(e._tag).toBe("Timeout")
      // the child helm started (a `sleep`) is gone too: no process, or a zombie waiting to be reaped
      const pid = readFileSync(`${record}.pid`, "utf8").trim()
      const alive = () => {
        try {
          return !/^\d+ \(.*\) Z/u.test(readFileSync(`/proc/${pid}/stat`, "utf8"))
        } catch {
          return false
        }
      }
      for (let i = 0; i < 30 && alive(); i++) yield* Effect.sleep("100 millis")
      expect(alive()).toBe(false)
    }))
})
