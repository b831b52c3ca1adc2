// The LabApi contract's device report (re-exported by contract.ts). Browser-safe: zod only.
import { z } from 'zod';
import { time } from './fields.js';
/** What the device picker shows: the GPU adapter a run would get, or why there is none. */
export const deviceReport = z.object({
  gpu: z.discriminatedUnion('available', [
    z.object({
      available: z.literal(true),
      /** Dawn's backend (vulkan, metal, d3d12) and the engine backend on it (webgpu). */
      backend: z.string(),
      engineBackend: z.string(),
      vendor: z.string(),
      architecture: z.string(),
      device: z.string(),
      description: z.string(),
      /** A CPU emulating a GPU (lavapipe, SwiftShader): it works, but is no faster than the CPU backend. */
      software: z.boolean(),
      limits: z.record(z.string(), z.number()),
    }),
    z.object({ available: z.literal(false), reason: z.string() }),
  ]),
  cpu: z.object({ cores: z.number().int().positive(), model: z.string() }),
  /** When the adapter was probed (the host asks a trainer process once, then caches). */
  detectedAt: time,
});
export type DeviceReport = z.infer<typeof deviceReport>;
