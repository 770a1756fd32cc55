/**
 * The one error of the catalog (resources/read, prompts/get): a JSON-RPC error code and a message stating the
 * rule, so a transport answers it as a JSON-RPC error as it is. Errors of the cluster and of the registry go
 * through the tool kit's mapping (tool/errorResult.ts): the same words, and the same structured fields in `data`.
 */
import { Schema } from "effect"
import type { ToolError } from "../../errors.js"
import { errorFields, errorLines } from "../../tool/errorResult.js"

/** JSON-RPC: the request's parameters are wrong (a malformed URI, an unknown prompt, a missing argument, a refusal). */
export const INVALID_PARAMS = -32602
/** MCP: the resource does not exist (no such object, kind or context). */
export const RESOURCE_NOT_FOUND = -32002
/** JSON-RPC: the server could not do it (the cluster did not answer, or answered with an error). */
export const INTERNAL_ERROR = -32603

export class CatalogError extends Schema.TaggedError<CatalogError>()("CatalogError", {
  code: Schema.Literals([INVALID_PARAMS, RESOURCE_NOT_FOUND, INTERNAL_ERROR]),
  message: Schema.String,
  /** The structured error (type, message, details, cluster, …) as a tool result's `error` has it. */
  data: Schema.optional(Schema.Record(Schema.String, Schema.Unknown))
}) {}

export const invalidParams = (message: string, data?: Record<string, unknown>): CatalogError =>
  new CatalogError({ code: INVALID_PARAMS, message, ...(data !== undefined ? { data } : {}) })

/**
 * A tool error as a catalog error. `notFound` is the code of "it does not exist": a resource's read says
 * RESOURCE_NOT_FOUND, a prompt's argument that names nothing is INVALID_PARAMS. Refusals (policy, RBAC, bad
 * input) are the caller's parameters; the cluster's own failures are the server's.
 */
export const fromToolError = (
  e: ToolError,
  operation: string,
  notFound: typeof RESOURCE_NOT_FOUND | typeof INVALID_PARAMS
): CatalogError => {
  const code = e._tag === "NotFound" || e._tag === "UnknownContext"
    ? notFound
    : e._tag === "PolicyDenied" || e._tag === "Forbidden" || e._tag === "Invalid" || e._tag === "InvalidInput" || e._tag === "ReadOnly"
    ? INVALID_PARAMS
    : INTERNAL_ERROR
  return new CatalogError({ code, message: errorLines(e, undefined).join(" "), data: errorFields(e, operation, undefined) })
}
