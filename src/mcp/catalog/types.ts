/**
 * MCP's wire shapes for resources, prompts and completion (the same in protocol 2025-11-25 and 2026-07-28), written
 * out here so the catalog depends on no SDK generation. Object type aliases rather than `interface`s: an alias is
 * assignable to the SDKs' open (index-signature) result types, an interface is not. Arrays inside results are
 * mutable for the same reason; each call builds its own.
 */

/** A concrete resource (resources/list). */
export type Resource = {
  readonly uri: string
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly mimeType?: string
}

/** A family of resources named by an RFC 6570 URI template (resources/templates/list). */
export type ResourceTemplate = {
  readonly uriTemplate: string
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly mimeType?: string
}

/** One text part of a resources/read answer. */
export type TextResourceContents = {
  readonly uri: string
  readonly mimeType?: string
  readonly text: string
}

export type PromptArgument = {
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly required?: boolean
}

/** A prompt as prompts/list announces it. */
export type Prompt = {
  readonly name: string
  readonly title?: string
  readonly description?: string
  readonly arguments?: Array<PromptArgument>
}

export type TextContent = {
  readonly type: "text"
  readonly text: string
}

export type PromptMessage = {
  readonly role: "user" | "assistant"
  readonly content: TextContent
}

/** The answer of prompts/get. */
export type GetPromptResult = {
  readonly description?: string
  readonly messages: Array<PromptMessage>
}

/** What completion/complete completes: a prompt's argument, or a variable of a resource template. */
export type CompleteRef =
  | { readonly type: "ref/prompt"; readonly name: string }
  | { readonly type: "ref/resource"; readonly uri: string }

/** At most 100 values; `total` when the whole number of matches is known, `hasMore` when more exist than shown. */
export type CompleteResult = {
  readonly completion: {
    readonly values: Array<string>
    readonly total?: number
    readonly hasMore?: boolean
  }
}
