/**
 * Memory scopes. `tidy(fn)` disposes every tensor created while `fn` runs, except the tensors
 * it returns (found in arrays and plain objects too), which move to the enclosing scope.
 * `keep(t)` takes a tensor out of scope tracking so it survives (model weights, caches).
 */
import { runtime } from '../runtime.js';
import { Tensor } from './tensor.js';

export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  runtime.scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new Error('tidy: the function returned a Promise; tidy only tracks synchronous work');
    }
  } catch (error) {
    runtime.scopes.pop();
    for (const t of scope) t.dispose();
    throw error;
  }
  runtime.scopes.pop();
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  const parent = runtime.scopes[runtime.scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}

/** Takes `t` out of every scope so no tidy disposes it; returns it. */
export function keep<T extends Tensor>(t: T): T {
  for (const scope of runtime.scopes) scope.delete(t);
  return t;
}

/** Disposes every tensor found in `value` (a tensor, or arrays/objects holding tensors). */
export function dispose(value: unknown): void {
  const found = new Set<Tensor>();
  collectTensors(value, found);
  for (const t of found) t.dispose();
}

function collectTensors(value: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (value instanceof Tensor) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, depth + 1);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) collectTensors(v, out, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, out, depth + 1);
  }
}
