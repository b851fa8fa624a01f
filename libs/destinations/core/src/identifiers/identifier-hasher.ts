import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { HashedIdentifiers, hashIdentifiers, type IdentifierBatch } from './hash-identifiers';

export interface IdentifierHasherOptions {
  /** Worker threads (default: one per core); 0 hashes on the calling thread. */
  threads?: number;
  /** An idle thread exits after this long (default 30 s): an idle server keeps none. */
  idleTimeoutMs?: number;
}

/** Below this many values a batch is hashed on the calling thread: a round trip would cost more. */
const SMALL_BATCH = 256;

/**
 * Normalizes and hashes batches of identifiers on a pool of worker threads (piscina), so an export
 * uses every core: the main thread reads the segment and writes files while the pool hashes. Results
 * come back as one transferred buffer per batch (`HashedIdentifiers`), never an object per value.
 * Batches may be submitted ahead; each resolves on its own, so the caller awaits them in row order.
 */
export class IdentifierHasher {
  private readonly pool?: Piscina;

  constructor(options: IdentifierHasherOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 0)
      throw new RangeError(`threads must be a whole number ≥ 0 (got ${threads}).`);
    if (threads > 0)
      this.pool = new Piscina({
        filename: join(__dirname, 'hash-identifiers.worker.js'),
        minThreads: 0,
        maxThreads: threads,
        idleTimeout: options.idleTimeoutMs ?? 30_000,
        // Work waits in the caller's bounded pipeline, not in an unbounded queue here.
        maxQueue: threads * 8,
      });
  }

  /** Worker threads the pool may run (0: hashing on the calling thread). */
  get threads(): number {
    return this.pool?.options.maxThreads ?? 0;
  }

  async hash(batch: IdentifierBatch): Promise<HashedIdentifiers> {
    const count = batch.values.length;
    if (!this.pool || count < SMALL_BATCH) return new HashedIdentifiers(count, hashIdentifiers(batch));
    const bytes = (await this.pool.run(batch)) as Uint8Array;
    return new HashedIdentifiers(count, bytes);
  }

  /** Stops the threads (the batches still running are rejected). */
  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}

let shared: IdentifierHasher | undefined;

/**
 * The process's pool, made on first use: one pool per process, whatever the number of exports
 * running at once, sized to the cores; its threads exit when idle.
 */
export function sharedIdentifierHasher(): IdentifierHasher {
  shared ??= new IdentifierHasher();
  return shared;
}
