#!/usr/bin/env node
// Computes flake.nix's npmDepsHash without Nix: what nixpkgs' prefetch-npm-deps would print for the
// package-lock.json that nix/lock.nix produces (resolved URLs added).
//
//   node nix/npm-deps-hash.mjs            print the hash
//   node nix/npm-deps-hash.mjs --write    also update npmDepsHash and the lock checksum in flake.nix
//   node nix/npm-deps-hash.mjs --out DIR  also write the fetcher's output tree (check: nix-hash --type sha256 --sri DIR)
//
// prefetch-npm-deps' output is a directory holding `package-lock.json` (the lock it was given, verbatim)
// and `_cacache`, an npm cache with one entry per distinct `resolved` URL: the tarball under
// content-v2/<algo>/<hex digest split 2/2/rest> and an index line under index-v5/<sha256(key) split 2/2/rest>
// ("<sha1 of the JSON>\t<JSON>", time 0). Its hash is the SHA-256 of the directory's NAR serialisation.
// Tarballs come from npm's own cache (`npm cache add` fills what is missing, e.g. other platforms'
// optional packages), so they are the registry's bytes, checked against the lock's integrity.
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { delimiter, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const REGISTRY = "https://registry.npmjs.org/"
const { values } = parseArgs({ options: { write: { type: "boolean", default: false }, out: { type: "string" } } })

// ---- nix/lock.nix, mirrored ----------------------------------------------------------------------------
const nameOf = (path, p) => p.name ?? /.*node_modules\/(.*)$/.exec(path)[1]
const baseOf = (name) => name.replace(/^@[^/]+\//, "")
export const patchLock = (lock) => ({
  ...lock,
  packages: Object.fromEntries(
    Object.entries(lock.packages).map(([path, p]) =>
      path === "" || p.resolved !== undefined || p.link === true || p.inBundle === true || p.version === undefined
        ? [path, p]
        : [path, { ...p, resolved: `${REGISTRY}${nameOf(path, p)}/-/${baseOf(nameOf(path, p))}-${p.version}.tgz` }]
    )
  )
})

/** builtins.toJSON: attribute names sorted, no whitespace, Nix's string escapes. */
export const nixToJson = (v) => {
  if (v === null) return "null"
  if (typeof v === "boolean" || typeof v === "number") return String(v)
  if (typeof v === "string") {
    return `"${v.replace(/[\\"\u0000-\u001f]/g, (c) =>
      ({ "\\": "\\\\", "\"": "\\\"", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`
  }
  if (Array.isArray(v)) return `[${v.map(nixToJson).join(",")}]`
  const keys = Object.keys(v).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))))
  return `{${keys.map((k) => `${nixToJson(k)}:${nixToJson(v[k])}`).join(",")}}`
}

// ---- prefetch-npm-deps, mirrored -----------------------------------------------------------------------
const ALGOS = ["sha1", "sha512"]
const best = (integrity) =>
  integrity.split(/\s+/).filter((h) => ALGOS.includes(h.split("-")[0])).sort((a, b) => ALGOS.indexOf(a.split("-")[0]) - ALGOS.indexOf(b.split("-")[0])).at(-1)

const packagesOf = (lock) => {
  const byUrl = new Map()
  for (const [path, p] of Object.entries(lock.packages)) {
    if (path === "" || typeof p.resolved !== "string" || !/^https?:\/\//.test(p.resolved)) continue
    const url = new URL(p.resolved).href
    if (!byUrl.has(url)) byUrl.set(url, { url, spec: `${nameOf(path, p)}@${p.version}`, integrity: best(p.integrity) })
  }
  return [...byUrl.values()].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0))
}

/**
 * The directory of the npm that `npm` on PATH runs (its own cacache). Not `npm root -g`: with a node that
 * is not where npm is installed first on PATH (.ci/run's Node 24 from a cache directory), the global root
 * follows that node's prefix, which holds no npm.
 */
const npmDir = () => {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const bin = join(dir, "npm")
    if (!existsSync(bin)) continue
    for (let d = dirname(realpathSync(bin)); d !== dirname(d); d = dirname(d)) {
      const pkg = join(d, "package.json")
      if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "npm") return d
    }
  }
  throw new Error("no npm on PATH")
}

const npmCache = () => {
  const cacache = createRequire(join(npmDir(), "package.json"))("cacache")
  const dir = join(execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim(), "_cacache")
  return { get: (integrity) => cacache.get.byDigest(dir, integrity).then((b) => b, () => undefined) }
}

const tarballs = async (pkgs) => {
  const cache = npmCache()
  const missing = []
  const data = new Map()
  for (const p of pkgs) {
    const b = await cache.get(p.integrity)
    if (b === undefined) missing.push(p)
    else data.set(p.url, b)
  }
  if (missing.length > 0) {
    process.stderr.write(`npm cache add: ${missing.length} package(s) not in npm's cache\n`)
    execFileSync("npm", ["cache", "add", ...missing.map((p) => p.spec)], { stdio: ["ignore", "ignore", "inherit"] })
    for (const p of missing) {
      const b = await cache.get(p.integrity)
      if (b === undefined) throw new Error(`${p.spec} (${p.integrity}) is not in npm's cache after npm cache add`)
      data.set(p.url, b)
    }
  }
  for (const p of pkgs) {
    const [algo, b64] = [p.integrity.split("-")[0], p.integrity.slice(p.integrity.indexOf("-") + 1)]
    if (createHash(algo).update(data.get(p.url)).digest("base64") !== b64) throw new Error(`integrity mismatch for ${p.spec}`)
  }
  return data
}

const split = (hex) => [hex.slice(0, 2), hex.slice(2, 4), hex.slice(4)]

/** The fetcher's output as a tree: nested objects for directories, Buffers for files. */
const fetcherTree = (lockText, pkgs, data) => {
  const tree = { "package-lock.json": Buffer.from(lockText) }
  const put = (parts, value) => {
    let node = tree
    for (const part of parts.slice(0, -1)) node = node[part] ??= {}
    const last = parts.at(-1)
    node[last] = node[last] === undefined || !Buffer.isBuffer(value) ? value : Buffer.concat([node[last], value])
  }
  for (const p of pkgs) {
    const body = data.get(p.url)
    const algo = p.integrity.split("-")[0]
    const digest = Buffer.from(p.integrity.slice(algo.length + 1), "base64").toString("hex")
    put(["_cacache", "content-v2", algo, ...split(digest)], body)
    const key = `make-fetch-happen:request-cache:${p.url}`
    const json = JSON.stringify({ key, integrity: p.integrity, time: 0, size: body.length, metadata: { url: p.url, options: { compress: true } } })
    const line = `${createHash("sha1").update(json).digest("hex")}\t${json}`
    put(["_cacache", "index-v5", ...split(createHash("sha256").update(key).digest("hex"))], Buffer.from(line))
  }
  return tree
}

// ---- NAR -----------------------------------------------------------------------------------------------
const narString = (s) => {
  const bytes = Buffer.isBuffer(s) ? s : Buffer.from(s)
  const len = Buffer.alloc(8)
  len.writeBigUInt64LE(BigInt(bytes.length))
  return [len, bytes, Buffer.alloc((8 - (bytes.length % 8)) % 8)]
}
const narNode = (node) => {
  if (Buffer.isBuffer(node)) return ["(", "type", "regular", "contents", node, ")"]
  const names = Object.keys(node).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  return ["(", "type", "directory", ...names.flatMap((n) => ["entry", "(", "name", n, "node", ...narNode(node[n]), ")"]), ")"]
}
export const narHash = (tree) => {
  const h = createHash("sha256")
  for (const part of ["nix-archive-1", ...narNode(tree)]) for (const b of narString(part)) h.update(b)
  return `sha256-${h.digest("base64")}`
}

const writeTree = (dir, tree) => {
  mkdirSync(dir, { recursive: true })
  for (const [name, node] of Object.entries(tree)) {
    if (Buffer.isBuffer(node)) writeFileSync(join(dir, name), node)
    else writeTree(join(dir, name), node)
  }
}

export const lockChecksum = (text) => createHash("sha256").update(text).digest("hex")

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lockText = readFileSync(join(ROOT, "package-lock.json"), "utf8")
  const patched = nixToJson(patchLock(JSON.parse(lockText)))
  const pkgs = packagesOf(JSON.parse(patched))
  const tree = fetcherTree(patched, pkgs, await tarballs(pkgs))
  const hash = narHash(tree)
  if (values.out !== undefined) writeTree(values.out, tree)
  if (values.write) {
    const flake = join(ROOT, "flake.nix")
    const text = readFileSync(flake, "utf8")
      .replace(/npmDepsHash = "[^"]*";/, `npmDepsHash = "${hash}";`)
      .replace(/package-lock\.json sha256 [0-9a-f]{64}/, `package-lock.json sha256 ${lockChecksum(lockText)}`)
    writeFileSync(flake, text)
  }
  process.stdout.write(`${hash}\n`)
}
