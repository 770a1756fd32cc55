// Certificates and keys for the test control plane, minted with the system's openssl (Node's crypto can
// make keys but not X.509 certificates). Everything is reused when present, so only the first start pays.
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

export interface KeyPair {
  cert: string
  key: string
}

const openssl = async (args: string[]): Promise<void> => {
  try {
    await run("openssl", args)
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e))
    const stderr = "stderr" in err ? String(err.stderr) : ""
    throw new Error(`openssl ${args.join(" ")} failed: ${err.message}\n${stderr}`)
  }
}

// A config with only our extension section: `req -x509` would otherwise pull v3_ca (CA:TRUE) from the
// system openssl.cnf into every leaf certificate.
const writeConfig = (file: string, ext: string[]): void => {
  writeFileSync(file, ["[req]", "distinguished_name = dn", "[dn]", "[ext]", ...ext, ""].join("\n"))
}

/** Escapes a value for openssl's -subj syntax ("/CN=a/O=b"). */
const subj = (cn: string, orgs: readonly string[]): string =>
  [`/CN=${cn}`, ...orgs.map((o) => `/O=${o}`)].join("").replace(/([+,;<>"\\])/g, "\\$1")

/**
 * Writes `<dir>/<name>.crt|.key` via temporary names and renames both at the end, so an interrupted run
 * never leaves a half-written pair that the reuse check would accept.
 */
const mint = async (dir: string, name: string, args: (crt: string, key: string, cnf: string) => string[]): Promise<KeyPair> => {
  const cert = join(dir, `${name}.crt`)
  const key = join(dir, `${name}.key`)
  if (existsSync(cert) && existsSync(key)) return { cert, key }
  mkdirSync(dir, { recursive: true })
  const tmpCrt = `${cert}.tmp`
  const tmpKey = `${key}.tmp`
  const cnf = join(dir, `${name}.cnf.tmp`)
  try {
    await openssl(args(tmpCrt, tmpKey, cnf))
    renameSync(tmpKey, key)
    renameSync(tmpCrt, cert)
  } finally {
    rmSync(cnf, { force: true })
    rmSync(tmpCrt, { force: true })
    rmSync(tmpKey, { force: true })
  }
  return { cert, key }
}

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc"]
const DAYS = "3650"

/** A self-signed CA (EC P-256, 10 years). */
export const ensureCA = (dir: string, name: string, cn: string): Promise<KeyPair> =>
  mint(dir, name, (crt, key, cnf) => {
    writeConfig(cnf, [
      "basicConstraints = critical,CA:TRUE",
      "keyUsage = critical,digitalSignature,keyCertSign,cRLSign",
      "subjectKeyIdentifier = hash"
    ])
    return ["req", "-x509", "-new", "-config", cnf, "-extensions", "ext", ...ecKey, "-keyout", key, "-out", crt, "-days", DAYS, "-subj", subj(cn, [])]
  })

export interface LeafSpec {
  /** Common name: the user name for client certificates. */
  cn: string
  /** Organizations: the groups for client certificates. */
  orgs?: readonly string[]
  /** Subject alternative names for serving certificates, e.g. "IP:127.0.0.1", "DNS:localhost". */
  sans?: readonly string[]
  usage: "client" | "server"
}

/** A leaf certificate signed by `ca` (EC P-256, 10 years). */
export const ensureLeaf = (ca: KeyPair, dir: string, name: string, spec: LeafSpec): Promise<KeyPair> =>
  mint(dir, name, (crt, key, cnf) => {
    writeConfig(cnf, [
      "basicConstraints = critical,CA:FALSE",
      "keyUsage = critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage = ${spec.usage === "server" ? "serverAuth" : "clientAuth"}`,
      "authorityKeyIdentifier = keyid",
      ...(spec.sans !== undefined && spec.sans.length > 0 ? [`subjectAltName = ${spec.sans.join(",")}`] : [])
    ])
    return [
      "req", "-x509", "-new", "-config", cnf, "-extensions", "ext", ...ecKey, "-keyout", key, "-out", crt,
      "-days", DAYS, "-subj", subj(spec.cn, spec.orgs ?? []), "-CA", ca.cert, "-CAkey", ca.key
    ]
  })

/** An RSA-2048 key pair for signing service account tokens (`<name>.key`, `<name>.pub`). */
export const ensureSigningKey = async (dir: string, name: string): Promise<{ key: string; pub: string }> => {
  const key = join(dir, `${name}.key`)
  const pub = join(dir, `${name}.pub`)
  if (existsSync(key) && existsSync(pub)) return { key, pub }
  mkdirSync(dir, { recursive: true })
  await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", `${key}.tmp`])
  await openssl(["pkey", "-in", `${key}.tmp`, "-pubout", "-out", `${pub}.tmp`])
  renameSync(`${key}.tmp`, key)
  renameSync(`${pub}.tmp`, pub)
  return { key, pub }
}
