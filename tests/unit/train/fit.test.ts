import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import {
  fit,
  evaluate,
  predict,
  earlyStopping,
  reduceLROnPlateau,
  type Callback,
} from '../../../core/engine/train/index.js';
import { exponentialDecay, cosineDecay, sgd } from '../../../core/engine/optim/index.js';
import { TinyMlp } from './support/mlp.js';

function regressionData(n = 64, seed = 3) {
  const rng = new nn.Random(seed);
  const xs = Float32Array.from({ length: n * 2 }, () => rng.uniform(-1, 1));
  const ys = Float32Array.from({ length: n }, (_, i) => 0.7 * xs[2 * i]! - 0.4 * xs[2 * i + 1]! + 0.1);
  return { x: nn.tensor(xs, [n, 2]), y: nn.tensor(ys, [n, 1]) };
}

const mlp = (seed = 1) => new TinyMlp({ units: [8, 1], activations: ['relu', 'linear'] }, seed);

describe('fit', () => {
  it('lowers the loss and records history, step losses and health', async () => {
    const { x, y } = regressionData();
    const model = mlp();
    const history = await fit(model, x, y, {
      loss: 'mse',
      optimizer: { type: 'adam', learningRate: 0.02 },
      epochs: 15,
      batchSize: 16,
      seed: 1,
    });
    expect(history.stopReason).toBe('completed');
    expect(history.epochs).toHaveLength(15);
    expect(history.stepLosses).toHaveLength(15 * 4);
    expect(history.history.loss!.at(-1)!).toBeLessThan(history.history.loss![0]! * 0.5);
    const health = history.epochs[0]!.health!;
    expect(health.map((h) => h.layer)).toEqual(['dense_0', 'dense_1']);
    for (const h of health) {
      expect(h.weightNorm).toBeGreaterThan(0);
      expect(h.gradientNorm).toBeGreaterThan(0);
      expect(h.updateRatio).toBeGreaterThan(0);
      expect(h.updateRatio).toBeLessThan(1);
    }
    expect(health[0]!.deadReluFraction).toBeGreaterThanOrEqual(0);
    expect(health[1]!.deadReluFraction).toBeNull();
    const evaluated = await evaluate(model, x, y, { loss: 'mse', batchSize: 7 });
    expect(evaluated.loss).toBeLessThan(history.history.loss![0]!);
    const p = predict(model, x, { batchSize: 10 });
    expect(p.shape).toEqual([64, 1]);
    nn.dispose([x, y, p]);
    model.dispose();
  });

  it('is bit-identical for the same seed, and differs for another shuffle seed', async () => {
    const run = async (seed: number) => {
      const { x, y } = regressionData();
      const model = mlp(5);
      const h = await fit(model, x, y, {
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
        epochs: 3,
        batchSize: 8,
        seed,
      });
      nn.dispose([x, y]);
      model.dispose();
      return h.stepLosses;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('keeps the live tensor and storage counts flat across epochs', async () => {
    const { x, y } = regressionData();
    const model = mlp();
    const optimizer = sgd({ learningRate: 0.01, momentum: 0.5 });
    const counts: number[][] = [];
    const probe: Callback = {
      onEpochEnd: () => {
        const m = nn.memory();
        counts.push([m.liveTensors, m.liveStorages, m.liveBytes]);
      },
    };
    await fit(model, x, y, {
      loss: 'huber',
      optimizer,
      epochs: 6,
      batchSize: 10,
      validationSplit: 0.25,
      callbacks: [probe],
    });
    for (const c of counts.slice(1)) expect(c).toEqual(counts[0]);
    const before = nn.memory().liveTensors;
    optimizer.dispose();
    model.dispose();
    nn.dispose([x, y]);
    expect(nn.memory().liveTensors).toBeLessThan(before);
  });

  it('reports progress per step and per epoch, with validation logs', async () => {
    const { x, y } = regressionData(50);
    const model = mlp();
    const steps: { loss: number; lr: number; sps: number; eta: number }[] = [];
    const epochs: Record<string, number>[] = [];
    await fit(model, x, y, {
      loss: 'mae',
      optimizer: { type: 'sgd', learningRate: 0.1 },
      epochs: 2,
      batchSize: 16,
      validationSplit: 0.2,
      callbacks: [
        {
          onStepEnd: (e) =>
            void steps.push({ loss: e.loss, lr: e.learningRate, sps: e.samplesPerSecond, eta: e.etaSeconds }),
          onEpochEnd: (e) => void epochs.push(e.logs),
        },
      ],
    });
    expect(steps).toHaveLength(2 * 3); // 40 training rows in batches of 16
    expect(steps.every((s) => s.lr === 0.1 && s.sps > 0 && s.eta >= 0)).toBe(true);
    expect(steps.at(-1)!.eta).toBe(0);
    expect(Object.keys(epochs[0]!).sort()).toEqual(['loss', 'val_loss']);
    nn.dispose([x, y]);
    model.dispose();
  });

  it('ends as diverged with a message naming the step', async () => {
    const { x, y } = regressionData();
    const model = mlp();
    const history = await fit(model, x, y, {
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 1e6 },
      epochs: 20,
      batchSize: 8,
    });
    expect(history.stopReason).toBe('diverged');
    expect(history.stopMessage).toMatch(
      /loss became (NaN|Infinity) at step \d+ \(epoch \d+, batch \d+ of 8\)/,
    );
    expect(Number.isFinite(history.stepLosses.at(-1)!)).toBe(false);
    nn.dispose([x, y]);
    model.dispose();
  });

  it('cancels through an AbortSignal and pauses on the pause hook', async () => {
    const { x, y } = regressionData();
    const model = mlp();
    const controller = new AbortController();
    let pauses = 0;
    const history = await fit(model, x, y, {
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.01 },
      epochs: 10,
      batchSize: 8,
      signal: controller.signal,
      pause: async () => {
        pauses++;
        await new Promise((r) => setTimeout(r, 1));
      },
      callbacks: [{ onStepEnd: (e) => void (e.globalStep === 11 && controller.abort()) }],
    });
    expect(history.stopReason).toBe('cancelled');
    expect(history.stepLosses).toHaveLength(11);
    expect(history.epochs).toHaveLength(1);
    expect(pauses).toBe(11); // the abort is seen before the 12th step asks to pause
    nn.dispose([x, y]);
    model.dispose();
  });

  it('early stopping stops on a plateau and restores the best weights, also at the epoch limit', async () => {
    const { x, y } = regressionData();
    // Forced plateau: a monitor that stops improving after epoch 2.
    const fake = [5, 4, 3, 3.5, 3.6, 3.7, 3.8, 3.9];
    const inject: Callback = { onEpochEnd: (e) => void (e.logs.fake = fake[e.epoch]!) };
    const model = mlp();
    const weightsAt: Map<string, Float32Array>[] = [];
    const snapshot: Callback = {
      onEpochEnd: async (_e, ctx) => void weightsAt.push(await ctx.model.getWeightValues()),
    };
    const stopper = earlyStopping({ monitor: 'fake', patience: 2, restoreBestWeights: true });
    const history = await fit(model, x, y, {
      loss: 'mse',
      optimizer: { type: 'adam', learningRate: 0.01 },
      epochs: 8,
      batchSize: 16,
      callbacks: [inject, snapshot, stopper],
    });
    expect(history.stopReason).toBe('earlyStopping');
    expect(history.epochs).toHaveLength(5);
    expect(history.restoredEpoch).toBe(2);
    expect(await model.getWeightValues()).toEqual(weightsAt[2]);

    // Reaching the epoch limit before patience runs out still restores the best epoch.
    const model2 = mlp();
    const atLimit = await fit(model2, x, y, {
      loss: 'mse',
      optimizer: { type: 'adam', learningRate: 0.01 },
      epochs: 4,
      batchSize: 16,
      callbacks: [inject, earlyStopping({ monitor: 'fake', patience: 5, restoreBestWeights: true })],
    });
    expect(atLimit.stopReason).toBe('completed');
    expect(atLimit.restoredEpoch).toBe(2);
    expect(() => earlyStopping({ patience: -1 })).toThrow(/patience/);
    nn.dispose([x, y]);
    model.dispose();
    model2.dispose();
  });

  it('applies epoch and step schedules, and reduceLROnPlateau', async () => {
    const { x, y } = regressionData(32);
    const model = mlp();
    const lrs: number[] = [];
    await fit(model, x, y, {
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 1 },
      epochs: 3,
      batchSize: 32,
      schedule: exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.98 }),
      callbacks: [{ onEpochEnd: (e) => void lrs.push(e.learningRate) }],
    });
    expect(lrs).toEqual([0.1, 0.1 * 0.98, 0.1 * 0.98 ** 2]);
    const stepLrs: number[] = [];
    await fit(model, x, y, {
      loss: 'mse',
      optimizer: { type: 'sgd' },
      epochs: 2,
      batchSize: 8,
      schedule: cosineDecay({ initialLearningRate: 0.05, warmupSteps: 2, decaySteps: 6 }),
      callbacks: [{ onStepEnd: (e) => void stepLrs.push(e.learningRate) }],
    });
    expect(stepLrs[0]).toBeCloseTo(0.025, 12);
    expect(stepLrs[1]).toBeCloseTo(0.05, 12);
    expect(stepLrs.at(-1)).toBeCloseTo(0, 12);
    const plateau = reduceLROnPlateau({ monitor: 'flat', patience: 2, factor: 0.5 });
    const seen: number[] = [];
    await fit(model, x, y, {
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.01 },
      epochs: 6,
      batchSize: 32,
      callbacks: [
        { onEpochEnd: (e) => void (e.logs.flat = 1) },
        plateau,
        { onEpochBegin: (_e, ctx) => void seen.push(ctx.optimizer.learningRate) },
      ],
    });
    expect(seen).toEqual([0.01, 0.01, 0.01, 0.005, 0.005, 0.0025]);
    nn.dispose([x, y]);
    model.dispose();
  });

  it('refuses bad inputs with clear messages', async () => {
    const { x, y } = regressionData(10);
    const model = mlp();
    const opts = { loss: 'mse', optimizer: { type: 'sgd' } } as const;
    await expect(fit(model, x, nn.zeros([9, 1]), opts)).rejects.toThrow(/same number of rows/);
    await expect(fit(model, x, y, { ...opts, batchSize: 0 })).rejects.toThrow(
      /batchSize must be a whole number ≥ 1/,
    );
    await expect(fit(model, x, y, { ...opts, loss: 'nope' })).rejects.toThrow(/unknown loss 'nope'/);
    await expect(fit(model, x, y, { ...opts, validationSplit: 0.01 })).rejects.toThrow(
      /empty training or validation/,
    );
    await expect(
      fit(model, x, y, { ...opts, callbacks: [earlyStopping({ monitor: 'val_acc' })] }),
    ).rejects.toThrow(/'val_acc' is not logged; available: loss/);
    nn.dispose([x, y]);
    model.dispose();
  });
});
