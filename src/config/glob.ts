/**
 * Context-name patterns (contexts_allow/deny, `[contexts."prod-*"]`, the `contexts` parameter): `*` any
 * characters, `?` one, over the whole name. Not a path glob (minimatch, path.matchesGlob): context names such
 * as EKS ARNs contain `/`, which `*` must match.
 */
export const isGlob = (pattern: string): boolean => pattern.includes("*") || pattern.includes("?")

export const globToRegExp = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/gu, "\\$&").replace(/\*/gu, ".*").replace(/\?/gu, ".")}$`, "u")

/** Whether `name` matches any of `patterns` (plain names match themselves). */
export const matchesAny = (name: string, patterns: ReadonlyArray<string>): boolean =>
  patterns.some((p) => (isGlob(p) ? globToRegExp(p).test(name) : p === name))
