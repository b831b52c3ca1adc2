// The LabApi contract's dataset schemas (re-exported by contract.ts). Browser-safe: zod only.
import { z } from 'zod';
import {
  datasetTask,
  datasetSourceKind,
  columnType,
  categoricalEncoding,
  missingPolicy,
  sampleName,
  uploadedFile,
} from './common.js';
import { id, time } from './fields.js';
const csvOptions = {
  delimiter: z.string().min(1).max(4).optional(),
  header: z.boolean().optional(),
  columnTypes: z.record(z.string(), columnType).optional(),
  encodings: z.record(z.string(), categoricalEncoding).optional(),
  categoricalEncoding: categoricalEncoding.optional(),
  /** Column name or 0-based index. Defaults to the last column. */
  target: z.union([z.string(), z.number().int().nonnegative()]).optional(),
  task: datasetTask.optional(),
  missing: missingPolicy.optional(),
  missingConstant: z.union([z.number(), z.string()]).optional(),
};

/** Where to import from. Paths are on the machine running the host (Electron main or `nnlab serve`). */
export const datasetSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('csv'), file: z.string().min(1), ...csvOptions }),
  /** A CSV/TSV sent by the browser. */
  z.object({ kind: z.literal('csv-upload'), file: uploadedFile, ...csvOptions }),
  z.object({
    kind: z.literal('idx'),
    images: z.string().min(1),
    labels: z.string().min(1),
    testImages: z.string().min(1).optional(),
    testLabels: z.string().min(1).optional(),
    classNames: z.array(z.string()).optional(),
  }),
  /** A folder holding IDX image/label pairs (train-*, and optionally t10k-* or test-*). */
  z.object({
    kind: z.literal('idx-folder'),
    folder: z.string().min(1),
    classNames: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal('fashion-mnist'), folder: z.string().min(1).optional() }),
  z.object({
    kind: z.literal('npy'),
    features: z.string().min(1),
    labels: z.string().min(1),
    testFeatures: z.string().min(1).optional(),
    testLabels: z.string().min(1).optional(),
    task: datasetTask.optional(),
    classNames: z.array(z.string()).optional(),
  }),
  z.object({
    kind: z.literal('image-folder'),
    folder: z.string().min(1),
    testFolder: z.string().min(1).optional(),
    width: z.number().int().min(1).max(1024).optional(),
    height: z.number().int().min(1).max(1024).optional(),
    color: z.enum(['rgb', 'grayscale']).optional(),
  }),
  z.object({
    kind: z.literal('sample'),
    sample: sampleName,
    rows: z.number().int().min(4).max(1_000_000).optional(),
    noise: z.number().min(0).max(10).optional(),
    seed: z.number().int().optional(),
  }),
]);
export type DatasetSourceInput = z.input<typeof datasetSource>;

export const splitOptions = z.object({
  validationFraction: z.number().min(0).lt(1).optional(),
  testFraction: z.number().min(0).lt(1).optional(),
  seed: z.number().int().optional(),
  stratify: z.boolean().optional(),
});

export const datasetSummary = z.object({
  id,
  name: z.string(),
  sourceKind: datasetSourceKind,
  task: datasetTask,
  createdAt: time,
  rows: z.number().int().nonnegative(),
  trainRows: z.number().int().nonnegative(),
  validationRows: z.number().int().nonnegative(),
  testRows: z.number().int().nonnegative(),
  featureShape: z.array(z.number().int()),
  /** Class names for classification; null for regression. */
  classNames: z.array(z.string()).nullable(),
  targetName: z.string(),
  bytes: z.number().int().nonnegative(),
  contentHash: z.string(),
});
export type DatasetSummary = z.infer<typeof datasetSummary>;

const columnPreview = z.object({
  name: z.string(),
  type: z.union([columnType, z.literal('pixel')]),
  role: z.enum(['feature', 'target', 'ignored']),
  count: z.number(),
  missing: z.number(),
  distinct: z.number(),
  distinctCapped: z.boolean(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  top: z.array(z.object({ value: z.string(), count: z.number() })),
});

export const datasetPreview = z.object({
  dataset: datasetSummary,
  /** The stored `schema.json` (see core/lab/datasets/schema.ts), for detail views. */
  schema: z.record(z.string(), z.unknown()),
  firstRows: z.object({ header: z.array(z.string()), rows: z.array(z.array(z.string())) }),
  columns: z.array(columnPreview),
  classBalance: z
    .array(
      z.object({
        classIndex: z.number().int(),
        className: z.string(),
        total: z.number().int(),
        train: z.number().int(),
        validation: z.number().int(),
        test: z.number().int(),
      }),
    )
    .nullable(),
  /** Sample images per class: HWC uint8 pixels, base64. */
  samples: z
    .object({
      height: z.number().int(),
      width: z.number().int(),
      channels: z.number().int(),
      classes: z.array(
        z.object({
          className: z.string(),
          images: z.array(z.object({ row: z.number().int(), pixelsBase64: z.string() })),
        }),
      ),
    })
    .nullable(),
});
export type DatasetPreview = z.infer<typeof datasetPreview>;
