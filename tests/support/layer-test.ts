/**
 * The shared layer test, run for every layer type (Keras's `run_layer_test`):
 * 1. the output shape matches computeOutputShape, in inference and in training;
 * 2. the layer has the expected weights and parameter count;
 * 3. the config round-trips: spec → layer → getConfig → JSON → layer gives the same config and,
 *    with the same weights, the same output;
 * 4. one SGD step written by hand (valueAndGrad, then assign(w − lr·g)) lowers an MSE loss;
 *    training steps leave the live-tensor count flat;
 * 5. gradients of Σ r ⊙ layer(x) with respect to every trainable weight and to the input,
 *    computed by autodiff in float64 (the layer built with `dtype: 'float64'`), agree with
 *    central differences.
 */
import { expect } from 'vitest';
import * as nn from '../../core/engine/index.js';
import type { Tensor } from '../../core/engine/index.js';
import { layerFromSpec, type Layer, type LayerSpec } from '../../core/engine/nn/index.js';

export interface LayerTestOptions {
  /** The number of weight tensors the layer should have. */
  weights?: number;
  /** The parameter count (as Keras counts it). */
  params?: number;
  /** Trainable parameters, when some are not. */
  trainableParams?: number;
  /** How inputs are drawn: uniform floats (default) or integer ids in [0, int). */
  input?: 'float' | { int: number };
  /** Training mode for the gradient check (defaults to true; dropout needs false). */
  gradientTraining?: boolean;
  /** The learning rate of the SGD step (defaults to 0.01). */
  learningRate?: number;
  /** Entries checked by central differences per tensor (defaults to 10). */
  probes?: number;
  seed?: number;
}

function drawInput(shape: readonly number[], kind: LayerTestOptions['input'], rng: nn.Random): Float64Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = typeof kind === 'object' ? rng.int(kind.int) : rng.uniform(-1.5, 1.5);
  }
  return values;
}

function outputOf(layer: Layer, x: Tensor, training: boolean): Tensor {
  return nn.tidy(() => layer.call(x, { training }));
}

/** Builds a fresh layer from `spec` for `inputShape` (with batch). */
function built(spec: LayerSpec, inputShape: readonly number[]): Layer {
  const layer = layerFromSpec(spec);
  layer.build(inputShape.slice(1));
  return layer;
}

function copyWeights(from: Layer, to: Layer): void {
  const source = from.weights;
  const target = to.weights;
  expect(target.map((w) => w.value.shape)).toEqual(source.map((w) => w.value.shape));
  source.forEach((w, i) => {
    const copy = nn.cast(w.value, target[i]!.value.dtype);
    target[i]!.value.assign(copy);
    copy.dispose();
  });
}

export function runLayerTest(spec: LayerSpec, inputShape: number[], options: LayerTestOptions = {}): void {
  const rng = new nn.Random(options.seed ?? 11);
  const intInput = typeof options.input === 'object';
  const xValues = drawInput(inputShape, options.input, rng);
  const x = nn.tensor(Float32Array.from(xValues), inputShape, 'float32');
  const layer = built(spec, inputShape);
  const label = `${spec.type} ${JSON.stringify(spec)} on [${inputShape.join(', ')}]`;

  // 1. Output shape.
  const expectedShape = [inputShape[0], ...layer.computeOutputShape(inputShape.slice(1))];
  const inference = outputOf(layer, x, false);
  expect(inference.shape, `${label}: inference output shape`).toEqual(expectedShape);
  expect(inference.dtype).toBe('float32');
  const training = outputOf(layer, x, true);
  expect(training.shape, `${label}: training output shape`).toEqual(expectedShape);
  training.dispose();

  // 2. Weights.
  if (options.weights !== undefined) expect(layer.weights.length, `${label}: weights`).toBe(options.weights);
  const counts = layer.countParams();
  if (options.params !== undefined) expect(counts.total, `${label}: params`).toBe(options.params);
  expect(counts.trainable, `${label}: trainable params`).toBe(options.trainableParams ?? counts.total);
  for (const w of layer.weights) expect(w.name.startsWith(`${layer.name}/`)).toBe(true);

  // 3. Config round-trip.
  const config = JSON.parse(JSON.stringify(layer.getConfig())) as LayerSpec;
  expect(config.type).toBe(spec.type);
  const twin = built(config, inputShape);
  expect(twin.getConfig(), `${label}: config round-trip`).toEqual(config);
  copyWeights(layer, twin);
  // Training may have moved state (moving statistics), so compare against a fresh output.
  const reference = outputOf(layer, x, false);
  const twinOut = outputOf(twin, x, false);
  expect([...twinOut.dataSync()], `${label}: same output after round-trip`).toEqual([
    ...reference.dataSync(),
  ]);
  nn.dispose([twinOut, reference]);
  twin.dispose();

  // 4. One hand-written SGD step lowers an MSE loss.
  const trainable = layer.weights.filter((w) => w.trainable).map((w) => w.value);
  if (trainable.length > 0) {
    const target = nn.tensor(Float32Array.from(drawInput(inference.shape, 'float', rng)), inference.shape);
    const loss = () => nn.mean(nn.square(nn.sub(layer.call(x, { training: true }), target)));
    const lr = options.learningRate ?? 0.01;
    const step = (): number =>
      nn.tidy(() => {
        const { value, grads } = nn.valueAndGrad(loss, trainable);
        nn.noGrad(() => trainable.forEach((w, i) => w.assign(nn.sub(w, nn.mul(grads[i]!, lr)))));
        return value.item();
      });
    const before = step();
    const live = nn.memory().liveTensors;
    step();
    expect(nn.memory().liveTensors, `${label}: live tensors after a step`).toBe(live);
    const after = nn.tidy(() => nn.noGrad(() => loss().item()));
    expect(after, `${label}: the SGD step lowers the loss`).toBeLessThan(before);
    target.dispose();
  }
  inference.dispose();
  layer.dispose();
  x.dispose();

  // 5. Float64 gradient check against central differences.
  const layer64 = built({ ...config, dtype: 'float64' }, inputShape);
  expect(layer64.weights.every((w) => w.value.dtype === 'float64')).toBe(true);
  const gradTraining = options.gradientTraining ?? true;
  const x64 = nn.tensor(Float64Array.from(xValues), inputShape, 'float64');
  const probe = nn.noGrad(() => outputOf(layer64, x64, gradTraining));
  expect(probe.dtype, `${label}: float64 output`).toBe('float64');
  const r = nn.tensor(drawInput(probe.shape, 'float', rng), probe.shape, 'float64');
  probe.dispose();
  const objective = (input: Tensor) => nn.sum(nn.mul(layer64.call(input, { training: gradTraining }), r));
  const wrt = layer64.weights.filter((w) => w.trainable).map((w) => ({ name: w.name, t: w.value }));
  if (!intInput) {
    x64.requireGrad();
    wrt.push({ name: 'input', t: x64 });
  }
  const analytic = nn.tidy(() =>
    nn
      .grad(
        objective(x64),
        wrt.map((w) => w.t),
      )
      .map((g) => g.dataSync()),
  );
  const numericAt = (t: Tensor, values: Float64Array, i: number, value: number): number => {
    const original = values[i]!;
    values[i] = value;
    const result = nn.tidy(() =>
      nn.noGrad(() => {
        const perturbed = nn.tensor(values, t.shape, 'float64');
        if (t === x64) return objective(perturbed).item();
        t.assign(perturbed);
        return objective(x64).item();
      }),
    );
    values[i] = original;
    return result;
  };
  const probes = options.probes ?? 10;
  wrt.forEach(({ name, t }, k) => {
    const values = Float64Array.from(t.dataSync());
    const indices = new Set<number>();
    while (indices.size < Math.min(probes, values.length)) indices.add(rng.int(values.length));
    for (const i of indices) {
      const v = values[i]!;
      const eps = 1e-6 * Math.max(1, Math.abs(v));
      const numeric = (numericAt(t, values, i, v + eps) - numericAt(t, values, i, v - eps)) / (2 * eps);
      const got = analytic[k]![i]!;
      expect(
        Math.abs(got - numeric) <= 1e-5 * Math.max(1, Math.abs(numeric)),
        `${label}: d/d${name}[${i}] autodiff ${got}, central difference ${numeric}`,
      ).toBe(true);
    }
    if (t !== x64) {
      const restored = nn.tensor(values, t.shape, 'float64');
      t.assign(restored);
      restored.dispose();
    }
  });
  nn.dispose([x64, r]);
  layer64.dispose();
}
