/** The only parts of @kubernetes/client-node the server uses: importing them by name lets the bundler drop the rest. */
export { Exec, KubeConfig } from "@kubernetes/client-node"
