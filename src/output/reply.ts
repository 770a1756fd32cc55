/**
 * What tool handlers return; the budgeter (budget.ts) renders a Reply twice, as `structuredContent` (what
 * structured-first clients such as Claude Code, Copilot CLI and Codex hand the model) and as text (what the
 * others show), both carrying the same data within the byte cap.
 */
import { Schema } from "effect"

/** Rows of a listing: the columns a person reads, not raw objects. */
export interface TableReply {
  readonly _tag: "Table"
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  /** Continue token from the API server when more items exist. */
  readonly continue?: string | undefined
  /** What to say about narrowing when the table is cut (tool-specific hints). */
  readonly narrow?: string
  /** A line about the whole listing (e.g. "3 node(s)…"); `notes` in the structured form. */
  readonly summary?: string
  /** Headers in the text table upper-cased (default), or as given (custom columns, as kubectl prints them). */
  readonly headers?: "upper" | "as-given"
}

/** One document (summary, YAML or JSON rendering of an object): the object is the structured form. */
export interface DocumentReply {
  readonly _tag: "Document"
  readonly data: Readonly<Record<string, unknown>>
  readonly format: "yaml" | "json"
  readonly narrow?: string
}

/**
 * A report (logs, exec output, describe, diff, mutation results): `data` is the structured form and `text`
 * its rendering for people. When `field` is set, the structured form also carries `text` under that name
 * (logs: "log", diff: "diff"), cut exactly as the text block is.
 */
export interface TextReply {
  readonly _tag: "Text"
  readonly text: string
  readonly data: Readonly<Record<string, unknown>>
  readonly field?: string
  readonly narrow?: string
  /** Keep the end rather than the start when cutting (logs: the newest lines matter most). */
  readonly keepTail?: boolean
}

/** One context's part of a call across many contexts: its reply, or why it has none. */
export type FanoutPart =
  | { readonly context: string; readonly reply: Reply }
  | { readonly context: string; readonly failure: ContextFailure }

/**
 * The replies of one call run against many contexts (the `contexts` parameter), in context order. The budgeter
 * merges tables into one with a CONTEXT column first, and gives anything else one section per context; either
 * way each context gets a fair share of the byte budget.
 */
export interface FanoutReply {
  readonly _tag: "Fanout"
  readonly parts: ReadonlyArray<FanoutPart>
  readonly narrow?: string
}

export type Reply = TableReply | DocumentReply | TextReply | FanoutReply

export const table = (r: Omit<TableReply, "_tag">): TableReply => ({ _tag: "Table", ...r })
export const document = (data: Readonly<Record<string, unknown>>, format: "yaml" | "json" = "yaml", narrow?: string): DocumentReply => ({
  _tag: "Document",
  data,
  format,
  ...(narrow !== undefined ? { narrow } : {})
})
export const text = (r: Omit<TextReply, "_tag">): TextReply => ({ _tag: "Text", ...r })
export const fanout = (parts: ReadonlyArray<FanoutPart>, narrow?: string): FanoutReply => ({
  _tag: "Fanout",
  parts,
  ...(narrow !== undefined ? { narrow } : {})
})

// ---- the shapes of structuredContent, as Effect Schemas: the source of every tool's outputSchema ----

/** What a cut result says about the cut, in both views. */
export const Truncation = Schema.Struct({
  shown: Schema.Finite.annotate({ description: "rows, or bytes of text, shown" }),
  total: Schema.Finite.annotate({ description: "rows, or bytes of text, before the cut" }),
  note: Schema.String.annotate({ description: "what was cut and how to narrow the request" })
})

/** A table result: the column list once, then one array of cells per row. */
export const TableOutput = Schema.Struct({
  columns: Schema.Array(Schema.String),
  rows: Schema.Array(Schema.Array(Schema.String)).annotate({ description: "one array of cells per row, in column order" }),
  count: Schema.Finite.annotate({ description: "rows in this answer" }),
  continue: Schema.optionalKey(Schema.String.annotate({ description: "pass as `continue` to get the next page" })),
  truncated: Schema.optionalKey(Truncation),
  notes: Schema.optionalKey(Schema.Array(Schema.String))
})
export type TableOutput = typeof TableOutput.Type

/** A document too large for the budget: its text form, cut at a line boundary. */
export const CutDocumentOutput = Schema.Struct({
  format: Schema.Literals(["yaml", "json"]),
  document: Schema.String.annotate({ description: "the start of the document's text form" }),
  truncated: Truncation
})

/** Any Kubernetes object or other free-form document. */
export const ObjectOutput = Schema.Record(Schema.String, Schema.Unknown)

/** Why one context of a call across many contexts has no answer (the error result's type and words). */
export const ContextFailure = Schema.Struct({
  type: Schema.String.annotate({ description: "the error type, as in an error result (Unavailable, Timeout, Forbidden, …)" }),
  message: Schema.String,
  details: Schema.optionalKey(Schema.String)
})
export type ContextFailure = typeof ContextFailure.Type

const answeredOf = {
  answered: Schema.Finite.annotate({ description: "how many of the selected contexts answered" }),
  asked: Schema.Finite.annotate({ description: "how many contexts the call selected" })
}

/** A table merged across contexts: CONTEXT is the first column; `contexts` says how each context fared. */
export const FanoutTableOutput = Schema.Struct({
  columns: Schema.Array(Schema.String),
  rows: Schema.Array(Schema.Array(Schema.String)).annotate({ description: "one array of cells per row, the context first" }),
  count: Schema.Finite.annotate({ description: "rows in this answer, all contexts together" }),
  ...answeredOf,
  contexts: Schema.Array(Schema.Struct({
    context: Schema.String,
    ok: Schema.Boolean,
    rows: Schema.optionalKey(Schema.Finite.annotate({ description: "rows of this context shown" })),
    total: Schema.optionalKey(Schema.Finite.annotate({ description: "rows of this context before the budget cut them" })),
    continue: Schema.optionalKey(Schema.String.annotate({ description: "more items exist: call again with this context and continue" })),
    notes: Schema.optionalKey(Schema.Array(Schema.String)),
    error: Schema.optionalKey(ContextFailure)
  })),
  truncated: Schema.optionalKey(Truncation)
})

/** Anything other than tables across contexts: one section per context, its result as the tool gives it alone. */
export const FanoutSectionsOutput = Schema.Struct({
  ...answeredOf,
  contexts: Schema.Array(Schema.Struct({
    context: Schema.String,
    ok: Schema.Boolean,
    result: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown).annotate({
      description: "the context's result, in the shape the tool gives for one context"
    })),
    error: Schema.optionalKey(ContextFailure)
  })),
  truncated: Schema.optionalKey(Truncation)
})
