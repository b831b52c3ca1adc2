/**
 * Records kernels into one command encoder (one compute pass) and submits them together at
 * `flush()`, when a read needs the results, or when the batch is full. Pipelines are compiled
 * once per program signature. Every dispatch's uniforms go into one CPU-side arena that is
 * written to the GPU with a single `writeBuffer` just before the batch is submitted.
 *
 * Validation and out-of-memory errors of a batch are caught by error scopes and thrown from
 * the next `read`, naming the kernels of that batch.
 */
import type { BufferPool } from './buffer-pool.js';
import {
  generateShader,
  packUniforms,
  programSignature,
  uniformBytes,
  uniformFields,
  type Program,
} from './program.js';

interface CompiledProgram {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

export interface RunnerOptions {
  /** Dispatches recorded before a batch is submitted on its own; defaults to 512. */
  readonly maxDispatchesPerBatch?: number;
}

const ARENA_BYTES = 256 * 1024;

export class Runner {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private batchKeys = new Set<string>();
  private readonly pipelines = new Map<string, CompiledProgram>();
  private readonly arena: GPUBuffer;
  private readonly arenaData = new ArrayBuffer(ARENA_BYTES);
  private readonly arenaView = new DataView(this.arenaData);
  private arenaUsed = 0;
  private readonly uniformAlignment: number;
  private readonly maxGroupsPerDimension: number;
  private readonly maxDispatches: number;
  /** Settles when the error scopes of every submitted batch have been checked. */
  private errorChecks: Promise<void> = Promise.resolve();
  private firstError: Error | null = null;
  /** Counters, for tests and benchmarks. */
  submits = 0;
  totalDispatches = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Pools whose released buffers become reusable once a batch is submitted. */
    private readonly pools: readonly BufferPool[],
    options: RunnerOptions = {},
  ) {
    this.arena = device.createBuffer({
      size: ARENA_BYTES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: 'uniform arena',
    });
    this.uniformAlignment = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
    this.maxGroupsPerDimension = device.limits.maxComputeWorkgroupsPerDimension;
    this.maxDispatches = options.maxDispatchesPerBatch ?? 512;
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  private begin(): GPUCommandEncoder {
    if (!this.encoder) {
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder();
    }
    return this.encoder;
  }

  private compile(p: Program, signature: string): CompiledProgram {
    const code = generateShader(p);
    const module = this.device.createShaderModule({ code, label: p.key });
    const entries: GPUBindGroupLayoutEntry[] = p.bindings.map((b, i) => ({
      binding: i,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: b.access === 'read' ? 'read-only-storage' : 'storage' },
    }));
    entries.push({
      binding: p.bindings.length,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: 'uniform' },
    });
    const layout = this.device.createBindGroupLayout({ entries, label: p.key });
    const pipeline = this.device.createComputePipeline({
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
      label: p.key,
    });
    const compiled = { pipeline, layout };
    this.pipelines.set(signature, compiled);
    return compiled;
  }

  /** The workgroup grid for a program, spreading past the per-dimension limit onto y. */
  private grid(p: Program): [number, number, number] | null {
    const limit = this.maxGroupsPerDimension;
    let grid: [number, number, number];
    if ('threads' in p.dispatch) {
      const [x, y, z] = p.workgroupSize;
      const groups = Math.ceil(p.dispatch.threads / (x * y * z));
      if (groups === 0) return null;
      const gx = Math.min(groups, limit);
      grid = [gx, Math.ceil(groups / gx), 1];
    } else {
      grid = [...p.dispatch.groups];
      if (grid.some((g) => g === 0)) return null;
    }
    if (grid.some((g) => g > limit)) {
      throw new RangeError(
        `webgpu: ${p.key} needs a grid of ${grid.join('×')} workgroups; this adapter's ` +
          `maxComputeWorkgroupsPerDimension is ${limit}`,
      );
    }
    return grid;
  }

  /** Records one kernel; nothing runs until the batch is submitted. */
  run(p: Program): void {
    const grid = this.grid(p);
    if (!grid) return;
    const threads = 'threads' in p.dispatch ? p.dispatch.threads : 0;
    const fields = uniformFields(p, threads);
    const bytes = uniformBytes(fields.length);
    if (this.arenaUsed + bytes > ARENA_BYTES || this.dispatches >= this.maxDispatches) this.flush();
    const encoder = this.begin();
    const signature = programSignature(p);
    const compiled = this.pipelines.get(signature) ?? this.compile(p, signature);
    const offset = this.arenaUsed;
    packUniforms(fields, this.arenaView, offset);
    this.arenaUsed = Math.ceil((offset + bytes) / this.uniformAlignment) * this.uniformAlignment;
    const entries: GPUBindGroupEntry[] = p.bindings.map((b, i) => {
      const size = b.vec4 ? Math.ceil(b.storage.byteLength / 16) * 16 : b.storage.byteLength;
      return { binding: i, resource: { buffer: b.storage.buffer, size: Math.max(16, size) } };
    });
    entries.push({ binding: p.bindings.length, resource: { buffer: this.arena, offset, size: bytes } });
    const bindGroup = this.device.createBindGroup({ layout: compiled.layout, entries });
    if (!this.pass) this.pass = encoder.beginComputePass();
    this.pass.setPipeline(compiled.pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    this.dispatches++;
    this.totalDispatches++;
    if (this.batchKeys.size < 32) this.batchKeys.add(p.key);
  }

  /** Records a buffer-to-buffer copy (ends the current compute pass). */
  copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    const encoder = this.begin();
    this.endPass();
    encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Records zero-filling a buffer range. */
  clearBuffer(buffer: GPUBuffer, offset: number, bytes: number): void {
    const encoder = this.begin();
    this.endPass();
    encoder.clearBuffer(buffer, offset, bytes);
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  /** Submits the recorded batch (if any) and lets the pools reuse buffers released before it. */
  flush(): void {
    const encoder = this.encoder;
    if (encoder) {
      this.endPass();
      if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.arena, 0, this.arenaData, 0, this.arenaUsed);
      this.device.queue.submit([encoder.finish()]);
      this.submits++;
      const keys = [...this.batchKeys].join(', ');
      const validation = this.device.popErrorScope();
      const memory = this.device.popErrorScope();
      this.errorChecks = Promise.all([this.errorChecks, validation, memory]).then(([, v, m]) => {
        const error = v ?? m;
        if (error && !this.firstError) {
          this.firstError = new Error(`webgpu: a batch of kernels (${keys}) failed: ${error.message}`);
        }
      });
      this.encoder = null;
      this.dispatches = 0;
      this.arenaUsed = 0;
      this.batchKeys = new Set();
    }
    for (const pool of this.pools) pool.recycle();
  }

  /** Throws the first error a submitted batch reported (once checked). */
  async checkErrors(): Promise<void> {
    await this.errorChecks;
    if (this.firstError) {
      const error = this.firstError;
      this.firstError = null;
      throw error;
    }
  }

  destroy(): void {
    if (this.encoder) {
      this.endPass();
      this.encoder.finish();
      this.device.popErrorScope().catch(() => undefined);
      this.device.popErrorScope().catch(() => undefined);
      this.encoder = null;
    }
    this.arena.destroy();
    this.pipelines.clear();
  }
}
