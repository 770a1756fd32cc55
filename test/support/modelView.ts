/**
 * Client emulation: what the model is handed of one tool result, per kind of client.
 * - structured-first (Claude Code, Copilot CLI, Codex/opencode): `JSON.stringify(structuredContent)` whenever
 *   it is present, the text blocks dropped (anthropics/claude-code#79944, #55677);
 * - text-first (Claude Desktop, VS Code, Cursor, the Inspector): the text blocks, joined.
 * Tool tests assert the data they expect in both views.
 */
export interface RawResult {
  readonly content?: unknown
  readonly structuredContent?: unknown
}

export interface ModelViews {
  readonly structured: string
  readonly text: string
}

const textOf = (content: unknown): string =>
  (Array.isArray(content) ? content : [])
    .map((c: unknown) => (typeof c === "object" && c !== null && "text" in c && typeof c.text === "string" ? c.text : ""))
    .join("\n")

export const modelViews = (r: RawResult): ModelViews => {
  const text = textOf(r.content)
  return {
    structured: r.structuredContent !== undefined && r.structuredContent !== null ? JSON.stringify(r.structuredContent) : text,
    text
  }
}
