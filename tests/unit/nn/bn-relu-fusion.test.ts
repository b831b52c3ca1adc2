/**
 * The Sequential model runs a BatchNormalization layer and the ReLU after it as one fused op in
 * training: the loss and every gradient are bit-identical to running the two layers one after
 * the other (forced here by watching each layer's output, which turns fusion off), and the
 * fused path is the one taken by default.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nn from '../../../core/engine/index.js';
import { BatchNormalization } from '../../../core/engine/nn/layers/normalization.js';
import { Sequential } from '../../../core/engine/nn/sequential.js';

const spec = {
  inputShape: [6, 6, 2],
  layers: [
    { type: 'conv2d', filters: 5, kernelSize: 3, padding: 'same', useBias: false },
    { type: 'batchNormalization' },
    { type: 'activation', activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 8 },
    { type: 'batchNormalization' },
    { type: 'activation', activation: 'relu' },
    { type: 'dense', units: 3 },
  ],
};

/** Loss and gradients of one training-mode forward and backward pass, as float32 arrays. */
function step(watchLayers: boolean): Float32Array[] {
  return nn.tidy(() => {
    const model = Sequential.fromSpec(spec as never, { seed: 5 });
    model.build([6, 6, 2]);
    const rng = new nn.Random(6);
    const x = nn.tensor(
      Float32Array.from({ length: 4 * 72 }, () => rng.uniform(-1, 1)),
      [4, 6, 6, 2],
    );
    const { value, grads } = nn.valueAndGrad(
      () =>
        nn.sum(
          nn.square(
            model.apply(x, { training: true, ...(watchLayers ? { onLayerOutput: () => undefined } : {}) }),
          ),
        ),
      model.trainableWeights(),
    );
    const out = [value, ...grads].map((t) => Float32Array.from(t.dataSync()));
    model.dispose();
    return out;
  });
}

describe('BatchNormalization + ReLU fusion in Sequential', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives bit-identical losses and gradients to the two layers run apart', () => {
    const fused = step(false);
    const apart = step(true);
    expect(fused.length).toBe(apart.length);
    fused.forEach((a, k) => {
      const at = a.findIndex((v, i) => !Object.is(v, apart[k]![i]));
      expect(at, `output ${k}: first difference at ${at}`).toBe(-1);
    });
  });

  it('takes the fused path by default and not when layer outputs are watched', () => {
    const spy = vi.spyOn(BatchNormalization.prototype, 'callWithRelu');
    step(false);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockClear();
    step(true);
    expect(spy).not.toHaveBeenCalled();
  });
});
