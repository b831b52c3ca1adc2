/**
 * Reading results back to the host: a pool of mappable staging buffers and the pacing of the
 * map. dawn.node waits for a map by polling with setImmediate, which keeps a host core busy for
 * as long as the GPU works — on a software adapter (lavapipe) a core it would run the kernels
 * on. So a read first sleeps for most of the wait recent reads saw, then maps. A map that comes
 * back at once means the GPU finished during the sleep, perhaps long before (a short read after
 * a long one): the estimate is then dropped, so one read at most sleeps past the GPU before the
 * reads learn the new pace.
 */
import { BufferPool } from './buffer-pool.js';
import type { Runner } from './runner.js';

export class Readback {
  private readonly pool: BufferPool;
  /** A running average of how long reads waited for the GPU. */
  private waitMs = 0;

  constructor(
    device: GPUDevice,
    private readonly runner: Runner,
    pooledBytes: number,
  ) {
    this.pool = new BufferPool(
      device,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      'read-back',
      pooledBytes,
    );
  }

  /**
   * Copies `bytes` from `source` at `byteOffset` to the host: records the copy and submits at
   * once (so `source` may be released as soon as this returns its promise), waits for the GPU,
   * and hands the mapped bytes to `consume` before the staging buffer goes back to the pool.
   */
  async read(
    source: GPUBuffer,
    byteOffset: number,
    bytes: number,
    consume: (mapped: ArrayBuffer) => void,
  ): Promise<void> {
    const staging = this.pool.acquire(bytes, 'kernel');
    this.runner.copyBuffer(source, byteOffset, staging, 0, bytes);
    this.runner.flush();
    await this.mapWhenLikelyDone(staging, bytes);
    consume(staging.getMappedRange(0, bytes));
    staging.unmap();
    this.pool.releaseNow(staging);
  }

  destroy(): void {
    this.pool.destroy();
  }

  private async mapWhenLikelyDone(staging: GPUBuffer, bytes: number): Promise<void> {
    const started = performance.now();
    const sleep = 0.7 * this.waitMs;
    if (sleep >= 2) await new Promise((resolve) => setTimeout(resolve, sleep));
    const mapping = performance.now();
    await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const done = performance.now();
    if (sleep >= 2 && done - mapping < 1) this.waitMs = 0;
    else this.waitMs = 0.7 * this.waitMs + 0.3 * (done - started);
  }
}
