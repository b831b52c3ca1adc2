// The LabApi contract's model schemas (re-exported by contract.ts). Browser-safe: zod only.
import { z } from 'zod';
import { datasetTask, uploadedFile } from './common.js';
import { id, time } from './fields.js';
export const modelSummary = z.object({
  id,
  name: z.string(),
  runId: z.string().nullable(),
  artifactId: z.string(),
  createdAt: time,
  sizeBytes: z.number().int().nonnegative().nullable(),
  task: datasetTask.nullable(),
  classNames: z.array(z.string()).nullable(),
});
export type ModelSummary = z.infer<typeof modelSummary>;

/** Raw rows: objects keyed by source column name (tables), or arrays of feature values. */
export const predictRow = z.union([
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  z.array(z.number()),
]);

export const predictRequest = z.object({
  modelId: id,
  input: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('rows'), rows: z.array(predictRow).min(1).max(100_000) }),
    /** A CSV of raw rows, or an image (PNG/JPEG) for image models. */
    z.object({ kind: z.literal('file'), file: uploadedFile }),
    /** A file on the host's machine. */
    z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  ]),
});

export const prediction = z.object({
  /** Classification: the predicted class index and name, and every class's probability. */
  label: z.number().int().optional(),
  className: z.string().optional(),
  probabilities: z.array(z.number()).optional(),
  /** Regression: the predicted value(s). */
  value: z.union([z.number(), z.array(z.number())]).optional(),
});
export type Prediction = z.infer<typeof prediction>;
