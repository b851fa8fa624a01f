import { hash } from 'node:crypto';
import type { KeyEncoding, KeyType, NormalizeOptions, RejectionReason } from './identifier-types';
import { REJECTION_REASONS } from './identifier-types';
import { prepareIdentifier } from './normalize-identifier';
import { NO_OPTIONS } from './rejection';

/** Bytes of one SHA-256 digest. */
export const DIGEST_BYTES = 32;

/** One column's cells of a batch of segment rows, all of one key type and encoding. */
export interface IdentifierBatch {
  keyType: KeyType;
  encoding: KeyEncoding;
  options?: NormalizeOptions;
  /** The cells, in row order (strings as stored; null for an empty cell). */
  values: readonly unknown[];
}

/**
 * A batch's result in one buffer (one transfer between threads, no object per value): `n` status
 * bytes, then `n` binary SHA-256 digests of 32 bytes. Status 0: hashed; otherwise the value was
 * rejected, for `REJECTION_REASONS[status - 1]` (its digest bytes are then zeros).
 */
export class HashedIdentifiers {
  readonly status: Buffer;
  /** The digests, packed: value `index`'s at `index * DIGEST_BYTES`. */
  readonly digests: Buffer;

  constructor(
    readonly count: number,
    /** Exactly `count * 33` bytes, as `hashIdentifiers` fills them (a transferred buffer arrives as a plain view). */
    bytes: Uint8Array,
  ) {
    if (bytes.byteLength !== count * (1 + DIGEST_BYTES))
      throw new RangeError(`A batch of ${count} needs ${count * 33} bytes, got ${bytes.byteLength}.`);
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.status = buffer.subarray(0, count);
    this.digests = buffer.subarray(count);
  }

  /** Why value `index` was rejected, or undefined when it was hashed. */
  rejection(index: number): RejectionReason | undefined {
    const status = this.status[index] as number;
    return status === 0 ? undefined : REJECTION_REASONS[status - 1];
  }
}

const STATUS_OF = Object.fromEntries(REJECTION_REASONS.map((reason, index) => [reason, index + 1])) as Record<
  RejectionReason,
  number
>;

/**
 * Normalizes, validates and hashes a batch of cells (`normalizeIdentifier`'s rules, value for value)
 * into binary digests: the hot loop of an export, run in worker threads by `IdentifierHasher`. The
 * result's buffer is its own (not Node's shared pool), so it can be transferred without a copy.
 */
export function hashIdentifiers(batch: IdentifierBatch): Uint8Array {
  const { keyType, encoding, values } = batch;
  const options = batch.options ?? NO_OPTIONS;
  const count = values.length;
  const bytes = Buffer.allocUnsafeSlow(count * (1 + DIGEST_BYTES));
  for (let index = 0; index < count; index++) {
    const prepared = prepareIdentifier(keyType, encoding, values[index], options);
    const at = count + index * DIGEST_BYTES;
    if (!prepared.ok) {
      bytes[index] = STATUS_OF[prepared.reason];
      bytes.fill(0, at, at + DIGEST_BYTES);
      continue;
    }
    bytes[index] = 0;
    if (prepared.hashed) bytes.write(prepared.value, at, DIGEST_BYTES, 'hex');
    else hash('sha256', prepared.value, 'buffer').copy(bytes, at);
  }
  return bytes;
}
