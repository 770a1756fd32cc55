/**
 * The configuration reference in docs/configuration.md, rendered from the key declarations: the keys table,
 * the per-context table and the flags block. test/ship/config-example.test.ts checks the file contains them.
 */
import { OPTION_LINES } from "./load.js"
import { CONTEXT_KEYS, KEYS } from "./settings.js"

const code = (s: string): string => `\`${s}\``
const row = (cells: ReadonlyArray<string>): string => `|${cells.map((c) => (c === "" ? " " : ` ${c} `)).join("|")}|`

/** `## Keys`: every key with its type, default, environment variable, flag and what it does. */
export const keysTable = (): string =>
  [
    row(["key", "type", "default", "environment variable", "flag", "what it does"]),
    "|---|---|---|---|---|---|",
    ...KEYS.map((k) =>
      row([code(k.path.join(".")), k.kind, code(k.default), code(k.env), k.flag !== undefined ? code(`--${k.flag}`) : "", k.doc])
    )
  ].join("\n")

/** `[contexts."name"]`: each key and the global key whose value it defaults to. */
export const contextKeysTable = (): string =>
  [
    row(["key", "default"]),
    "|---|---|",
    ...CONTEXT_KEYS.map((c) => row([code(c.name), c.global !== undefined ? code(c.global.path.join(".")) : "(none)"]))
  ].join("\n")

/** `## Flags`: the option lines exactly as --help prints them. */
export const flagsBlock = (): string => ["```text", ...OPTION_LINES, "```"].join("\n")
