/** The fused Adam/AdamW step (Backend.adamUpdate): one pass over a parameter and its slots. */
import type { AdamHyper, View } from '../../backend.js';
import { collapseLayouts } from '../layouts.js';
import type { Program } from '../program.js';
import type { GPUStorage } from '../storage.js';

export function adamProgram(
  param: GPUStorage,
  grad: View,
  m: GPUStorage,
  v: GPUStorage,
  h: AdamHyper,
): Program {
  const c1 = 1 - h.beta1 ** h.step;
  const c2 = 1 - h.beta2 ** h.step;
  const layout = collapseLayouts(grad.layout.shape, [grad.layout]).layouts[0]!;
  return {
    key: 'adam',
    workgroupSize: [256, 1, 1],
    dispatch: { threads: param.size },
    bindings: [
      { name: 'p', storage: param, access: 'read_write' },
      { name: 'm', storage: m, access: 'read_write' },
      { name: 'v', storage: v, access: 'read_write' },
      { name: 'g', storage: grad.storage as GPUStorage, access: 'read', layout },
    ],
    uniforms: [
      { name: 'beta1', type: 'f32', value: h.beta1 },
      { name: 'beta2', type: 'f32', value: h.beta2 },
      { name: 'epsilon', type: 'f32', value: h.epsilon },
      { name: 'stepSize', type: 'f32', value: h.learningRate / c1 },
      { name: 'invSqrtC2', type: 'f32', value: 1 / Math.sqrt(c2) },
      { name: 'decay', type: 'f32', value: 1 - h.learningRate * h.weightDecay },
    ],
    body: `
fn kernel(inv: Invocation) {
  let i = inv.index;
  if (i >= u.threads) { return; }
  let gi = g_get(i);
  let mi = u.beta1 * m[i] + (1.0 - u.beta1) * gi;
  let vi = u.beta2 * v[i] + (1.0 - u.beta2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  p[i] = p[i] * u.decay - (u.stepSize * mi) / (sqrt(vi) * u.invSqrtC2 + u.epsilon);
}`,
  };
}
