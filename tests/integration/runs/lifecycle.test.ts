import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { progressFraction } from '../../../core/lab/api/progress.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  getArtifact,
  listArtifacts,
  listMetricKeys,
  readHealth,
  readSeries,
} from '../../../core/lab/store/index.js';
import { createLab, nextEvent, spiralsConfig, type Lab } from './support.js';

let lab: Lab;
beforeEach(async () => {
  lab = await createLab();
  lab.manager.start();
});
afterEach(async () => {
  await lab.close();
});

describe('a run from config to completion', () => {
  it('trains in a trainer process and records metrics, health, checkpoints and reproducibility', async () => {
    const run = lab.manager.createRun(spiralsConfig(3));
    expect(run.status).toBe('queued');
    const done = await lab.manager.waitFor(run.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.backend).toBe('cpu');
    expect(done.device).toBe('cpu');
    expect(done.seed).toBe(7);
    expect(done.datasetContentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(done.appVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(done.lastEpoch).toBe(2);
    expect(done.finalMetrics.train?.loss).toBeTypeOf('number');
    expect(done.finalMetrics.validation?.accuracy).toBeTypeOf('number');
    expect(done.finalMetrics.test?.loss).toBeTypeOf('number');

    const keys = listMetricKeys(lab.store, run.id).map((k) => `${k.split}/${k.name}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'train/batch_loss',
        'train/loss',
        'train/accuracy',
        'train/learning_rate',
        'validation/loss',
        'validation/accuracy',
        'test/loss',
      ]),
    );
    const [byEpoch] = readSeries(lab.store, run.id, { metrics: [{ split: 'train', name: 'loss' }] });
    expect(byEpoch!.x).toEqual([0, 1, 2]);
    const [steps] = readSeries(lab.store, run.id, {
      metrics: [{ split: 'train', name: 'batch_loss' }],
      axis: 'step',
    });
    // 140 training rows in batches of 16: 9 steps an epoch.
    expect(steps!.total).toBe(27);
    expect(steps!.x[0]).toBe(1);
    expect(readHealth(lab.store, run.id).length).toBeGreaterThanOrEqual(3 * 2);

    // Best and last checkpoints only; files exist, named by content hash.
    const checkpoints = listArtifacts(lab.store, run.id, 'checkpoint');
    expect(checkpoints.length).toBeGreaterThanOrEqual(1);
    expect(checkpoints.length).toBeLessThanOrEqual(2);
    const last = getArtifact(lab.store, done.lastCheckpointId!)!;
    expect(last.file).toContain(last.hash);
    expect(existsSync(join(lab.dir, last.file))).toBe(true);
    expect(done.bestCheckpointId).not.toBeNull();

    const statuses = lab.events
      .filter((e) => e.type === 'status' && e.runId === run.id)
      .map((e) => e.type === 'status' && e.status);
    expect(statuses).toEqual(['running', 'completed']);
    const progress = lab.events.flatMap((e) => (e.type === 'progress' && e.runId === run.id ? [e] : []));
    expect(progress.length).toBeGreaterThan(0);
    // Every update says how long an epoch is, so the bar can move within one.
    expect(progress.every((e) => e.stepsPerEpoch === 9)).toBe(true);
    const fractions = progress.map((e) => progressFraction(e)!);
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]!))).toBe(true);
    expect(fractions[fractions.length - 1]).toBe(1);
  });

  it('records a gpu request without a GPU backend as a failed run with a clear error', async () => {
    await lab.close();
    lab = await createLab({ trainerEnv: { NNLAB_DISABLE_GPU: '1' } });
    lab.manager.start();
    const run = lab.manager.createRun(spiralsConfig(1), { device: 'gpu' });
    const done = await lab.manager.waitFor(run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/gpu/i);
  });

  it('pauses between steps, resumes, and can be cancelled keeping what was recorded', async () => {
    const run = lab.manager.createRun(spiralsConfig(2000));
    await nextEvent(lab, (e) => e.type === 'progress' && e.runId === run.id);
    lab.manager.pause(run.id);
    await nextEvent(lab, (e) => e.type === 'status' && e.runId === run.id && e.status === 'paused');
    expect(lab.manager.get(run.id)!.status).toBe('paused');
    lab.manager.resume(run.id);
    await nextEvent(
      lab,
      (e) => e.type === 'status' && e.runId === run.id && e.status === 'running' && lab.events.indexOf(e) > 2,
    );
    await nextEvent(lab, (e) => e.type === 'checkpoint' && e.runId === run.id);
    const cancelled = lab.manager.cancel(run.id);
    expect(cancelled.status).toBe('cancelled');
    const done = await lab.manager.waitFor(run.id);
    expect(done.status).toBe('cancelled');
    expect(listMetricKeys(lab.store, run.id).length).toBeGreaterThan(0);
  });
});
