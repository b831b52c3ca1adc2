// Several runs at once under a concurrency limit; saved models and prediction; deletion.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFolder } from '../../../core/lab/paths.js';
import { deleteModel, predictWithModel, saveModel } from '../../../core/lab/runs/models.js';
import { RunConfigError, RunInUseError, RunStateError } from '../../../core/lab/runs/run-manager.js';
import { getRun, listModels, listRuns } from '../../../core/lab/store/index.js';
import { createLab, spiralsConfig, type Lab } from './support.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe('the run manager', () => {
  it('runs several runs at once, never more than the CPU limit', async () => {
    lab = await createLab({ maxCpuTrials: 2 });
    const runs = [1, 2, 3].map((i) => lab!.manager.createRun(spiralsConfig(2), { seed: i, name: `r${i}` }));
    expect(runs.every((run) => run.status === 'queued')).toBe(true);
    let running = 0;
    let most = 0;
    lab.manager.subscribe((event) => {
      if (event.type !== 'status') return;
      if (event.status === 'running') most = Math.max(most, ++running);
      else if (event.status === 'completed' || event.status === 'failed') running--;
    });
    lab.manager.start();
    const done = await Promise.all(runs.map((run) => lab!.manager.waitFor(run.id)));
    expect(done.map((run) => run.status)).toEqual(['completed', 'completed', 'completed']);
    expect(most).toBe(2);
    expect(listRuns(lab.store, { filter: { status: ['completed'] } }).total).toBe(3);
  });

  it('refuses a bad config before queueing it, and a bad state change with a conflict', async () => {
    lab = await createLab();
    expect(() => lab!.manager.createRun({ ...spiralsConfig(1), dataset: 'nope' })).toThrow(
      /no dataset 'nope'.*spirals/,
    );
    expect(() =>
      lab!.manager.createRun({
        ...spiralsConfig(1),
        model: { layers: [{ type: 'dense', unitz: 3 }] },
      }),
    ).toThrow(RunConfigError);
    const run = lab.manager.createRun(spiralsConfig(1));
    lab.manager.cancel(run.id);
    expect(getRun(lab.store, run.id)!.status).toBe('cancelled');
    expect(() => lab!.manager.pause(run.id)).toThrow(RunStateError);
  });

  it('saves a run model under a name, predicts with it, and deletes runs with their files', async () => {
    lab = await createLab();
    lab.manager.start();
    const run = lab.manager.createRun(spiralsConfig(3));
    await lab.manager.waitFor(run.id);
    const model = await saveModel(lab.store, lab.dir, { runId: run.id, name: 'spirals-mlp' });
    expect(model.meta).toMatchObject({ task: 'classification', inputKind: 'table' });
    expect(listModels(lab.store).map((m) => m.name)).toEqual(['spirals-mlp']);
    const { predictions } = await predictWithModel(lab.store, lab.dir, model.id, {
      rows: [
        { x1: 0.5, x2: -0.2 },
        { x1: -0.3, x2: 0.1 },
      ],
    });
    expect(predictions).toHaveLength(2);
    for (const p of predictions) {
      expect(p.probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect([0, 1]).toContain(p.label);
    }
    await expect(lab.manager.deleteRun(run.id)).rejects.toThrow(RunInUseError);
    expect(deleteModel(lab.store, model.id)).toBe(true);
    expect(existsSync(join(lab.dir, runFolder(run.id)))).toBe(true);
    expect(await lab.manager.deleteRun(run.id)).toBe(true);
    expect(getRun(lab.store, run.id)).toBeUndefined();
    expect(existsSync(join(lab.dir, runFolder(run.id)))).toBe(false);
  });
});
