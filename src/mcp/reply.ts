/** What tool handlers return; the budgeter (budget.ts) turns a Reply into the MCP result, within the byte cap. */

/** Rows of a listing: the columns a person reads, not raw objects. */
export interface TableReply {
  readonly _tag: "Table"
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  /** Continue token from the API server when more items exist. */
  readonly continue?: string | undefined
  /** What to say about narrowing when the table is cut (tool-specific hints). */
  readonly narrow?: string
  readonly summary?: string
}

/** One document (summary, YAML or JSON rendering of an object) plus its structured form. */
export interface DocumentReply {
  readonly _tag: "Document"
  readonly data: unknown
  readonly format: "yaml" | "json"
  readonly narrow?: string
}

/** Free text (logs, exec output, diffs) with optional structured metadata kept beside it. */
export interface TextReply {
  readonly _tag: "Text"
  readonly text: string
  readonly data?: Readonly<Record<string, unknown>>
  readonly narrow?: string
  /** Keep the end rather than the start when cutting (logs: the newest lines matter most). */
  readonly keepTail?: boolean
}

export type Reply = TableReply | DocumentReply | TextReply

export const table = (r: Omit<TableReply, "_tag">): TableReply => ({ _tag: "Table", ...r })
export const document = (data: unknown, format: "yaml" | "json" = "yaml", narrow?: string): DocumentReply => ({
  _tag: "Document",
  data,
  format,
  ...(narrow !== undefined ? { narrow } : {})
})
export const text = (r: Omit<TextReply, "_tag">): TextReply => ({ _tag: "Text", ...r })
