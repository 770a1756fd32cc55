/**
 * The catalog: MCP resources, resource templates, prompts and completion, as Effects over the tool kit's services
 * (ToolEnv), with no transport and no SDK in sight. A server wires each method to its request (resources/list,
 * resources/templates/list, resources/read, prompts/list, prompts/get, completion/complete) and answers a
 * CatalogError as a JSON-RPC error with its `code`, `message` and `data`. docs/resources-and-prompts.md describes it.
 */
import type { Effect } from "effect"
import type { AuditRecord } from "../../audit/auditLog.js"
import type { ToolEnv } from "../../tool/tool.js"
import { complete } from "./completions.js"
import type { CatalogError } from "./error.js"
import { getPrompt, prompts } from "./prompts.js"
import { listResources, readResource, resourceTemplates } from "./resources.js"
import type { CompleteRef, CompleteResult, GetPromptResult, Prompt, Resource, ResourceTemplate, TextResourceContents } from "./types.js"

export { CatalogError, INTERNAL_ERROR, INVALID_PARAMS, RESOURCE_NOT_FOUND } from "./error.js"
export type * from "./types.js"
export { CLUSTER_OBJECT_TEMPLATE, CONTEXTS_URI, CORE_GROUP, OBJECT_TEMPLATE, objectUri } from "./uri.js"

/** Who reads a resource, for the audit log. */
export type Caller = AuditRecord["caller"]

export interface Catalog {
  /** resources/list */
  readonly listResources: Effect.Effect<ReadonlyArray<Resource>, never, ToolEnv>
  /** resources/templates/list */
  readonly resourceTemplates: ReadonlyArray<ResourceTemplate>
  /** resources/read */
  readonly readResource: (uri: string, caller: Caller) => Effect.Effect<ReadonlyArray<TextResourceContents>, CatalogError, ToolEnv>
  /** prompts/list */
  readonly prompts: ReadonlyArray<Prompt>
  /** prompts/get */
  readonly getPrompt: (name: string, args: Readonly<Record<string, string>>) => Effect.Effect<GetPromptResult, CatalogError, ToolEnv>
  /** completion/complete; never fails (no values instead) */
  readonly complete: (
    ref: CompleteRef,
    argument: { readonly name: string; readonly value: string },
    context: Readonly<Record<string, string>>
  ) => Effect.Effect<CompleteResult, never, ToolEnv>
}

export const catalog: Catalog = { listResources, resourceTemplates, readResource, prompts, getPrompt, complete }
