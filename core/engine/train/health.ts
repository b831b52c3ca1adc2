/**
 * Per-layer training health — the evidence for vanishing or exploding gradients and dead
 * units. Measured once an epoch: norms on the epoch's last training step, dead-ReLU fractions
 * on a fixed sample batch.
 */
import type { Tensor } from '../tensor/tensor.js';
import { tidy } from '../tensor/scope.js';
import { noGrad } from '../runtime.js';
import { greater, sub, sqrt, square, add } from '../ops/elementwise.js';
import { max, mean, sum } from '../ops/reduce.js';
import { reshape, stack } from '../ops/shape.js';
import { cast } from '../ops/shape.js';
import { scalar } from '../ops/creation.js';
import type { LayerHealth, TrainableLayer, TrainableModel } from './types.js';

/** Which entries of the flat trainable-weight list belong to each layer. */
export function layerParamIndices(model: TrainableModel, params: readonly Tensor[]): number[][] {
  return model.layers.map((layer) =>
    layer.weights
      .filter((w) => w.trainable)
      .map((w) => params.indexOf(w.value))
      .filter((i) => i >= 0),
  );
}

export function isReluLayer(layer: TrainableLayer): boolean {
  return layer.activationName === 'relu' || layer.type.toLowerCase() === 'relu';
}

function normOf(tensors: readonly Tensor[]): Tensor {
  return tidy(() => {
    let total: Tensor = scalar(0, tensors[0]?.dtype === 'float64' ? 'float64' : 'float32');
    for (const t of tensors) total = add(total, sum(square(t)));
    return sqrt(total);
  });
}

/**
 * Starts a norm measurement around one optimizer step: call before the step with the
 * gradients; the returned function, called after the step, gives per-layer
 * [weightNorm, gradientNorm, updateNorm] as one tensor [layers, 3] (not yet read back).
 */
export function measureStep(
  groups: readonly number[][],
  params: readonly Tensor[],
  grads: readonly Tensor[],
): () => Tensor {
  const gradNorms = groups.map((g) => (g.length ? normOf(g.map((i) => grads[i]!)) : null));
  // Views keep the pre-step storages alive: optimizers write with assign (a new storage) or
  // copy before updating in place, so these still hold the old values afterwards.
  const before = params.map((p) => p.withLayout(p.layout));
  return () =>
    noGrad(() =>
      tidy(() => {
        const zero = scalar(Number.NaN);
        const rowsOut = groups.map((g, k) => {
          if (!g.length) return stack([zero, zero, zero]);
          const w = normOf(g.map((i) => params[i]!));
          const u = normOf(g.map((i) => sub(params[i]!, before[i]!)));
          return stack([cast(w, 'float32'), cast(gradNorms[k]!, 'float32'), cast(u, 'float32')]);
        });
        return stack(rowsOut);
      }),
    );
}

/**
 * Fraction of units never positive over `sample`, for each ReLU layer, as one float32 tensor
 * [layers] (NaN for non-ReLU layers). A unit is one entry of the output's last axis (a
 * neuron, or a convolution channel across all positions).
 */
export function deadReluFractions(model: TrainableModel, sample: Tensor): Tensor {
  return noGrad(() =>
    tidy(() => {
      const found = new Map<TrainableLayer, Tensor>();
      const out = model.apply(sample, {
        training: false,
        onLayerOutput: (layer, output) => {
          if (!isReluLayer(layer) || output.rank < 1) return;
          const units = output.shape[output.rank - 1]!;
          const everAlive = greater(max(reshape(output, [-1, units]), 0), 0);
          found.set(layer, sub(1, mean(cast(everAlive, 'float32'))));
        },
      });
      out.dispose();
      return stack(model.layers.map((layer) => found.get(layer) ?? scalar(Number.NaN)));
    }),
  );
}

/** Assembles the per-layer records from the read-back numbers. */
export function healthRecords(
  model: TrainableModel,
  norms: Float32Array | Float64Array | null,
  dead: Float32Array | Float64Array | null,
): LayerHealth[] {
  const nullIfNaN = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
  return model.layers.map((layer, k) => {
    const w = nullIfNaN(norms?.[k * 3]);
    const u = nullIfNaN(norms?.[k * 3 + 2]);
    return {
      layer: layer.name,
      type: layer.type,
      weightNorm: w,
      gradientNorm: nullIfNaN(norms?.[k * 3 + 1]),
      updateRatio: w !== null && u !== null ? (w > 0 ? u / w : u === 0 ? 0 : Infinity) : null,
      deadReluFraction: nullIfNaN(dead?.[k]),
    };
  });
}
