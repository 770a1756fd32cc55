/**
 * The context's policy (denied_resources, allowed_namespaces), checked on every API action before the RBAC
 * pre-check and before anything is sent: Kube.authorize runs it, and every operation of this layer
 * authorizes (call.ts), so no tool — fan-out, export and describe's events included — can go around it.
 */
import type { ContextSettings } from "../config/settings.js"
import { PolicyDenied } from "../errors.js"
import type { AccessCheck } from "./Kube.js"

/** "secrets" or "apps/deployments", as the policy names resources. */
export const resourceName = (check: Pick<AccessCheck, "group" | "resource">): string =>
  check.group === "" ? check.resource : `${check.group}/${check.resource}`

const what = (check: AccessCheck): string =>
  `${check.verb} ${resourceName(check)}${check.subresource !== "" ? `/${check.subresource}` : ""}`

const fields = (check: AccessCheck) => ({
  verb: check.verb,
  resource: check.subresource !== "" ? `${check.resource}/${check.subresource}` : check.resource,
  ...(check.namespace !== "" ? { namespace: check.namespace } : {})
})

/** Why the policy refuses `check` on `context`, or undefined when it allows it. */
export const policyRefusal = (settings: ContextSettings, context: string, check: AccessCheck): PolicyDenied | undefined => {
  const name = resourceName(check)
  if (settings.deniedResources.includes(name)) {
    return new PolicyDenied({
      context,
      rule: "denied_resources",
      message: `Context "${context}" does not allow ${name}: ${what(check)} refused`,
      details: `denied_resources lists "${name}" for this context; nothing was sent to the cluster.`,
      ...fields(check)
    })
  }
  const allowed = settings.allowedNamespaces
  if (allowed.length === 0 || check.clusterScoped || allowed.includes(check.namespace)) return undefined
  return new PolicyDenied({
    context,
    rule: "allowed_namespaces",
    message: check.namespace === ""
      ? `Context "${context}" allows only namespaces ${allowed.join(", ")}: ${what(check)} across all namespaces refused`
      : `Context "${context}" allows only namespaces ${allowed.join(", ")}: ${what(check)} in namespace "${check.namespace}" refused`,
    details: `allowed_namespaces limits this context; name one of ${allowed.map((n) => `"${n}"`).join(", ")}.`,
    ...fields(check)
  })
}
