/**
 * OpenTelemetry traces (loaded only when `[tracing] enabled`): Effect's own OTLP tracer, exporting the spans
 * the telemetry hooks open as OTLP/HTTP JSON through fetch. Spans are batched and sent every second, and
 * the rest flushed when the server stops.
 */
import { Layer } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as OtlpSerialization from "effect/observability/OtlpSerialization"
import * as OtlpTracer from "effect/observability/OtlpTracer"
import type { Settings } from "../config/settings.js"
import { VERSION } from "../version.js"

export const otlpTracer = (settings: Settings) =>
  OtlpTracer.layer({
    url: settings.tracing.endpoint,
    resource: { serviceName: settings.tracing.serviceName, serviceVersion: VERSION },
    exportInterval: "1 second",
    shutdownTimeout: "3 seconds"
  }).pipe(Layer.provide([OtlpSerialization.layerJson, FetchHttpClient.layer]))
