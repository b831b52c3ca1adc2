// Enums and schemas every part of the LabApi contract shares (public, re-exported by
// contract.ts). Browser-safe: zod only.
import { z } from 'zod';
import { metricValue } from './fields.js';

export const jsonValue = z.json();
export type JsonValue = z.infer<typeof jsonValue>;

export const datasetTask = z.enum(['classification', 'regression']);
export const datasetSourceKind = z.enum(['csv', 'idx', 'npy', 'image-folder', 'sample']);
export const columnType = z.enum(['numeric', 'categorical', 'boolean', 'ignored']);
export const categoricalEncoding = z.enum(['onehot', 'ordinal']);
export const missingPolicy = z.enum(['drop', 'mean', 'median', 'constant', 'refuse']);
export const scalingKind = z.enum(['none', 'standardize', 'minmax01', 'minmax11', 'divide255']);
export const sampleName = z.enum(['xor', 'spirals', 'moons', 'circles', 'sine', 'ice-cream']);
export const importPhase = z.enum(['scanning', 'reading', 'decoding', 'preprocessing', 'writing', 'done']);

export const runStatus = z.enum([
  'queued',
  'running',
  'completed',
  'failed',
  'diverged',
  'interrupted',
  'cancelled',
  'paused',
]);
export type RunStatus = z.infer<typeof runStatus>;
export const deviceChoice = z.enum(['auto', 'cpu', 'gpu']);
export const split = z.enum(['train', 'validation', 'test']);
export type Split = z.infer<typeof split>;

/** A metric series is named by its split and metric name, e.g. validation/accuracy. */
export const metricKey = z.object({ split: z.string().min(1).max(50), name: z.string().min(1).max(100) });
export type MetricKey = z.infer<typeof metricKey>;
/** Final (or chosen-epoch) metric values: split → metric name → value. */
export const metricTable = z.record(z.string(), z.record(z.string(), metricValue));
export type MetricTable = z.infer<typeof metricTable>;

/** A file sent with the request (the browser cannot hand over a path): base64 content. */
export const uploadedFile = z.object({
  fileName: z.string().min(1).max(255),
  contentBase64: z.base64(),
});
