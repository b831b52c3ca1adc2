/**
 * Reverse-mode differentiation: a topological sort of the recorded graph and one walk back
 * through it, accumulating each tensor's gradient from all its uses.
 */
import { noGrad } from '../runtime.js';
import { formatShape } from '../tensor/layout.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { onesLike, zeros, zerosLike } from '../ops/creation.js';
import { add } from '../ops/elementwise.js';
import { sumToShape } from '../ops/reduce.js';
import { cast, detach } from '../ops/shape.js';
import { addIntoRegion, ownedCopy, type Block } from './accumulate.js';
import { RegionGrad } from './node.js';

/** Tensors reachable from `root` through recorded nodes, inputs before the tensors made from them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, next] = top;
    const inputs = t.node?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const input = inputs[next]!;
      if (!visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Gradients of the scalar `y` with respect to each of `xs` (zeros for an x that `y` does not
 * depend on). For a non-scalar `y`, pass the upstream gradient `dy` (vector–Jacobian product).
 * Temporaries are freed; the returned gradients belong to the caller.
 * @example
 * const w = variable([1]); const L = square(sub(2, mul(w, 1)));
 * const [dw] = grad(L, [w]); // [-2]
 */
export function grad(y: Tensor, xs: readonly Tensor[], dy?: Tensor): Tensor[] {
  if (!dy && y.size !== 1) {
    throw new Error(
      `grad: y must be a scalar (got ${formatShape(y.shape)}); pass dy for a vector–Jacobian product`,
    );
  }
  return tidy(() =>
    noGrad(() => {
      const order = topologicalOrder(y);
      const targets = new Set(xs);
      // A tensor's gradient is wanted if it is a target or some target lies behind it.
      const wanted = new Set<Tensor>();
      for (const t of order) {
        if (targets.has(t) || t.node?.inputs.some((i) => wanted.has(i))) wanted.add(t);
      }
      const grads = new Map<Tensor, Tensor>();
      // Gradients this walk created and alone holds, which region gradients add into in place,
      // with the blocks written so far into those that started as zeros (null: a dense start).
      const owned = new Map<Tensor, Block[] | null>();
      grads.set(y, dy ?? onesLike(y));
      for (let i = order.length - 1; i >= 0; i--) {
        const t = order[i]!;
        const g = grads.get(t);
        if (!t.node || !g) continue;
        const needs = t.node.inputs.map((input) => wanted.has(input));
        if (!needs.some(Boolean)) continue;
        const inputGrads = t.node.backward(g, needs);
        t.node.inputs.forEach((input, k) => {
          const gi = inputGrads[k];
          if (!gi || !needs[k]) return;
          if (gi instanceof RegionGrad) {
            let acc = grads.get(input);
            if (!acc || !owned.has(acc)) {
              const fresh = acc ? ownedCopy(acc) : zeros(input.shape, input.dtype);
              owned.set(fresh, acc ? null : []);
              grads.set(input, fresh);
              acc = fresh;
            }
            const value = gi.value.dtype === input.dtype ? gi.value : cast(gi.value, input.dtype);
            addIntoRegion(acc, value, gi.begin, owned.get(acc)!);
            return;
          }
          let shaped = sumToShape(gi, input.shape);
          if (shaped.dtype !== input.dtype && input.dtype !== 'int32') shaped = cast(shaped, input.dtype);
          const previous = grads.get(input);
          grads.set(input, previous ? add(previous, shaped) : shaped);
        });
      }
      return xs.map((x) => {
        const g = grads.get(x);
        if (!g) return zerosLike(x);
        // A gradient may be a view of (or the same object as) another; give each caller its own.
        return g.withLayout(g.layout);
      });
    }),
  );
}

/**
 * Runs `f`, returning its scalar value and the gradients of that value with respect to `xs`.
 * @example const { value, grads } = valueAndGrad(() => loss(model(x), y), model.weights);
 */
export function valueAndGrad(f: () => Tensor, xs: readonly Tensor[]): { value: Tensor; grads: Tensor[] } {
  return tidy(() => {
    const value = f();
    const grads = grad(value, xs);
    // The returned value carries no graph, so the forward pass's memory is freed here.
    return { value: detach(value), grads };
  });
}
