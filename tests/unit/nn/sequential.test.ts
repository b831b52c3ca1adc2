import { describe, expect, it } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import {
  Dense,
  Layer,
  registerLayer,
  Sequential,
  layerFromSpec,
  type CallOptions,
  type CommonLayerOptions,
  type LayerSpec,
} from '../../../core/engine/nn/index.js';

describe('Sequential', () => {
  it('builds from a spec with shape inference from the data', () => {
    const model = Sequential.fromSpec(
      {
        layers: [
          { type: 'dense', units: 8, activation: 'relu' },
          { type: 'dropout', rate: 0.5 },
          { type: 'dense', units: 3, activation: 'softmax' },
        ],
      },
      { seed: 1 },
    );
    expect(model.built).toBe(false);
    const x = nn.randomNormal([4, 5], 0, 1, { random: new nn.Random(3) });
    const y = nn.tidy(() => model.apply(x, { training: false }));
    expect(y.shape).toEqual([4, 3]);
    expect(model.built).toBe(true);
    expect(model.inputShape).toEqual([5]);
    const rows = y.toArray() as number[][];
    for (const row of rows) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(model.namedWeights().map((w) => w.name)).toEqual([
      'dense_1/kernel',
      'dense_1/bias',
      'dense_2/kernel',
      'dense_2/bias',
    ]);
    expect(model.layers[0]!.activationName).toBe('relu');
    expect(model.layers[2]!.activationName).toBe('softmax');
    nn.dispose([x, y]);
    model.dispose();
  });

  it('gives identical weights for the same seed and different ones for another', async () => {
    const spec = { layers: [{ type: 'dense', units: 6 }], inputShape: [4] };
    const a = await Sequential.fromSpec(spec, { seed: 7 }).getWeightValues();
    const b = await Sequential.fromSpec(spec, { seed: 7 }).getWeightValues();
    const c = await Sequential.fromSpec(spec, { seed: 8 }).getWeightValues();
    expect([...a.get('dense_1/kernel')!]).toEqual([...b.get('dense_1/kernel')!]);
    expect([...a.get('dense_1/kernel')!]).not.toEqual([...c.get('dense_1/kernel')!]);
  });

  it('refuses unknown types and options, listing the valid ones', () => {
    expect(() => layerFromSpec({ type: 'dense2', units: 3 })).toThrow(/unknown layer type "dense2".*dense/);
    expect(() => layerFromSpec({ type: 'dense', units: 3, unit: 4 })).toThrow(
      /unknown option "unit".*units, activation, useBias/,
    );
    expect(() => layerFromSpec({ type: 'dense' })).toThrow(/"units" is required/);
    expect(() => layerFromSpec({ type: 'dense', units: 3, activation: 'relu6' })).toThrow(
      /unknown activation "relu6".*leakyRelu/,
    );
    expect(() => layerFromSpec({ type: 'dense', units: 3, kernelInitializer: 'glorot' })).toThrow(
      /unknown initializer "glorot".*glorotUniform/,
    );
    expect(() =>
      layerFromSpec({ type: 'dense', units: 3, kernelRegularizer: { type: 'l2', alpha: 0.1, beta: 1 } }),
    ).toThrow(/unknown option "beta".*alpha/);
    expect(() => Sequential.fromSpec({ layers: [{ type: 'dense', units: -1 }] })).toThrow(
      /layers\[0\].*positive integer/,
    );
  });

  it('round-trips its spec and copies weights exactly', async () => {
    const spec = {
      layers: [
        {
          type: 'dense',
          units: 4,
          activation: { type: 'leakyRelu', alpha: 0.1 },
          kernelRegularizer: { type: 'l2', alpha: 0.001 },
        },
        { type: 'flatten' },
        { type: 'dense', units: 2, useBias: false, kernelInitializer: { type: 'constant', value: 0.5 } },
      ],
      inputShape: [3],
    };
    const model = Sequential.fromSpec(spec, { seed: 1 });
    const copy = Sequential.fromSpec(JSON.parse(JSON.stringify(model.toSpec())), { seed: 2 });
    expect(copy.toSpec()).toEqual(model.toSpec());
    copy.setWeightValues(await model.getWeightValues());
    const x = nn.randomNormal([5, 3]);
    const [ya, yb] = nn.tidy(() => [model.apply(x, { training: false }), copy.apply(x, { training: false })]);
    expect([...ya!.dataSync()]).toEqual([...yb!.dataSync()]);
    expect(() => copy.setWeightValues(new Map([['nope/kernel', new Float32Array(1)]]))).toThrow(
      /no weight "nope\/kernel"/,
    );
    nn.dispose([x, ya, yb]);
  });

  it('refuses an input of another shape once built', () => {
    const model = Sequential.fromSpec({ layers: [{ type: 'dense', units: 2 }], inputShape: [3] });
    const x = nn.zeros([2, 4]);
    expect(() => model.apply(x, { training: false })).toThrow(/expects inputs \[null, 3\], got \[2, 4\]/);
    x.dispose();
  });

  it('adds regularization penalties', () => {
    const model = Sequential.fromSpec({
      layers: [
        { type: 'dense', units: 2, kernelInitializer: 'ones', kernelRegularizer: { type: 'l2', alpha: 0.5 } },
        {
          type: 'dense',
          units: 1,
          kernelInitializer: 'ones',
          kernelRegularizer: { type: 'l1', alpha: 0.25 },
          biasRegularizer: 'l1l2',
        },
      ],
      inputShape: [3],
    });
    const loss = model.regularizationLoss()!;
    // 0.5·6 + 0.25·2 (+ l1l2 of a zero bias)
    expect(loss.item()).toBeCloseTo(3.5, 6);
    loss.dispose();
  });

  it('trains by a hand-written loop (valueAndGrad + assign)', () => {
    const model = Sequential.fromSpec(
      {
        layers: [
          { type: 'dense', units: 8, activation: 'tanh' },
          { type: 'dense', units: 1 },
        ],
      },
      { seed: 3 },
    );
    const rng = new nn.Random(5);
    const x = nn.randomUniform([32, 2], -1, 1, { random: rng });
    const y = nn.tidy(() => nn.sum(nn.mul(x, nn.tensor([[0.7], [-0.4]]).T), 1, { keepDims: true }));
    model.build([2]);
    const params = model.trainableWeights();
    const step = () =>
      nn.tidy(() => {
        const { value, grads } = nn.valueAndGrad(
          () => nn.mean(nn.square(nn.sub(model.apply(x, { training: true }), y))),
          params,
        );
        nn.noGrad(() => params.forEach((p, i) => p.assign(nn.sub(p, nn.mul(grads[i]!, 0.1)))));
        return value.item();
      });
    const first = step();
    let last = first;
    for (let i = 0; i < 50; i++) last = step();
    expect(last).toBeLessThan(first * 0.5);
    nn.dispose([x, y]);
    model.dispose();
  });
});

/** A custom layer written with low-level ops: y = x·scale + shift, per feature. */
class ScaleShift extends Layer {
  scale: nn.Tensor | null = null;
  shift: nn.Tensor | null = null;
  constructor(spec: CommonLayerOptions = {}) {
    super('scaleShift', spec);
  }
  protected override buildWeights(inputShape: readonly number[]): void {
    this.scale = this.addWeight('scale', [inputShape.at(-1)!], 'ones');
    this.shift = this.addWeight('shift', [inputShape.at(-1)!], 'zeros');
  }
  call(x: nn.Tensor, _options: CallOptions): nn.Tensor {
    return nn.add(nn.mul(x, this.scale!), this.shift!);
  }
}

describe('custom layers', () => {
  it('work inside a Sequential, in specs once registered, and train', () => {
    registerLayer('scaleShift', (spec: LayerSpec) => new ScaleShift(spec));
    const model = Sequential.fromSpec(
      { layers: [{ type: 'scaleShift' }, { type: 'dense', units: 1 }], inputShape: [3] },
      { seed: 1 },
    );
    expect(model.layers[0]).toBeInstanceOf(ScaleShift);
    expect(model.summary().rows[0]).toMatchObject({ name: 'scaleShift_1', params: 6 });
    const x = nn.randomNormal([8, 3]);
    const params = model.trainableWeights();
    const { grads, value } = nn.valueAndGrad(
      () => nn.mean(nn.square(model.apply(x, { training: true }))),
      params,
    );
    expect(grads).toHaveLength(4);
    expect(value.item()).toBeGreaterThan(0);
    expect(Math.abs(grads[0]!.dataSync()[0]!)).toBeGreaterThan(0);
    nn.dispose([x, grads, value]);
    const direct = new Sequential([new ScaleShift({ name: 'mine' }), new Dense({ units: 2 })]);
    direct.build([3]);
    expect(direct.namedWeights().map((w) => w.name)).toEqual([
      'mine/scale',
      'mine/shift',
      'dense_1/kernel',
      'dense_1/bias',
    ]);
  });
});
