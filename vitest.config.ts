import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // One control plane per run (or the one `npm run cluster:up` left running), shared by every test file.
    globalSetup: ["test/cluster/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000
  }
})
