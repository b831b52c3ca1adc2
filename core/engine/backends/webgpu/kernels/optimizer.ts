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

/**
 * The Adam step for several parameters in one dispatch (Backend.adamUpdateMany): one thread
 * per element of all of them, each finding its parameter by the running end offsets. Every
 * parameter binds four buffers, so a dispatch takes as many as the adapter's storage-buffer
 * limit allows (see adamManyPrograms).
 */
function adamManyProgram(items: readonly AdamGPUItem[], h: AdamHyper): Program {
  const c1 = 1 - h.beta1 ** h.step;
  const c2 = 1 - h.beta2 ** h.step;
  const ends: number[] = [];
  let total = 0;
  for (const it of items) ends.push((total += it.param.size));
  const branches = items.map((_, k) => {
    const guard = k === items.length - 1 ? '' : `if (i < u.end${k}) `;
    const start = k === 0 ? '0u' : `u.end${k - 1}`;
    return `${k === 0 ? '' : 'else '}${guard}{
    let j = i - ${start};
    let gj = g${k}_get(j);
    let mj = u.beta1 * m${k}[j] + (1.0 - u.beta1) * gj;
    let vj = u.beta2 * v${k}[j] + (1.0 - u.beta2) * gj * gj;
    m${k}[j] = mj;
    v${k}[j] = vj;
    p${k}[j] = p${k}[j] * u.decay - (u.stepSize * mj) / (sqrt(vj) * u.invSqrtC2 + u.epsilon);
  }`;
  });
  return {
    key: `adam-many:${items.length}`,
    workgroupSize: [256, 1, 1],
    dispatch: { threads: total },
    bindings: items.flatMap((it, k) => [
      { name: `p${k}`, storage: it.param, access: 'read_write' as const },
      { name: `m${k}`, storage: it.m, access: 'read_write' as const },
      { name: `v${k}`, storage: it.v, access: 'read_write' as const },
      {
        name: `g${k}`,
        storage: it.grad.storage as GPUStorage,
        access: 'read' as const,
        layout: collapseLayouts(it.grad.layout.shape, [it.grad.layout]).layouts[0]!,
      },
    ]),
    uniforms: [
      { name: 'beta1', type: 'f32', value: h.beta1 },
      { name: 'beta2', type: 'f32', value: h.beta2 },
      { name: 'epsilon', type: 'f32', value: h.epsilon },
      { name: 'stepSize', type: 'f32', value: h.learningRate / c1 },
      { name: 'invSqrtC2', type: 'f32', value: 1 / Math.sqrt(c2) },
      { name: 'decay', type: 'f32', value: 1 - h.learningRate * h.weightDecay },
      ...ends.slice(0, -1).map((value, k) => ({ name: `end${k}`, type: 'u32' as const, value })),
    ],
    body: `
fn kernel(inv: Invocation) {
  let i = inv.index;
  if (i >= u.threads) { return; }
  ${branches.join(' ')}
}`,
  };
}

export interface AdamGPUItem {
  readonly param: GPUStorage;
  readonly grad: View;
  readonly m: GPUStorage;
  readonly v: GPUStorage;
}

/** The programs updating `items`, `perDispatch` parameters each (4 storage buffers apiece). */
export function adamManyPrograms(
  items: readonly AdamGPUItem[],
  h: AdamHyper,
  perDispatch: number,
): Program[] {
  const programs: Program[] = [];
  const nonEmpty = items.filter((it) => it.param.size > 0);
  for (let k = 0; k < nonEmpty.length; k += perDispatch) {
    programs.push(adamManyProgram(nonEmpty.slice(k, k + perDispatch), h));
  }
  return programs;
}
