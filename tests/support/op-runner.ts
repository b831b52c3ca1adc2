/**
 * Runs the op-test table (op-cases.ts): forward values against the float64 reference on any
 * backend, gradients against float64 central differences on the CPU backend, and float32
 * gradients of one backend against another's (a GPU against the CPU).
 */
import * as nn from '../../core/engine/index.js';
import type { Backend, Tensor } from '../../core/engine/index.js';
import type { InputKind, OpCase, OpVariant } from './op-cases.js';
import { size, type Ref } from './reference.js';

export const SPECIAL_VALUES = [Number.NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5];

export function drawInput(shape: number[], kind: InputKind, rng: nn.Random): Ref {
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) {
    if (typeof kind === 'object') data[i] = rng.int(kind.int);
    else if (kind === 'positive') data[i] = rng.uniform(0.2, 2.5);
    else if (kind === 'awayFromZero') data[i] = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.15, 2);
    else data[i] = rng.uniform(-2, 2);
  }
  return { data, shape };
}

/** Rounds to float32 so the reference sees exactly what a float32 backend sees. */
export function asFloat32(r: Ref): Ref {
  return {
    data: Float64Array.from(Math.fround === undefined ? r.data : r.data.map(Math.fround)),
    shape: r.shape,
  };
}

export function toTensor(r: Ref, kind: InputKind, dtype: 'float32' | 'float64'): Tensor {
  if (typeof kind === 'object') return nn.tensor(Int32Array.from(r.data), r.shape, 'int32');
  return nn.tensor(
    dtype === 'float32' ? Float32Array.from(r.data) : Float64Array.from(r.data),
    r.shape,
    dtype,
  );
}

export interface Mismatch {
  index: number;
  got: number;
  expected: number;
}

/**
 * The magnitude below which an element is judged by absolute rather than relative error:
 * 1% of the tensor's RMS (at least 1e-3). An element whose float32 terms cancel to near zero
 * (a dot product, a broadcast gradient's sum) keeps the absolute rounding of its O(rms) terms
 * whatever its own value, so its relative error says nothing about the kernel.
 */
function scaleFloor(expected: ArrayLike<number>): number {
  return Math.max(1e-3, 0.01 * rms(expected));
}

/** Root mean square of the finite values (0 for none). */
function rms(values: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      sum += v * v;
      n++;
    }
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/** First element where |got − expected| > tol·max(|expected|, floor); NaN must match NaN. */
export function firstMismatch(
  got: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  floor = 1e-3,
): Mismatch | null {
  if (got.length !== expected.length) return { index: -1, got: got.length, expected: expected.length };
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(g)) {
      if (Number.isNaN(e) !== Number.isNaN(g)) return { index: i, got: g, expected: e };
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(g)) {
      if (g !== e) return { index: i, got: g, expected: e };
      continue;
    }
    if (Math.abs(g - e) > tol * Math.max(Math.abs(e), floor)) return { index: i, got: g, expected: e };
  }
  return null;
}

export function variantLabel(c: OpCase, v: OpVariant): string {
  return `${c.name} ${v.shapes.map((s) => `[${s.join(',')}]`).join(' ')}${v.args === undefined ? '' : ` ${JSON.stringify(v.args)}`}`;
}

function kindsOf(c: OpCase, v: OpVariant): InputKind[] {
  return v.shapes.map((_, i) => c.kinds?.[i] ?? 'float');
}

/**
 * Forward on `backend` in float32 against the reference (relative error against
 * max(|expected|, scaleFloor)); returns a failure message or null.
 */
export async function checkForward(
  c: OpCase,
  v: OpVariant,
  backend: Backend,
  seed = 1,
): Promise<string | null> {
  const rng = new nn.Random(seed);
  const kinds = kindsOf(c, v);
  const refs = v.shapes.map((s, i) => asFloat32(drawInput(s, kinds[i]!, rng)));
  const expected = c.reference(refs, v.args);
  const got = await nn.withBackend(backend, () => {
    const out = nn.tidy(() =>
      c.run(
        nn,
        refs.map((r, i) => toTensor(r, kinds[i]!, 'float32')),
        v.args,
      ),
    );
    return out.data().then((d) => {
      const shape = [...out.shape];
      out.dispose();
      return { d, shape };
    });
  });
  if (got.shape.join() !== expected.shape.join()) {
    return `${variantLabel(c, v)}: shape [${got.shape}] ≠ reference [${expected.shape}]`;
  }
  const bad = firstMismatch(got.d, expected.data, c.tolerance ?? 1e-4, scaleFloor(expected.data));
  return bad ? `${variantLabel(c, v)}: element ${bad.index} is ${bad.got}, reference ${bad.expected}` : null;
}

/** NaN, ±Inf and ±0 through the op must give exactly what the reference gives. */
export async function checkSpecialValues(c: OpCase, backend: Backend): Promise<string | null> {
  const n = SPECIAL_VALUES.length;
  const arity = c.variants[0]!.shapes.length;
  const refs: Ref[] =
    arity === 1
      ? [{ data: Float64Array.from(SPECIAL_VALUES), shape: [n] }]
      : [
          {
            data: Float64Array.from(SPECIAL_VALUES.flatMap((a) => SPECIAL_VALUES.map(() => a))),
            shape: [n * n],
          },
          { data: Float64Array.from(SPECIAL_VALUES.flatMap(() => SPECIAL_VALUES)), shape: [n * n] },
        ];
  const args = c.variants.find((v) => v.shapes[0]!.length === 1)?.args;
  const expected = c.reference(refs, args);
  const got = await nn.withBackend(backend, async () => {
    const out = nn.tidy(() =>
      c.run(
        nn,
        refs.map((r) => toTensor(r, 'float', 'float32')),
        args,
      ),
    );
    const d = await out.data();
    out.dispose();
    return d;
  });
  const bad = firstMismatch(got, expected.data, 1e-6);
  return bad
    ? `${c.name} on special values: element ${bad.index} is ${bad.got}, reference ${bad.expected}`
    : null;
}

/**
 * Autodiff gradients (float64, CPU) of L = Σ w·op(x) against central differences.
 * Returns a failure message or null.
 */
export function checkGradient(c: OpCase, v: OpVariant, seed = 2): string | null {
  const rng = new nn.Random(seed);
  const kinds = kindsOf(c, v);
  const refs = v.shapes.map((s, i) => drawInput(s, kinds[i]!, rng));
  return nn.tidy(() => {
    const inputs = refs.map((r, i) => toTensor(r, kinds[i]!, 'float64'));
    const wrt = inputs.filter((_, i) => typeof kinds[i] !== 'object');
    for (const t of wrt) t.requireGrad();
    const probe = nn.noGrad(() => c.run(nn, inputs, v.args));
    const weights = nn.tensor(
      Float64Array.from({ length: probe.size }, () => rng.uniform(-1, 1)),
      probe.shape,
      'float64',
    );
    const loss = () => nn.sum(nn.mul(c.run(nn, inputs, v.args), weights));
    const grads = nn.grad(loss(), wrt);
    for (let k = 0; k < wrt.length; k++) {
      const x = wrt[k]!;
      const values = x.dataSync() as Float64Array;
      const analytic = grads[k]!.dataSync();
      for (let i = 0; i < values.length; i++) {
        const original = values[i]!;
        const eps = 1e-6 * Math.max(1, Math.abs(original));
        const at = (value: number) =>
          nn.tidy(() => {
            values[i] = value;
            const shifted = nn.tensor(values, x.shape, 'float64');
            const replaced = inputs.map((t) => (t === x ? shifted : t));
            return nn.noGrad(() => nn.sum(nn.mul(c.run(nn, replaced, v.args), weights)).item());
          });
        const numeric = (at(original + eps) - at(original - eps)) / (2 * eps);
        values[i] = original;
        const got = analytic[i]!;
        if (Math.abs(got - numeric) > 1e-6 * Math.max(1, Math.abs(numeric))) {
          return `${variantLabel(c, v)}: d/dinput${k}[${i}] autodiff ${got}, central difference ${numeric}`;
        }
      }
    }
    return null;
  });
}

/**
 * Float32 gradients of L = Σ w·op(x) with respect to every float input, on `backend`, with the
 * inputs and weights drawn from `seed` (so two backends see the same values).
 */
export async function float32Gradients(
  c: OpCase,
  v: OpVariant,
  backend: Backend,
  seed = 2,
): Promise<Float32Array[]> {
  const rng = new nn.Random(seed);
  const kinds = kindsOf(c, v);
  const refs = v.shapes.map((s, i) => asFloat32(drawInput(s, kinds[i]!, rng)));
  const outShape = c.reference(refs, v.args).shape;
  const weights = Float32Array.from({ length: size(outShape) }, () => rng.uniform(-1, 1));
  const grads = nn.withBackend(backend, () =>
    nn.tidy(() => {
      const inputs = refs.map((r, i) => toTensor(r, kinds[i]!, 'float32'));
      const wrt = inputs.filter((_, i) => typeof kinds[i] !== 'object');
      for (const t of wrt) t.requireGrad();
      const loss = nn.sum(nn.mul(c.run(nn, inputs, v.args), nn.tensor(weights, outShape, 'float32')));
      return nn.grad(loss, wrt);
    }),
  );
  try {
    return (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
  } finally {
    nn.dispose(grads);
  }
}

/**
 * Gradients on `backend` against the same gradients on `reference` (both float32), within the
 * case's tolerance (1e-4 relative by default, against max(|expected|, scaleFloor)). Returns a
 * failure message or null.
 */
export async function checkGradientAcrossBackends(
  c: OpCase,
  v: OpVariant,
  backend: Backend,
  reference: Backend,
  seed = 2,
): Promise<string | null> {
  const [got, expected] = await Promise.all([
    float32Gradients(c, v, backend, seed),
    float32Gradients(c, v, reference, seed),
  ]);
  for (let k = 0; k < expected.length; k++) {
    const tol = c.gradientTolerance ?? c.tolerance ?? 1e-4;
    const bad = firstMismatch(got[k]!, expected[k]!, tol, scaleFloor(expected[k]!));
    if (bad) {
      return (
        `${variantLabel(c, v)}: d/dinput${k}[${bad.index}] is ${bad.got} on ${backend.name}, ` +
        `${bad.expected} on ${reference.name}`
      );
    }
  }
  return null;
}
