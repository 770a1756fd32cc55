/**
 * flake.nix as far as this machine can check it (no Nix store paths, no network to fetch nixpkgs):
 * its npmDepsHash is the one nixpkgs' fetcher would compute for the current package-lock.json
 * (recomputed by nix/npm-deps-hash.mjs, whose NAR hashing matches `nix hash path`), and, where Nix is
 * installed, flake.nix parses and nix/lock.nix evaluates to exactly what the script mirrors.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { REPO } from "../support/mcp.js"

interface HashScript {
  readonly patchLock: (lock: unknown) => unknown
  readonly nixToJson: (v: unknown) => string
  readonly lockChecksum: (text: string) => string
}
const script = (): Promise<HashScript> => import(join(REPO, "nix/npm-deps-hash.mjs")) as Promise<HashScript>

const FLAKE = readFileSync(join(REPO, "flake.nix"), "utf8")
const LOCK = readFileSync(join(REPO, "package-lock.json"), "utf8")
const hasNix = spawnSync("nix", ["--version"]).status === 0
const STALE =
  "flake.nix's npmDepsHash was computed for another package-lock.json. If you changed dependencies on purpose, run " +
  "`node nix/npm-deps-hash.mjs --write` and commit flake.nix with the lockfile. If you changed nothing and " +
  "`git status` shows package-lock.json modified, your npm rewrote it: `git checkout package-lock.json` and " +
  "install with `npm ci` (README, Quick start)"

describe("flake.nix", () => {
  it("records the checksum of the current package-lock.json", async () => {
    const recorded = /package-lock\.json sha256 ([0-9a-f]{64})/.exec(FLAKE)?.[1]
    expect(recorded, STALE).toBe((await script()).lockChecksum(LOCK))
  })

  it("npmDepsHash is what the fetcher computes for that lockfile", () => {
    const hash = execFileSync(process.execPath, [join(REPO, "nix/npm-deps-hash.mjs")], { cwd: REPO, encoding: "utf8", timeout: 300_000 }).trim()
    expect(hash).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/)
    expect(/npmDepsHash = "([^"]+)";/.exec(FLAKE)?.[1], STALE).toBe(hash)
  }, 320_000)

  it("runs `npm run build`, installs dist/ only, and wraps Node 24 as kube-mcp, from a maintained nixpkgs", () => {
    expect(FLAKE).toContain(`npmBuildScript = "build";`)
    expect(FLAKE).toContain("nodejs = pkgs.nodejs_24;")
    expect(FLAKE).toContain(`inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";`)
    expect(FLAKE).not.toMatch(/nodejs_(1\d|20)\b/)
    expect(FLAKE).toMatch(/makeWrapper \$\{pkgs\.nodejs_24\}\/bin\/node \$out\/bin\/kube-mcp --add-flags \$out\/lib\/kube-mcp\/dist\/main\.js/)
    expect(FLAKE).toMatch(/program = "\$\{self\.packages\.\$\{pkgs\.stdenv\.hostPlatform\.system\}\.default\}\/bin\/kube-mcp";/)
  })

  it.skipIf(!hasNix)("parses, and nix/lock.nix evaluates to what the hash script mirrors", async () => {
    for (const file of ["flake.nix", "nix/lock.nix"]) execFileSync("nix-instantiate", ["--parse", join(REPO, file)], { stdio: "pipe" })
    const fromNix = execFileSync(
      "nix",
      ["--extra-experimental-features", "nix-command", "eval", "--impure", "--raw", "--expr", `builtins.toJSON (import ${join(REPO, "nix/lock.nix")} ${join(REPO, "package-lock.json")})`],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
    )
    const { nixToJson, patchLock } = await script()
    expect(fromNix).toBe(nixToJson(patchLock(JSON.parse(LOCK))))
    expect(fromNix).toContain(`"resolved":"https://registry.npmjs.org/@kubernetes/client-node/-/client-node-1.4.0.tgz"`)
  })
})
