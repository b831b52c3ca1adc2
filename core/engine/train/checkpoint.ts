/**
 * Checkpoints: a model's topology, its weights, the optimizer's config and state, the epoch and
 * the random generator's state, in one versioned byte array (the engine does no file I/O; the
 * lab writes the bytes to a file).
 *
 * Layout (little-endian):
 *   magic    8 bytes  "NNLABCKP"
 *   version  uint32   CHECKPOINT_VERSION
 *   length   uint32   byte length of the JSON header
 *   header   UTF-8 JSON (CheckpointHeader), then zero padding to a multiple of 4
 *   payload  float32 values: every weight, then every optimizer slot, at the header's offsets
 *   crc      uint32   CRC-32 of every byte before it
 * Anything wrong (magic, version, lengths, checksum, header fields) is refused with a message
 * that says what.
 */
import type { Optimizer, OptimizerConfig, OptimizerState } from '../optim/optimizer.js';
import type { Random } from '../tensor/random.js';
import { optimizerFromConfig } from '../optim/registry.js';
import { Sequential, type ModelSpec } from '../nn/sequential.js';
import { crc32 } from './crc32.js';
import type { TrainableModel } from './types.js';

export const CHECKPOINT_MAGIC = 'NNLABCKP';
export const CHECKPOINT_VERSION = 1;

interface BlockRef {
  name: string;
  shape: number[];
  /** Offset into the payload, in float32 elements. */
  offset: number;
  length: number;
}

export interface CheckpointHeader {
  format: 'nnlab-checkpoint';
  version: number;
  spec: unknown;
  weights: (BlockRef & { trainable: boolean })[];
  optimizer: {
    config: OptimizerConfig;
    iterations: number;
    learningRate: number;
    slots: (BlockRef & { param: number; paramName?: string; slot: string })[];
  } | null;
  epoch: number;
  /** The model's generator (dropout masks): Random.getState() with NaN written as null. */
  randomState: (number | null)[] | null;
  /** The training loop's generator (shuffling), when one was given. */
  trainingRandomState: (number | null)[] | null;
  extra: unknown;
  payloadLength: number;
}

export interface SaveCheckpointOptions {
  model: TrainableModel;
  optimizer?: Optimizer | null;
  /** The number of epochs completed. */
  epoch: number;
  /** The training loop's generator (fit's `random` option), to resume the same shuffles. */
  random?: Random;
  /** Anything JSON-serialisable the caller wants back (run id, metrics, notes). */
  extra?: unknown;
}

export interface Checkpoint {
  version: number;
  spec: unknown;
  /** Weight values by name, in the model's order. */
  weights: Map<string, Float32Array>;
  weightShapes: Map<string, number[]>;
  optimizer: { config: OptimizerConfig; state: OptimizerState } | null;
  epoch: number;
  /** The model's generator state (Random.getState()). */
  randomState: number[] | null;
  /** The training loop's generator state, when one was saved. */
  trainingRandomState: number[] | null;
  extra: unknown;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Serialises the model, optimizer and training position into checkpoint bytes. */
export async function saveCheckpoint(options: SaveCheckpointOptions): Promise<Uint8Array> {
  const { model, optimizer } = options;
  const blocks: Float32Array[] = [];
  let offset = 0;
  const place = (values: Float32Array): { offset: number; length: number } => {
    const at = { offset, length: values.length };
    blocks.push(values);
    offset += values.length;
    return at;
  };
  const named = model.namedWeights();
  const values = await model.getWeightValues();
  const weights = named.map((w) => {
    const v = values.get(w.name);
    if (!v) throw new CheckpointError(`saveCheckpoint: the model gave no values for weight '${w.name}'`);
    return { name: w.name, shape: [...w.value.shape], trainable: w.trainable, ...place(v) };
  });
  let optimizerPart: CheckpointHeader['optimizer'] = null;
  if (optimizer) {
    const state = await optimizer.getState();
    optimizerPart = {
      config: optimizer.getConfig(),
      iterations: state.iterations,
      learningRate: state.learningRate,
      slots: state.slots.map((s) => ({
        name: `${s.paramName ?? s.param}/${s.slot}`,
        param: s.param,
        paramName: s.paramName,
        slot: s.slot,
        shape: s.shape,
        ...place(s.values),
      })),
    };
  }
  const stateOf = (r: Random) => r.getState().map((v) => (Number.isNaN(v) ? null : v));
  const header: CheckpointHeader = {
    format: 'nnlab-checkpoint',
    version: CHECKPOINT_VERSION,
    spec: model.toSpec(),
    weights,
    optimizer: optimizerPart,
    epoch: options.epoch,
    randomState: stateOf(model.random),
    trainingRandomState: options.random ? stateOf(options.random) : null,
    extra: options.extra ?? null,
    payloadLength: offset,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 4) * 4;
  const total = 8 + 4 + 4 + padded + offset * 4 + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 8; i++) bytes[i] = CHECKPOINT_MAGIC.charCodeAt(i);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, 16);
  let at = 16 + padded;
  for (const block of blocks) {
    for (let i = 0; i < block.length; i++, at += 4) view.setFloat32(at, block[i]!, true);
  }
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

/** Parses and verifies checkpoint bytes; throws CheckpointError naming what is wrong. */
export function loadCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < 20) {
    throw new CheckpointError(
      `not an NN Lab checkpoint: ${bytes.length} bytes is shorter than the 20-byte minimum`,
    );
  }
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== CHECKPOINT_MAGIC) {
    throw new CheckpointError(
      `not an NN Lab checkpoint: the file starts with ${JSON.stringify(magic)}, expected "${CHECKPOINT_MAGIC}"`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `checkpoint format version ${version} is not supported (this build reads version ${CHECKPOINT_VERSION})${version > CHECKPOINT_VERSION ? '; it was written by a newer NN Lab' : ''}`,
    );
  }
  const jsonLength = view.getUint32(12, true);
  const padded = Math.ceil(jsonLength / 4) * 4;
  if (16 + padded + 4 > bytes.length) {
    throw new CheckpointError(
      `checkpoint is truncated: its header needs ${16 + padded + 4} bytes, the file has ${bytes.length}`,
    );
  }
  let header: CheckpointHeader;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + jsonLength)),
    );
  } catch (error) {
    throw new CheckpointError(`checkpoint header is corrupt: ${(error as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || header.format !== 'nnlab-checkpoint') {
    throw new CheckpointError('checkpoint header is corrupt: it does not describe an nnlab-checkpoint');
  }
  const payloadLength = header.payloadLength;
  if (!Number.isInteger(payloadLength) || payloadLength < 0) {
    throw new CheckpointError('checkpoint header is corrupt: payloadLength is not a whole number');
  }
  const expected = 16 + padded + payloadLength * 4 + 4;
  if (bytes.length < expected) {
    throw new CheckpointError(`checkpoint is truncated: expected ${expected} bytes, got ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new CheckpointError(
      `checkpoint has ${bytes.length - expected} unexpected trailing bytes (expected ${expected} bytes)`,
    );
  }
  const stored = view.getUint32(expected - 4, true);
  const actual = crc32(bytes.subarray(0, expected - 4));
  if (stored !== actual) {
    throw new CheckpointError(
      `checkpoint is corrupt: CRC-32 mismatch (stored ${hex(stored)}, computed ${hex(actual)})`,
    );
  }
  const payloadStart = 16 + padded;
  const read = (ref: BlockRef, what: string): Float32Array => {
    const size = ref.shape.reduce((a, b) => a * b, 1);
    if (
      !Number.isInteger(ref.offset) ||
      ref.offset < 0 ||
      ref.length !== size ||
      ref.offset + ref.length > payloadLength
    ) {
      throw new CheckpointError(
        `checkpoint header is corrupt: ${what} '${ref.name}' lies outside the payload or does not match its shape`,
      );
    }
    const out = new Float32Array(ref.length);
    for (let i = 0; i < ref.length; i++) out[i] = view.getFloat32(payloadStart + (ref.offset + i) * 4, true);
    return out;
  };
  const weights = new Map<string, Float32Array>();
  const weightShapes = new Map<string, number[]>();
  for (const w of header.weights ?? []) {
    weights.set(w.name, read(w, 'weight'));
    weightShapes.set(w.name, w.shape);
  }
  let optimizer: Checkpoint['optimizer'] = null;
  if (header.optimizer) {
    const o = header.optimizer;
    optimizer = {
      config: o.config,
      state: {
        iterations: o.iterations,
        learningRate: o.learningRate,
        slots: o.slots.map((s) => ({
          param: s.param,
          paramName: s.paramName,
          slot: s.slot,
          shape: s.shape,
          values: read(s, 'optimizer slot'),
        })),
      },
    };
  }
  return {
    version,
    spec: header.spec,
    weights,
    weightShapes,
    optimizer,
    epoch: header.epoch,
    randomState: fromJsonState(header.randomState),
    trainingRandomState: fromJsonState(header.trainingRandomState),
    extra: header.extra,
  };
}

function fromJsonState(state: (number | null)[] | null | undefined): number[] | null {
  return Array.isArray(state) ? state.map((v) => (v === null ? Number.NaN : v)) : null;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Puts a checkpoint's weights and generator state into `model` (built with the same topology)
 * and, when given, its state into `optimizer` (made from `checkpoint.optimizer.config`, before
 * its first step) and the training generator's state into `random`. Names and shapes must
 * match exactly.
 */
export function restoreCheckpoint(
  checkpoint: Checkpoint,
  targets: { model: TrainableModel; optimizer?: Optimizer; random?: Random },
): void {
  const named = targets.model.namedWeights();
  const expected = new Set(named.map((w) => w.name));
  for (const name of checkpoint.weights.keys()) {
    if (!expected.has(name))
      throw new CheckpointError(`checkpoint weight '${name}' does not exist in the model`);
  }
  for (const w of named) {
    const shape = checkpoint.weightShapes.get(w.name);
    if (!shape) throw new CheckpointError(`checkpoint has no value for the model's weight '${w.name}'`);
    if (shape.join() !== w.value.shape.join()) {
      throw new CheckpointError(
        `checkpoint weight '${w.name}' has shape [${shape.join(',')}], the model's is [${w.value.shape.join(',')}]`,
      );
    }
  }
  targets.model.setWeightValues(checkpoint.weights);
  if (targets.optimizer) {
    if (!checkpoint.optimizer) throw new CheckpointError('checkpoint holds no optimizer state');
    targets.optimizer.setState(checkpoint.optimizer.state);
  }
  if (checkpoint.randomState) targets.model.random.setState(checkpoint.randomState);
  if (targets.random && checkpoint.trainingRandomState)
    targets.random.setState(checkpoint.trainingRandomState);
}

/**
 * Rebuilds the saved model (a Sequential from the checkpoint's spec) with its weights and
 * generator state, and, when the checkpoint holds one, an optimizer ready to resume.
 * @example const { model, optimizer } = modelFromCheckpoint(loadCheckpoint(bytes));
 */
export function modelFromCheckpoint(checkpoint: Checkpoint): {
  model: Sequential;
  optimizer: Optimizer | null;
} {
  let model: Sequential;
  try {
    model = Sequential.fromSpec(checkpoint.spec as ModelSpec, { seed: 0 });
  } catch (error) {
    throw new CheckpointError(`checkpoint model spec cannot be rebuilt: ${(error as Error).message}`);
  }
  if (!model.built) {
    model.dispose();
    throw new CheckpointError('checkpoint model spec has no inputShape (save a built model)');
  }
  const optimizer = checkpoint.optimizer ? optimizerFromConfig(checkpoint.optimizer.config) : null;
  try {
    restoreCheckpoint(checkpoint, { model, optimizer: optimizer ?? undefined });
  } catch (error) {
    model.dispose();
    optimizer?.dispose();
    throw error;
  }
  return { model, optimizer };
}
