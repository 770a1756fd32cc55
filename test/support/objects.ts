/** Objects the end-to-end tests create on the control plane, written once. */

/** A Deployment of one container `app`, labelled and selected by app=<name> (kwok runs its pods on dev). */
export const deploymentManifest = (name: string, namespace: string, replicas: number, image = "registry.example/app:1.0") => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } }
  }
})
