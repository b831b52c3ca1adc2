/**
 * Size-bucketed reuse of GPU buffers. Sizes are rounded up to a size class (four classes per
 * power of two, so at most 25% is wasted); a released buffer waits until the commands that may
 * still use it have been submitted, then becomes free for the next request of its class.
 *
 * Why the wait: kernels are recorded into a command encoder and submitted later, while
 * `queue.writeBuffer` (upload) runs at the next submit. Handing a buffer released by a
 * recorded-but-unsubmitted kernel to an upload would overwrite it before that kernel reads it.
 * A later kernel of the same batch may take it at once, though: commands in one encoder run
 * in order, so `acquire(bytes, 'kernel')` also draws on the waiting buffers.
 */

export interface PoolStats {
  /** Buffers created and not destroyed (in use plus pooled). */
  readonly allocatedBuffers: number;
  readonly allocatedBytes: number;
  /** Buffers waiting in the pool for reuse. */
  readonly pooledBuffers: number;
  readonly pooledBytes: number;
}

/**
 * The smallest size class holding `bytes`: 2^k · {1, 1.25, 1.5, 1.75}, a multiple of 16 bytes
 * (so any buffer can be bound as an array of vec4).
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 16) return 16;
  const power = 2 ** Math.floor(Math.log2(bytes));
  const quarter = Math.max(16, power / 4);
  return Math.ceil(bytes / quarter) * quarter;
}

/**
 * The size class, but never past the device's largest buffer when the request itself fits:
 * rounding a 1.1 GiB tensor up to 1.25 GiB must not turn a buffer the device can hold into one
 * it refuses. Such a buffer is still pooled, under its own exact (16-aligned) size.
 */
export function cappedSizeClass(bytes: number, maxBufferSize: number): number {
  const size = sizeClass(bytes);
  if (size <= maxBufferSize) return size;
  return Math.max(Math.ceil(bytes / 16) * 16, 16);
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pending = new Map<number, GPUBuffer[]>();
  private pendingDestroy: GPUBuffer[] = [];
  private allocatedBuffers = 0;
  private allocatedBytes = 0;
  private pooledBuffers = 0;
  private pooledBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly label: string,
    /** Pooled bytes beyond this are destroyed instead of kept. */
    private readonly maxPooledBytes: number,
  ) {}

  /**
   * A buffer of at least `bytes`. `user` 'kernel': it will first be written by a recorded
   * command, so buffers released in the current batch qualify; 'queue': it will be written by
   * `queue.writeBuffer`, so only buffers free since the last submit do.
   */
  acquire(bytes: number, user: 'kernel' | 'queue'): GPUBuffer {
    const size = cappedSizeClass(bytes, this.device.limits.maxBufferSize);
    // Kernels take the buffers released in this batch first and leave the free ones to
    // uploads, which can use nothing else: the other way round, every step of a long batch
    // (several training steps between reads) drew new buffers for its uploads and the pool
    // grew each epoch.
    const reused =
      (user === 'kernel' ? this.pending.get(size)?.pop() : undefined) ?? this.free.get(size)?.pop();
    if (reused) {
      this.pooledBuffers--;
      this.pooledBytes -= size;
      return reused;
    }
    const buffer = this.device.createBuffer({ size, usage: this.usage, label: this.label });
    this.allocatedBuffers++;
    this.allocatedBytes += size;
    return buffer;
  }

  /** Returns a buffer: reusable by kernels at once, by uploads after the next `recycle()`. */
  release(buffer: GPUBuffer): void {
    if (this.pooledBytes + buffer.size > this.maxPooledBytes) {
      this.pendingDestroy.push(buffer);
      return;
    }
    let bucket = this.pending.get(buffer.size);
    if (!bucket) this.pending.set(buffer.size, (bucket = []));
    bucket.push(buffer);
    this.pooledBuffers++;
    this.pooledBytes += buffer.size;
  }

  /** Returns a buffer that no unsubmitted command uses (e.g. a mapped read-back buffer). */
  releaseNow(buffer: GPUBuffer): void {
    this.keep(buffer);
  }

  /** Called after each submit: buffers released before it are now safe to hand out again. */
  recycle(): void {
    for (const [size, buffers] of this.pending) {
      let bucket = this.free.get(size);
      if (!bucket) this.free.set(size, (bucket = []));
      bucket.push(...buffers);
    }
    this.pending.clear();
    // Destroying waits for the submit too: a recorded command may still use the buffer.
    for (const buffer of this.pendingDestroy) this.forget(buffer);
    this.pendingDestroy = [];
  }

  private forget(buffer: GPUBuffer): void {
    this.allocatedBuffers--;
    this.allocatedBytes -= buffer.size;
    buffer.destroy();
  }

  private keep(buffer: GPUBuffer): void {
    const size = buffer.size;
    if (this.pooledBytes + size > this.maxPooledBytes) {
      this.forget(buffer);
      return;
    }
    let bucket = this.free.get(size);
    if (!bucket) this.free.set(size, (bucket = []));
    bucket.push(buffer);
    this.pooledBuffers++;
    this.pooledBytes += size;
  }

  stats(): PoolStats {
    return {
      allocatedBuffers: this.allocatedBuffers,
      allocatedBytes: this.allocatedBytes,
      pooledBuffers: this.pooledBuffers,
      pooledBytes: this.pooledBytes,
    };
  }

  /** Destroys the pooled buffers (in-use ones are destroyed with the device). */
  destroy(): void {
    for (const bucket of this.free.values()) for (const b of bucket) b.destroy();
    for (const bucket of this.pending.values()) for (const b of bucket) b.destroy();
    for (const b of this.pendingDestroy) b.destroy();
    this.free.clear();
    this.pending.clear();
    this.pendingDestroy = [];
    this.pooledBuffers = 0;
    this.pooledBytes = 0;
  }
}
