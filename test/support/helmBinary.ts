/** The helm binary build-helm.sh leaves in its cache (the version is the script's default). */
import { existsSync, readFileSync } from "node:fs"
import { homedir } from "node:os"
import { join } from "node:path"
import { REPO } from "./mcp.js"

const HELM_VERSION = /HELM_VERSION="\$\{HELM_VERSION:-(v[0-9.]+)\}"/.exec(readFileSync(join(REPO, "test/cluster/build-helm.sh"), "utf8"))?.[1] ?? "?"
export const HELM = join(process.env["KUBE_MCP_HELM_BIN"] ?? join(homedir(), ".cache/kube-mcp/helm", HELM_VERSION), "helm")
export const HAVE_HELM = existsSync(HELM)
