// The trainer ↔ host message protocol (ARCHITECTURE.md, "Processes"). Both directions are
// discriminated unions on `type`, validated on receipt: a malformed message is a bug on the
// other side and ends the run as failed rather than being guessed at.
import { z } from 'zod';

const metricValue = z.number().nullable();

export const metricPointMessage = z.object({
  split: z.string().min(1),
  name: z.string().min(1),
  step: z.number().int().nonnegative(),
  epoch: z.number().int().nonnegative().nullable(),
  value: metricValue,
  wallTime: z.number(),
});

export const layerHealthMessage = z.object({
  epoch: z.number().int().nonnegative(),
  layer: z.string(),
  weightNorm: metricValue,
  gradientNorm: metricValue,
  updateRatio: metricValue,
  deadFraction: metricValue,
});

/** Where a trainer resumes from: a checkpoint file (relative to the data folder). */
export const resumeFrom = z.object({
  checkpointFile: z.string().min(1),
  /** The best value of the checkpoint monitor so far, so "best" keeps its meaning across a resume. */
  bestMonitorValue: z.number().nullable(),
});
export type ResumeFrom = z.infer<typeof resumeFrom>;

// ---------------------------------------------------------------------------------------------
// Host → trainer

export const hostMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('job'),
    runId: z.string().min(1),
    /** The validated run config (parseRunConfig's output). */
    config: z.record(z.string(), z.unknown()),
    dataDir: z.string().min(1),
    datasetId: z.string().min(1),
    seed: z.number().int(),
    device: z.enum(['auto', 'cpu', 'gpu']),
    /** Folder for this run's files, relative to dataDir (e.g. runs/<id>). */
    runFolder: z.string().min(1),
    resume: resumeFrom.nullable(),
  }),
  /** Hold between steps until `resume`. */
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
  /** Stop between steps, write nothing more, send `finished` with outcome `cancelled`. */
  z.object({ type: z.literal('cancel') }),
  /** Instead of a job: describe the device (a `device` message), then exit. */
  z.object({ type: z.literal('probe') }),
]);
export type HostMessage = z.infer<typeof hostMessage>;

// ---------------------------------------------------------------------------------------------
// Trainer → host

export const trainerMessage = z.discriminatedUnion('type', [
  /** The job was read, the data loaded and the model built. */
  z.object({
    type: z.literal('started'),
    device: z.enum(['cpu', 'gpu']),
    backend: z.string(),
    adapter: z.record(z.string(), z.unknown()).nullable(),
    datasetContentHash: z.string(),
    epochs: z.number().int().positive(),
    initialEpoch: z.number().int().nonnegative(),
    stepsPerEpoch: z.number().int().positive(),
    parameters: z.number().int().nonnegative(),
  }),
  /** Step or epoch progress: the points to record, and what a live view shows. */
  z.object({
    type: z.literal('progress'),
    epoch: z.number().int().nonnegative(),
    step: z.number().int().nonnegative(),
    points: z.array(metricPointMessage),
    health: z.array(layerHealthMessage).optional(),
    samplesPerSecond: z.number().nullable(),
    etaSeconds: z.number().nullable(),
  }),
  /** A checkpoint file, already written atomically and named by its content hash. */
  z.object({
    type: z.literal('checkpoint'),
    /** Relative to the data folder. */
    file: z.string().min(1),
    sizeBytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** Epochs completed (the epoch a resume starts at). */
    epoch: z.number().int().nonnegative(),
    step: z.number().int().nonnegative(),
    /** The monitored value when this checkpoint was taken, and whether it is the best so far. */
    monitorValue: z.number().nullable(),
    best: z.boolean(),
  }),
  z.object({ type: z.literal('diagnostic'), level: z.enum(['info', 'warning']), message: z.string() }),
  /** A classification run's final evaluation (evaluation.ts), sent before `finished`. */
  z.object({
    type: z.literal('evaluation'),
    split: z.enum(['validation', 'test']),
    epoch: z.number().int().nonnegative().nullable(),
    report: z.record(z.string(), z.unknown()),
  }),
  z.object({ type: z.literal('paused') }),
  z.object({ type: z.literal('resumed') }),
  /** Training ended on its own terms; the trainer exits after sending it. */
  z.object({
    type: z.literal('finished'),
    outcome: z.enum(['completed', 'diverged', 'cancelled']),
    /** Why it stopped: early stopping, the step that diverged, … */
    message: z.string().nullable(),
  }),
  /** The answer to `probe`: device.ts's DeviceReport. */
  z.object({ type: z.literal('device'), report: z.record(z.string(), z.unknown()) }),
  /** Training could not go on; the trainer exits after sending it. */
  z.object({ type: z.literal('failed'), error: z.string(), stack: z.string().nullable() }),
]);
export type TrainerMessage = z.infer<typeof trainerMessage>;
export type TrainerMessageOf<T extends TrainerMessage['type']> = Extract<TrainerMessage, { type: T }>;

/** Validates an incoming message, naming what was wrong. */
export function parseTrainerMessage(data: unknown): TrainerMessage {
  const result = trainerMessage.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(
      `malformed trainer message (${issue.path.join('.') || 'type'}: ${issue.message}): ${JSON.stringify(data).slice(0, 200)}`,
    );
  }
  return result.data;
}

export function parseHostMessage(data: unknown): HostMessage {
  const result = hostMessage.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(
      `malformed host message (${issue.path.join('.') || 'type'}: ${issue.message}): ${JSON.stringify(data).slice(0, 200)}`,
    );
  }
  return result.data;
}
