import { Context } from "effect"
import type { Settings } from "./settings.js"

/** The validated settings of this process, provided once at the edge (main or a test). */
export class AppSettings extends Context.Service<AppSettings, Settings>()("kube-mcp/AppSettings") {}
