/**
 * The Tensor: a shape and dtype over a view of backend storage, plus the autodiff node that
 * produced it. Views (reshape, transpose, expand, slice) share storage; the storage is
 * released when the last tensor using it is disposed.
 *
 * Memory is explicit: `dispose()` frees a tensor now, and `tidy(fn)` disposes every tensor
 * created inside `fn` except what it returns. Nothing is left to the garbage collector, which
 * matters for GPU memory.
 */
import type { Backend, Storage, View } from '../backends/backend.js';
import type { GradNode } from '../autodiff/node.js';
import { runtime, getBackend } from '../runtime.js';
import type { DType, TypedArray } from './dtype.js';
import { contiguousLayout, isContiguous, sizeOf, formatShape, type Layout, type Shape } from './layout.js';

/** Shared, reference-counted backend storage. */
export class StorageRef {
  private refs = 0;
  constructor(
    readonly backend: Backend,
    readonly storage: Storage,
  ) {}

  retain(): void {
    this.refs++;
  }

  /** True when no other tensor shares this storage (so it may be updated in place). */
  get exclusive(): boolean {
    return this.refs === 1;
  }

  releaseOne(): void {
    this.refs--;
    if (this.refs === 0) this.backend.release(this.storage);
  }
}

export type NestedArray = number | boolean | NestedArray[];

export class Tensor {
  readonly id: number;
  /** Set by autodiff on results of recorded ops; null for leaves and untracked results. */
  node: GradNode | null = null;
  /** A leaf whose gradient is wanted (variables, or tensors marked with requireGrad()). */
  requiresGrad = false;
  name: string | undefined;
  private ref: StorageRef;
  private _layout: Layout;
  private _disposed = false;
  private freed = false;
  private graphRefs = 0;

  constructor(
    ref: StorageRef,
    layout: Layout,
    readonly dtype: DType,
  ) {
    this.id = runtime.nextTensorId++;
    this.ref = ref;
    this._layout = layout;
    ref.retain();
    runtime.liveTensors++;
    const scope = runtime.scopes[runtime.scopes.length - 1];
    if (scope) scope.add(this);
  }

  /** Wraps a freshly created backend storage (owned by this tensor) with a contiguous layout. */
  static fromStorage(storage: Storage, shape: Shape, backend: Backend = getBackend()): Tensor {
    return new Tensor(new StorageRef(backend, storage), contiguousLayout(shape), storage.dtype);
  }

  get shape(): readonly number[] {
    return this._layout.shape;
  }
  get rank(): number {
    return this._layout.shape.length;
  }
  get size(): number {
    return sizeOf(this._layout.shape);
  }
  get layout(): Layout {
    return this._layout;
  }
  get backend(): Backend {
    return this.ref.backend;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }
  get isContiguous(): boolean {
    return isContiguous(this._layout);
  }

  /** The backend view of this tensor, for kernels. Throws if the tensor was disposed. */
  view(op = 'use'): View {
    if (this.freed) throw new Error(`${op}: tensor #${this.id} ${formatShape(this.shape)} was disposed`);
    return { storage: this.ref.storage, layout: this._layout };
  }

  /** A new tensor sharing this one's storage with another layout (a view). */
  withLayout(layout: Layout): Tensor {
    this.view('view');
    return new Tensor(this.ref, layout, this.dtype);
  }

  /**
   * Replaces this tensor's contents with `value`'s (same shape and dtype); used by optimizers.
   * A contiguous value's storage is adopted rather than copied.
   */
  assign(value: Tensor): void {
    this.view('assign');
    if (value.dtype !== this.dtype || value.shape.join() !== this.shape.join()) {
      throw new Error(
        `assign: value ${value.dtype}${formatShape(value.shape)} does not match ${this.dtype}${formatShape(this.shape)}`,
      );
    }
    if (value.backend !== this.backend) throw new Error('assign: value lives on another backend');
    let next: StorageRef;
    let layout: Layout;
    if (value.isContiguous) {
      next = value.ref;
      layout = value.layout;
    } else {
      next = new StorageRef(this.backend, value.backend.copy(value.view('assign')));
      layout = contiguousLayout(this.shape);
    }
    next.retain();
    this.ref.releaseOne();
    this.ref = next;
    this._layout = layout;
  }

  /**
   * @internal The storage, for kernels that update a variable in place (fused optimizers).
   * Copies first if another tensor shares the storage or the layout is not contiguous, so an
   * in-place update can never show through another tensor.
   */
  exclusiveStorage(): Storage {
    this.view('exclusiveStorage');
    if (!this.ref.exclusive || !this.isContiguous) {
      const next = new StorageRef(this.backend, this.backend.copy(this.view('exclusiveStorage')));
      next.retain();
      this.ref.releaseOne();
      this.ref = next;
      this._layout = contiguousLayout(this.shape);
    }
    return this.ref.storage;
  }

  /**
   * Releases this tensor. If a recorded graph still needs it for a backward pass, the storage
   * is freed when that graph is (when the result holding the graph is disposed).
   */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    for (const scope of runtime.scopes) scope.delete(this);
    if (this.graphRefs === 0) freeChain(this);
  }

  /** Called by autodiff when a recorded node starts referring to this tensor. */
  retainForGraph(): void {
    this.graphRefs++;
  }

  /** Called when a node referring to this tensor is freed. */
  releaseFromGraph(): void {
    this.graphRefs--;
    if (this.graphRefs === 0 && this._disposed) freeChain(this);
  }

  /** @internal Like releaseFromGraph, but queues the free instead of recursing. */
  releaseFromGraphWithout(pending: Tensor[]): void {
    this.graphRefs--;
    if (this.graphRefs === 0 && this._disposed) pending.push(this);
  }

  /** @internal Frees storage and this tensor's node; returns the node's inputs. */
  freeOwn(): readonly Tensor[] {
    if (this.freed) return [];
    this.freed = true;
    const inputs = this.node?.inputs ?? [];
    this.node = null;
    this.ref.releaseOne();
    runtime.liveTensors--;
    return inputs;
  }

  /** Marks a leaf as needing its gradient; returns itself. */
  requireGrad(): this {
    this.requiresGrad = true;
    return this;
  }

  /** Copies the values out (asynchronous on GPU backends). */
  async data(): Promise<TypedArray> {
    return this.backend.read(this.view('data'));
  }

  /** Copies the values out synchronously; only on host-memory backends (the CPU). */
  dataSync(): TypedArray {
    const backend = this.backend;
    if (!backend.readSync) {
      throw new Error(`dataSync: the ${backend.name} backend reads asynchronously; use await tensor.data()`);
    }
    return backend.readSync(this.view('dataSync'));
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new Error(`item: tensor has ${this.size} elements ${formatShape(this.shape)}, not 1`);
    return this.dataSync()[0]!;
  }

  async itemAsync(): Promise<number> {
    if (this.size !== 1)
      throw new Error(`item: tensor has ${this.size} elements ${formatShape(this.shape)}, not 1`);
    return (await this.data())[0]!;
  }

  /** Nested JavaScript arrays of the values (synchronous, CPU). */
  toArray(): NestedArray {
    return nest(this.dataSync(), this.shape);
  }

  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  toString(): string {
    return `Tensor(${this.dtype}${formatShape(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

/** Frees `t` and, iteratively, every graph input only it kept alive. */
function freeChain(t: Tensor): void {
  const pending: Tensor[] = [t];
  while (pending.length > 0) {
    const next = pending.pop()!;
    for (const input of next.freeOwn()) {
      input.releaseFromGraphWithout(pending);
    }
  }
}

function nest(values: TypedArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return values[0]!;
  let index = 0;
  const build = (dim: number): NestedArray[] => {
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[dim]!; i++) {
      out.push(dim === shape.length - 1 ? values[index++]! : build(dim + 1));
    }
    return out;
  };
  return build(0);
}
