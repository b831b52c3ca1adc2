/**
 * A minimal Adam on the engine's fused update, for benchmarks that must not depend on the
 * optimizer module's evolution.
 */
import * as nn from '../../../core/engine/index.js';

export interface AdamState {
  m: nn.Tensor[];
  v: nn.Tensor[];
  t: number;
  dispose(): void;
}

export function createAdamState(params: nn.Tensor[]): AdamState {
  const m = params.map((p) => nn.keep(nn.zerosLike(p)));
  const v = params.map((p) => nn.keep(nn.zerosLike(p)));
  return { m, v, t: 0, dispose: () => nn.dispose([...m, ...v]) };
}

export function adamStep(
  state: AdamState,
  params: nn.Tensor[],
  grads: nn.Tensor[],
  lr: number,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon = 1e-7,
): void {
  state.t++;
  params.forEach((p, i) =>
    nn.adamUpdate(p, grads[i]!, state.m[i]!, state.v[i]!, {
      learningRate: lr,
      beta1,
      beta2,
      epsilon,
      weightDecay: 0,
      step: state.t,
    }),
  );
}
