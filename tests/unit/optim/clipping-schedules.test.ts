import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import {
  clipByGlobalNorm,
  clipByNorm,
  clipByValue,
  cosineDecay,
  exponentialDecay,
  optimizerFromConfig,
  scheduleFromConfig,
  stepDecay,
} from '../../../core/engine/optim/index.js';

const values = (t: nn.Tensor) => Array.from(t.dataSync());

describe('gradient clipping', () => {
  it('by value clamps each element', () => {
    nn.tidy(() => {
      const [g] = clipByValue([nn.tensor([-3, 0.2, 5])], 1);
      expect(values(g!)).toEqual([-1, Math.fround(0.2), 1]);
    });
  });

  it('by norm rescales each gradient above the bound and leaves the others', () => {
    nn.tidy(() => {
      const [a, b] = clipByNorm([nn.tensor([3, 4]), nn.tensor([0.3, 0.4])], 1);
      expect(values(a!)[0]).toBeCloseTo(0.6, 6);
      expect(values(a!)[1]).toBeCloseTo(0.8, 6);
      expect(values(b!)).toEqual([0.3, 0.4].map(Math.fround));
    });
  });

  it('by global norm scales all gradients together, keeping their direction', () => {
    nn.tidy(() => {
      const { grads, globalNorm } = clipByGlobalNorm([nn.tensor([3, 0]), nn.tensor([[0], [4]])], 2.5);
      expect(globalNorm.item()).toBeCloseTo(5, 6);
      expect(values(grads[0]!)[0]).toBeCloseTo(1.5, 6);
      expect(values(grads[1]!)[1]).toBeCloseTo(2, 6);
    });
  });

  it('an optimizer with clipValue steps by the clipped gradient', () => {
    const p = nn.variable([0, 0]);
    const g = nn.tensor([10, -0.5]);
    const opt = optimizerFromConfig({ type: 'sgd', learningRate: 1, clipValue: 1 });
    opt.applyGradients([{ grad: g, param: p }]);
    expect(values(p)).toEqual([-1, 0.5]);
    nn.dispose([p, g]);
    opt.dispose();
  });
});

describe('learning-rate schedules', () => {
  it('exponential decay multiplies by the rate each epoch (optionally in stairs)', () => {
    const s = exponentialDecay({ initialLearningRate: 0.1, decayRate: 0.98 });
    expect(s.unit).toBe('epoch');
    expect(s.at(0)).toBe(0.1);
    expect(s.at(3)).toBeCloseTo(0.1 * 0.98 ** 3, 15);
    const stairs = exponentialDecay({
      initialLearningRate: 1,
      decayRate: 0.5,
      decayEvery: 2,
      staircase: true,
    });
    expect([0, 1, 2, 3, 4].map((e) => stairs.at(e))).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it('step decay drops by the factor every stepSize epochs', () => {
    const s = stepDecay({ initialLearningRate: 1, stepSize: 3, factor: 0.1 });
    expect([0, 2, 3, 5, 6].map((e) => s.at(e))).toEqual([1, 1, 0.1, 0.1, 0.1 * 0.1]);
  });

  it('cosine decay warms up linearly, then follows a half cosine to alpha·lr', () => {
    const s = cosineDecay({ initialLearningRate: 1, warmupSteps: 4, decaySteps: 10, alpha: 0.1 });
    expect(s.unit).toBe('step');
    expect(s.at(1)).toBeCloseTo(0.25, 12);
    expect(s.at(4)).toBeCloseTo(1, 12);
    expect(s.at(9)).toBeCloseTo(0.1 + 0.9 * 0.5, 12);
    expect(s.at(14)).toBeCloseTo(0.1, 12);
    expect(s.at(100)).toBeCloseTo(0.1, 12);
  });

  it('round-trips through its config and refuses unknown types', () => {
    const s = cosineDecay({ initialLearningRate: 0.5, decaySteps: 7, warmupSteps: 2 });
    expect(scheduleFromConfig(s.toConfig()).at(5)).toBe(s.at(5));
    expect(() => scheduleFromConfig({ type: 'cyclic' } as never)).toThrow(/unknown schedule type 'cyclic'/);
  });
});
