// Failure is handled, not hoped away: a trainer killed mid-epoch, a host killed mid-flush.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { databasePath } from '../../../core/lab/paths.js';
import { RunManager } from '../../../core/lab/runs/run-manager.js';
import { getRun, listMetricKeys, openStore, readSeries } from '../../../core/lab/store/index.js';
import { createLab, nextEvent, spiralsConfig, type Lab } from './support.js';

let lab: Lab | undefined;

async function gone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe('a trainer killed with SIGKILL mid-epoch', () => {
  it('leaves its run failed with the reason, keeps earlier metrics, and the database intact', async () => {
    lab = await createLab();
    lab.manager.start();
    const run = lab.manager.createRun(spiralsConfig(5000));
    await nextEvent(lab, (e) => e.type === 'checkpoint' && e.runId === run.id && e.epoch >= 2);
    // Mid-epoch: after a step-level report that is not an epoch's end.
    await nextEvent(
      lab,
      (e) => e.type === 'progress' && e.runId === run.id && !('loss' in (e.metrics.train ?? {})),
    );
    process.kill(lab.manager.trainerPid(run.id)!, 'SIGKILL');
    const done = await lab.manager.waitFor(run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/killed by SIGKILL/);
    expect(done.endedAt).not.toBeNull();
    const [loss] = readSeries(lab.store, run.id, { metrics: [{ split: 'train', name: 'loss' }] });
    expect(loss!.total).toBeGreaterThanOrEqual(2);
    expect(listMetricKeys(lab.store, run.id).length).toBeGreaterThan(3);
    expect(lab.store.db.pragma('integrity_check', { simple: true })).toBe('ok');

    // …and resumes from its last checkpoint without duplicating or losing steps.
    const resumed = lab.manager.resumeFromCheckpoint(run.id);
    expect(['queued', 'running']).toContain(resumed.status);
    await nextEvent(
      lab,
      (e) => e.type === 'checkpoint' && e.runId === run.id && e.epoch >= (done.lastEpoch ?? 0) + 3,
    );
    lab.manager.cancel(run.id);
    await lab.manager.waitFor(run.id);
    const [steps] = readSeries(lab.store, run.id, {
      metrics: [{ split: 'train', name: 'batch_loss' }],
      axis: 'step',
      maxPoints: 10_000,
    });
    const x = steps!.x;
    expect(new Set(x).size).toBe(x.length);
    // Contiguous global steps 1…n: nothing duplicated, nothing skipped across the resume.
    expect(x.every((step, i) => step === i + 1)).toBe(true);
  });
});

describe('a host killed with SIGKILL mid-flush', () => {
  it('reopens cleanly and marks its running runs interrupted on the next start', async () => {
    lab = await createLab();
    const dir = lab.dir;
    lab.store.close();
    const script = fileURLToPath(new URL('./fixtures/host.ts', import.meta.url));
    const host = spawn(process.execPath, ['--import', 'tsx', script, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      host.stdout.setEncoding('utf8');
      host.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.trim());
      });
      host.on('exit', (code) => reject(new Error(`host exited early with ${code}`)));
    });
    const [, firstRun, secondRun, ...pids] = line.split(' ');
    const runIds = [firstRun!, secondRun!];
    const exited = new Promise((resolve) => host.on('exit', resolve));
    host.kill('SIGKILL');
    await exited;
    // Orphaned trainers notice the lost channel and exit on their own.
    await Promise.all(pids.map((pid) => gone(Number(pid))));

    const store = openStore(databasePath(dir));
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      for (const id of runIds) expect(getRun(store, id)!.status).toBe('running');
      const manager = new RunManager({ store, dataDir: dir });
      manager.start();
      for (const id of runIds) {
        const run = getRun(store, id)!;
        expect(run.status).toBe('interrupted');
        expect(run.error).toMatch(/host stopped/);
      }
      const recorded = runIds.map((id) => listMetricKeys(store, id).length);
      expect(recorded.some((n) => n > 0)).toBe(true);
      await manager.shutdown();
    } finally {
      store.close();
      // createLab's close reopens nothing: give it a store handle it can close.
      lab.store = openStore(databasePath(dir));
    }
  });
});
