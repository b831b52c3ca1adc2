/**
 * The engine's process-wide state: the active backend, whether gradients are being recorded,
 * the stack of memory scopes, the live-tensor count and the global random generator.
 */
import type { Backend } from './backends/backend.js';
import { Random } from './tensor/random.js';
import type { Tensor } from './tensor/tensor.js';

interface RuntimeState {
  backend: Backend | null;
  gradEnabled: boolean;
  scopes: Set<Tensor>[];
  liveTensors: number;
  nextTensorId: number;
  random: Random;
  backendFactory: (() => Backend) | null;
}

export const runtime: RuntimeState = {
  backend: null,
  gradEnabled: true,
  scopes: [],
  liveTensors: 0,
  nextTensorId: 1,
  random: new Random(0),
  backendFactory: null,
};

/** Registers how to create the default backend on first use (the CPU backend registers itself). */
export function setDefaultBackendFactory(factory: () => Backend): void {
  runtime.backendFactory = factory;
}

export function getBackend(): Backend {
  if (runtime.backend) return runtime.backend;
  if (!runtime.backendFactory) {
    throw new Error('no backend: import the engine through core/engine/index.ts, or call setBackend()');
  }
  runtime.backend = runtime.backendFactory();
  return runtime.backend;
}

/** Makes `backend` the one new tensors are created on. */
export function setBackend(backend: Backend): void {
  runtime.backend = backend;
}

/** Runs `fn` with `backend` active, restoring the previous one afterwards. */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  const previous = runtime.backend;
  runtime.backend = backend;
  try {
    return fn();
  } finally {
    runtime.backend = previous;
  }
}

/** Seeds the global generator: one seed reproduces every random tensor drawn from it. */
export function setSeed(seed: number): void {
  runtime.random.reseed(seed);
}

export function globalRandom(): Random {
  return runtime.random;
}

/** Runs `fn` without recording gradients (inference, optimizer updates, metrics). */
export function noGrad<T>(fn: () => T): T {
  const previous = runtime.gradEnabled;
  runtime.gradEnabled = false;
  try {
    return fn();
  } finally {
    runtime.gradEnabled = previous;
  }
}

export function isGradEnabled(): boolean {
  return runtime.gradEnabled;
}

export interface EngineMemory {
  /** Tensors created and not yet disposed (views included). */
  liveTensors: number;
  /** Backend storages alive (several views can share one). */
  liveStorages: number;
  liveBytes: number;
}

export function memory(): EngineMemory {
  const info = getBackend().memory();
  return { liveTensors: runtime.liveTensors, liveStorages: info.liveStorages, liveBytes: info.liveBytes };
}
