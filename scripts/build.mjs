// Bundles the server into dist/ for the published bin and the container image: one ESM entry
// (dist/main.js) plus chunks that are loaded on first use (dynamic imports in src: the Kubernetes client,
// the HTTP stack), so a stdio cold start parses only what `initialize` needs. The entry, src/entry.ts,
// enables Node's compile cache and then imports src/main.ts. Type checking is `tsc`'s job (npm run build
// runs it first); this only bundles. No source maps unless --sourcemap: they were most of the published
// tarball (bench/RESULTS.md), and identifiers stay readable in stack traces anyway (keep-names).
//
//   node scripts/build.mjs [--outdir dist] [--minify keep-names|full|none] [--sourcemap] [--external] [--no-splitting] [--meta file] [--entry file]
import { build } from "esbuild"
import { rmSync } from "node:fs"
import { createRequire } from "node:module"
import { parseArgs } from "node:util"

const { values } = parseArgs({
  options: {
    outdir: { type: "string", default: "dist" },
    // whitespace + syntax only: identifiers stay readable in stack traces in the logs
    minify: { type: "string", default: "keep-names" },
    // linked .map files next to the bundle, for debugging (node --enable-source-maps); not published
    sourcemap: { type: "boolean", default: false },
    // measurement switches (bench/RESULTS.md); the published build uses the defaults
    external: { type: "boolean", default: false },
    "no-splitting": { type: "boolean", default: false },
    meta: { type: "string" },
    entry: { type: "string", default: "src/entry.ts" }
  }
})

/**
 * node:http without its ESM facade. An ESM import of a built-in (`import http from "node:http"`, as
 * @kubernetes/client-node and the HTTP transport do) makes Node read every export of the module, and on
 * Node 22+ node:http's WebSocket, CloseEvent and MessageEvent are lazy getters that load undici: about
 * 20 ms of CPU for code we never run. This plugin serves the import from process.getBuiltinModule, which
 * reads nothing, and exports the module's other names (a name that is not here fails the build).
 */
const LAZY_HTTP_EXPORTS = new Set(["WebSocket", "CloseEvent", "MessageEvent"])
const httpWithoutFacade = {
  name: "http-without-facade",
  setup(b) {
    b.onResolve({ filter: /^(node:)?http$/ }, () => ({ path: "node:http", namespace: "builtin-without-facade" }))
    b.onLoad({ filter: /.*/, namespace: "builtin-without-facade" }, () => {
      const names = Object.keys(createRequire(import.meta.url)("node:http")).filter((n) => !LAZY_HTTP_EXPORTS.has(n) && n !== "default")
      return {
        contents: `const m = process.getBuiltinModule("node:http");\nexport default m;\nexport const { ${names.join(", ")} } = m;\n`,
        loader: "js"
      }
    })
  }
}

rmSync(values.outdir, { recursive: true, force: true })
const result = await build({
  entryPoints: { main: values.entry },
  outdir: values.outdir,
  bundle: true,
  splitting: !values["no-splitting"],
  format: "esm",
  platform: "node",
  target: "node22",
  chunkNames: "chunks/[name]-[hash]",
  minifyWhitespace: values.minify !== "none",
  minifySyntax: values.minify !== "none",
  minifyIdentifiers: values.minify === "full",
  sourcemap: values.sourcemap ? "linked" : false,
  packages: values.external ? "external" : "bundle",
  // whatwg-url and tr46 (node-fetch 2, under @kubernetes/client-node) require("punycode"): on Node 22+
  // the core module prints a DEP0040 warning, a non-JSON line on stderr. The userland package (the same
  // code, and what the core module's deprecation points to) is bundled instead; "punycode/" names the
  // package, not the built-in.
  alias: { punycode: "punycode/" },
  plugins: [httpWithoutFacade],
  // CommonJS dependencies call require() for Node built-ins; an ESM bundle has no require of its own.
  banner: { js: "import { createRequire as __kubeMcpCreateRequire } from \"node:module\";\nconst require = __kubeMcpCreateRequire(import.meta.url);" },
  legalComments: "linked",
  metafile: true,
  logLevel: "warning"
})
const outputs = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith(".js"))
const total = outputs.reduce((n, [, o]) => n + o.bytes, 0)
if (values.meta !== undefined) (await import("node:fs")).writeFileSync(values.meta, JSON.stringify(result.metafile))
process.stderr.write(`bundled ${outputs.length} file(s), ${(total / 1024 / 1024).toFixed(1)} MiB into ${values.outdir}/\n`)
