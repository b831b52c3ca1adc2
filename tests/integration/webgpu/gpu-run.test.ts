// A whole run on the GPU through the run manager and a trainer process: a uint8 image dataset
// travels as bytes (ByteRows, scaled in the gather kernel), and the run's per-epoch losses match
// the same run on the CPU backend.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../core/lab/datasets/index.js';
import { databasePath } from '../../../core/lab/paths.js';
import { RunManager, type RunEvent } from '../../../core/lab/runs/run-manager.js';
import { openStore, readSeries, type Store } from '../../../core/lab/store/index.js';
import { idxBytes } from '../../unit/datasets/fixtures.js';
import { openBackend } from '../../unit/webgpu/support.js';

// Only to learn whether an adapter exists (failing loudly in CI when none does); the run itself
// opens its own device in the trainer process.
const probe = await openBackend('gpu-run.test.ts');
probe?.destroy();

/** 8×8 images: class 0 bright on the left half, class 1 on the right, with seeded noise. */
function halvesIdx(rows: number): { images: Buffer; labels: Buffer } {
  const pixels = new Uint8Array(rows * 64);
  const labels = new Uint8Array(rows);
  let state = 12345;
  const noise = () => ((state = (state * 1103515245 + 12345) >>> 0) >>> 24) % 96;
  for (let r = 0; r < rows; r++) {
    labels[r] = r % 2;
    for (let i = 0; i < 64; i++) {
      const left = i % 8 < 4;
      pixels[r * 64 + i] = (left === (r % 2 === 0) ? 150 : 0) + noise();
    }
  }
  return { images: idxBytes('uint8', [rows, 8, 8], pixels), labels: idxBytes('uint8', [rows], labels) };
}

describe.skipIf(!probe)('a run on the GPU', () => {
  let dir: string;
  let store: Store;
  let manager: RunManager;
  const events: RunEvent[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nnlab-gpu-run-'));
    store = openStore(databasePath(dir));
    const { images, labels } = halvesIdx(320);
    writeFileSync(join(dir, 'images.idx'), images);
    writeFileSync(join(dir, 'labels.idx'), labels);
    await importDataset(
      store,
      dir,
      { kind: 'idx', images: join(dir, 'images.idx'), labels: join(dir, 'labels.idx') },
      { name: 'halves', split: { validationFraction: 0.2, testFraction: 0, seed: 3 } },
    );
    manager = new RunManager({ store, dataDir: dir, flushIntervalMs: 50 });
    manager.subscribe((event) => events.push(event));
    manager.start();
  });
  afterAll(async () => {
    await manager?.shutdown();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (device: 'cpu' | 'gpu') => ({
    dataset: 'halves',
    model: {
      layers: [
        { type: 'flatten' },
        { type: 'dense', units: 16, activation: 'relu' },
        { type: 'dense', units: 2, activation: 'softmax' },
      ],
    },
    training: { optimizer: { type: 'adam', learningRate: 0.01 }, epochs: 3, batchSize: 32 },
    seed: 11,
    device,
  });

  const epochLosses = (runId: string, split: string) =>
    readSeries(store, runId, { metrics: [{ split, name: 'loss' }] })[0]!.value as number[];

  it('keeps uint8 pixels as bytes on the device and matches the CPU run epoch by epoch', async () => {
    const gpuRun = manager.createRun(config('gpu'));
    const gpuDone = await manager.waitFor(gpuRun.id);
    expect(gpuDone.error).toBeNull();
    expect(gpuDone.status).toBe('completed');
    expect(gpuDone.device).toBe('gpu');
    const cpuRun = manager.createRun(config('cpu'));
    const cpuDone = await manager.waitFor(cpuRun.id);
    expect(cpuDone.status).toBe('completed');
    for (const [run, backend] of [
      [gpuRun, 'webgpu'],
      [cpuRun, 'cpu'],
    ] as const) {
      const said = events.flatMap((e) => (e.type === 'diagnostic' && e.runId === run.id ? [e.message] : []));
      expect(said).toContainEqual(
        expect.stringContaining(`256 training rows kept as uint8 on the ${backend} backend`),
      );
    }

    for (const split of ['train', 'validation']) {
      const gpu = epochLosses(gpuRun.id, split);
      const cpu = epochLosses(cpuRun.id, split);
      expect(gpu).toHaveLength(3);
      gpu.forEach((loss, epoch) => expect(Math.abs(loss - cpu[epoch]!) / cpu[epoch]!).toBeLessThan(1e-3));
    }
    // It learned: the halves are easy once the pixels are scaled right.
    expect(epochLosses(gpuRun.id, 'validation')[2]!).toBeLessThan(0.3);
  });
});
