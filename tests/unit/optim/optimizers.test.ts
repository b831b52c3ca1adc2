import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { optimizerFromConfig, type Optimizer } from '../../../core/engine/optim/index.js';

/**
 * Textbook update rules in plain double-precision JavaScript, written from the papers and the
 * PyTorch/Keras documentation, one parameter vector at a time.
 */
type Rule = (p: number[], g: number[], state: Record<string, number[]>, t: number) => void;

const zerosOf = (n: number) => new Array<number>(n).fill(0);

function sgdRule(lr: number, momentum = 0, nesterov = false): Rule {
  return (p, g, s) => {
    s.b ??= zerosOf(p.length);
    for (let i = 0; i < p.length; i++) {
      if (momentum === 0) {
        p[i] = p[i]! - lr * g[i]!;
        continue;
      }
      s.b[i] = momentum * s.b[i]! + g[i]!;
      p[i] = p[i]! - lr * (nesterov ? g[i]! + momentum * s.b[i]! : s.b[i]!);
    }
  };
}

function adagradRule(lr: number, init: number, eps: number): Rule {
  return (p, g, s) => {
    s.a ??= new Array<number>(p.length).fill(init);
    for (let i = 0; i < p.length; i++) {
      s.a[i] = s.a[i]! + g[i]! ** 2;
      p[i] = p[i]! - (lr * g[i]!) / (Math.sqrt(s.a[i]!) + eps);
    }
  };
}

function rmspropRule(lr: number, rho: number, momentum: number, eps: number, centered: boolean): Rule {
  return (p, g, s) => {
    s.v ??= zerosOf(p.length);
    s.mg ??= zerosOf(p.length);
    s.b ??= zerosOf(p.length);
    for (let i = 0; i < p.length; i++) {
      s.v[i] = rho * s.v[i]! + (1 - rho) * g[i]! ** 2;
      let denom = s.v[i]!;
      if (centered) {
        s.mg[i] = rho * s.mg[i]! + (1 - rho) * g[i]!;
        denom -= s.mg[i]! ** 2;
      }
      const inc = (lr * g[i]!) / Math.sqrt(denom + eps);
      if (momentum > 0) {
        s.b[i] = momentum * s.b[i]! + inc;
        p[i] = p[i]! - s.b[i]!;
      } else p[i] = p[i]! - inc;
    }
  };
}

function adamRule(lr: number, b1: number, b2: number, eps: number, wd = 0): Rule {
  return (p, g, s, t) => {
    s.m ??= zerosOf(p.length);
    s.v ??= zerosOf(p.length);
    for (let i = 0; i < p.length; i++) {
      s.m[i] = b1 * s.m[i]! + (1 - b1) * g[i]!;
      s.v[i] = b2 * s.v[i]! + (1 - b2) * g[i]! ** 2;
      const mHat = s.m[i]! / (1 - b1 ** t);
      const vHat = s.v[i]! / (1 - b2 ** t);
      p[i] = p[i]! * (1 - lr * wd) - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  };
}

/** Gradients that depend on the parameters (∇ of Σ c·p² + d·p), so the trajectory matters. */
function gradientAt(p: number[], k: number): number[] {
  return p.map((v, i) => (0.5 + 0.3 * i) * 2 * v + Math.sin(k + i) * 0.7);
}

function runBoth(
  optimizer: Optimizer,
  rule: Rule,
  dtype: 'float32' | 'float64',
  steps = 4,
): { got: number[][]; expected: number[][] } {
  const initial = [
    [0.8, -1.2, 0.3],
    [[0.5], [-0.25]],
  ].map((v) => v.flat());
  const expected = initial.map((v) => [...v]);
  const states = expected.map(() => ({}) as Record<string, number[]>);
  const params = initial.map((v) => nn.variable(nn.tensor(v, undefined, dtype)));
  for (let t = 1; t <= steps; t++) {
    const grads = params.map((p, j) =>
      nn.tensor(gradientAt(Array.from(p.dataSync()), t + j), undefined, dtype),
    );
    optimizer.applyGradients(grads.map((grad, j) => ({ grad, param: params[j]! })));
    nn.dispose(grads);
    expected.forEach((p, j) => rule(p, gradientAt(p, t + j), states[j]!, t));
  }
  const got = params.map((p) => Array.from(p.dataSync()));
  nn.dispose(params);
  optimizer.dispose();
  return { got, expected };
}

const cases: { name: string; config: Record<string, unknown> & { type: string }; rule: Rule }[] = [
  { name: 'sgd', config: { type: 'sgd', learningRate: 0.1 }, rule: sgdRule(0.1) },
  {
    name: 'sgd momentum',
    config: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
    rule: sgdRule(0.05, 0.9),
  },
  {
    name: 'sgd nesterov',
    config: { type: 'sgd', learningRate: 0.05, momentum: 0.8, nesterov: true },
    rule: sgdRule(0.05, 0.8, true),
  },
  { name: 'adagrad', config: { type: 'adagrad', learningRate: 0.1 }, rule: adagradRule(0.1, 0.1, 1e-7) },
  {
    name: 'adagrad init 0.5',
    config: { type: 'adagrad', learningRate: 0.3, initialAccumulatorValue: 0.5, epsilon: 1e-3 },
    rule: adagradRule(0.3, 0.5, 1e-3),
  },
  {
    name: 'rmsprop',
    config: { type: 'rmsprop', learningRate: 0.01 },
    rule: rmspropRule(0.01, 0.9, 0, 1e-7, false),
  },
  {
    name: 'rmsprop centered momentum',
    config: { type: 'rmsprop', learningRate: 0.02, rho: 0.8, momentum: 0.5, centered: true, epsilon: 1e-6 },
    rule: rmspropRule(0.02, 0.8, 0.5, 1e-6, true),
  },
  { name: 'adam', config: { type: 'adam', learningRate: 0.01 }, rule: adamRule(0.01, 0.9, 0.999, 1e-7) },
  {
    name: 'adam betas',
    config: { type: 'adam', learningRate: 0.05, beta1: 0.5, beta2: 0.9, epsilon: 1e-4 },
    rule: adamRule(0.05, 0.5, 0.9, 1e-4),
  },
  {
    name: 'adamw',
    config: { type: 'adamw', learningRate: 0.02, weightDecay: 0.1 },
    rule: adamRule(0.02, 0.9, 0.999, 1e-7, 0.1),
  },
];

describe('optimizers against textbook update rules', () => {
  for (const c of cases) {
    for (const dtype of ['float32', 'float64'] as const) {
      it(`${c.name} (${dtype}, 4 steps)`, () => {
        const { got, expected } = runBoth(optimizerFromConfig(c.config), c.rule, dtype);
        got.forEach((values, j) =>
          values.forEach((v, i) => expect(v).toBeCloseTo(expected[j]![i]!, dtype === 'float32' ? 5 : 11)),
        );
      });
    }
  }

  it('adam bias correction: the first step moves every coordinate by about lr', () => {
    const p = nn.variable([1, -1, 10]);
    const opt = optimizerFromConfig({ type: 'adam', learningRate: 0.1 });
    const g = nn.tensor([1e-3, -5, 100]);
    opt.applyGradients([{ grad: g, param: p }]);
    const got = Array.from(p.dataSync());
    expect(got[0]).toBeCloseTo(0.9, 4);
    expect(got[1]).toBeCloseTo(-0.9, 4);
    expect(got[2]).toBeCloseTo(9.9, 4);
    nn.dispose([p, g]);
    opt.dispose();
  });

  it('adamw decays the weights even when the gradient is zero; adam does not', () => {
    const pw = nn.variable([2, -4]);
    const pa = nn.variable([2, -4]);
    const zero = nn.zeros([2]);
    const w = optimizerFromConfig({ type: 'adamw', learningRate: 0.1, weightDecay: 0.5 });
    const a = optimizerFromConfig({ type: 'adam', learningRate: 0.1 });
    for (let i = 0; i < 3; i++) {
      w.applyGradients([{ grad: zero, param: pw }]);
      a.applyGradients([{ grad: zero, param: pa }]);
    }
    const decayed = Array.from(pw.dataSync());
    expect(decayed[0]).toBeCloseTo(2 * 0.95 ** 3, 6);
    expect(decayed[1]).toBeCloseTo(-4 * 0.95 ** 3, 6);
    expect(Array.from(pa.dataSync())).toEqual([2, -4]);
    nn.dispose([pw, pa, zero]);
    w.dispose();
    a.dispose();
  });

  it('creates slots once and keeps the live tensor count flat across steps', () => {
    const p = nn.variable(nn.randomNormal([4, 3]));
    const g = nn.randomNormal([4, 3]);
    const opt = optimizerFromConfig({ type: 'rmsprop', momentum: 0.9, centered: true, globalClipNorm: 1 });
    opt.applyGradients([{ grad: g, param: p }]);
    const before = nn.memory();
    for (let i = 0; i < 10; i++) opt.applyGradients([{ grad: g, param: p }]);
    expect(nn.memory().liveTensors).toBe(before.liveTensors);
    expect(nn.memory().liveStorages).toBe(before.liveStorages);
    opt.dispose();
    nn.dispose([p, g]);
  });

  it('getState/setState resumes the exact trajectory', async () => {
    const trajectory = (resumeAt: number | null) =>
      (async () => {
        let p = nn.variable([0.5, -1.5, 2]);
        let opt = optimizerFromConfig({ type: 'adam', learningRate: 0.05 });
        for (let t = 0; t < 6; t++) {
          if (t === resumeAt) {
            const state = await opt.getState();
            const values = Float32Array.from(p.dataSync());
            opt.dispose();
            p.dispose();
            p = nn.variable(nn.tensor(values));
            opt = optimizerFromConfig(opt.getConfig());
            opt.setState(state);
          }
          const g = nn.tensor(gradientAt(Array.from(p.dataSync()), t));
          opt.applyGradients([{ grad: g, param: p }]);
          g.dispose();
        }
        const out = Array.from(p.dataSync());
        p.dispose();
        opt.dispose();
        return out;
      })();
    expect(await trajectory(3)).toEqual(await trajectory(null));
  });

  it('refuses unknown types and options, listing the valid ones', () => {
    expect(() => optimizerFromConfig({ type: 'adamax' })).toThrow(
      /unknown optimizer type 'adamax'.*sgd, adagrad, rmsprop, adam, adamw/,
    );
    expect(() => optimizerFromConfig({ type: 'adam', momentum: 0.9 })).toThrow(
      /unknown option 'momentum'.*beta1, beta2, epsilon/,
    );
    expect(() => optimizerFromConfig({ type: 'sgd', nesterov: true })).toThrow(/nesterov needs momentum/);
    expect(() => optimizerFromConfig({ type: 'sgd', learningRate: 'fast' as unknown as number })).toThrow(
      /must be a number/,
    );
  });

  it('getConfig round-trips through optimizerFromConfig', () => {
    const opt = optimizerFromConfig({
      type: 'rmsprop',
      learningRate: 0.3,
      rho: 0.7,
      centered: true,
      clipNorm: 2,
    });
    expect(optimizerFromConfig(opt.getConfig()).getConfig()).toEqual(opt.getConfig());
  });
});
