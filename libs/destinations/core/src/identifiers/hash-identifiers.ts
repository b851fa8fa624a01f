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
 * bytes, then `n` binary SHA-256 digests of 32 bytes, then a plain column's texts (`plainTexts`).
 * Status 0: hashed; otherwise the value was rejected, for `REJECTION_REASONS[status - 1]`.
 */
export class HashedIdentifiers {
  readonly status: Buffer;
  /** The digests, packed: value `index`'s at `index * DIGEST_BYTES` (zeros for a rejected value). */
  readonly digests: Buffer;
  private readonly texts?: PlainTexts;

  constructor(
    readonly count: number,
    /** As `hashIdentifiers` fills them (a transferred buffer arrives as a plain view). */
    bytes: Uint8Array,
  ) {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.texts = plainTexts(buffer, count);
    this.status = buffer.subarray(0, count);
    this.digests = buffer.subarray(count, count * (1 + DIGEST_BYTES));
  }

  /** Why value `index` was rejected, or undefined when it was hashed. */
  rejection(index: number): RejectionReason | undefined {
    const status = this.status[index] as number;
    return status === 0 ? undefined : REJECTION_REASONS[status - 1];
  }

  /**
   * The normalized text of value `index` when its column is plain and the value was accepted: what the
   * provider receives unhashed (`digests` holds its SHA-256, which the export dedupes on). Undefined
   * otherwise.
   */
  plain(index: number): string | undefined {
    if (this.texts === undefined || this.status[index] !== 0) return undefined;
    const { offsets, texts } = this.texts;
    return texts.toString(
      'utf8',
      offsets.readUInt32LE(index * OFFSET_BYTES),
      offsets.readUInt32LE((index + 1) * OFFSET_BYTES),
    );
  }
}

/** Bytes of one offset into a plain column's texts (a little-endian uint32). */
const OFFSET_BYTES = 4;

/** A plain column's texts in UTF-8, one after another; value `index`'s from offset `index` to `index + 1`. */
interface PlainTexts {
  offsets: Buffer;
  texts: Buffer;
}

/**
 * The texts after a plain column's digests: `n + 1` offsets, then the texts (a rejected value's range
 * is empty). Undefined for a column that is only hashed, whose buffer ends with its digests: the texts'
 * region holds at least one offset, so the buffer's size tells the two layouts apart.
 */
function plainTexts(buffer: Buffer, count: number): PlainTexts | undefined {
  const hashedBytes = count * (1 + DIGEST_BYTES);
  if (buffer.byteLength < hashedBytes)
    throw new RangeError(`A batch of ${count} needs ${hashedBytes} bytes, got ${buffer.byteLength}.`);
  if (buffer.byteLength === hashedBytes) return undefined;
  const textsAt = hashedBytes + (count + 1) * OFFSET_BYTES;
  if (
    buffer.byteLength < textsAt ||
    buffer.readUInt32LE(textsAt - OFFSET_BYTES) !== buffer.byteLength - textsAt
  )
    throw new RangeError(
      `A batch of ${count} with plain texts needs ${textsAt} bytes of status, digests and offsets, then as many bytes of text as its last offset says; got ${buffer.byteLength} bytes.`,
    );
  return { offsets: buffer.subarray(hashedBytes, textsAt), texts: buffer.subarray(textsAt) };
}

/**
 * Whether a column keeps its normalized texts besides their digests: its key type is one of
 * `options.plainKeyTypes`. A SHA256 column of such a type is refused: it holds digests, and the
 * provider must never receive a digest where it takes the value itself (callers refuse the mapping
 * earlier; this guards the hashing path).
 */
export function keepsPlainText(
  keyType: KeyType,
  encoding: KeyEncoding,
  options: NormalizeOptions = NO_OPTIONS,
): boolean {
  if (!options.plainKeyTypes?.includes(keyType)) return false;
  if (encoding === 'SHA256')
    throw new RangeError(
      `A SHA256 column cannot hold ${keyType}: ${keyType} is sent as normalized text, never hashed (plainKeyTypes); map a RAW column to it.`,
    );
  return true;
}

const STATUS_OF = Object.fromEntries(REJECTION_REASONS.map((reason, index) => [reason, index + 1])) as Record<
  RejectionReason,
  number
>;

/**
 * Normalizes, validates and hashes a batch of cells (`normalizeIdentifier`'s rules, value for value)
 * into binary digests: the hot loop of an export, run in worker threads by `IdentifierHasher`. A plain
 * column keeps its normalized texts too. The result's buffer is its own (not Node's shared pool), so
 * it can be transferred without a copy.
 */
export function hashIdentifiers(batch: IdentifierBatch): Uint8Array {
  const { keyType, encoding, values } = batch;
  const options = batch.options ?? NO_OPTIONS;
  const count = values.length;
  // One array per batch (value for value, undefined when rejected), for a plain column only: a column
  // only hashed allocates nothing more per value.
  const texts: (string | undefined)[] | undefined = keepsPlainText(keyType, encoding, options)
    ? []
    : undefined;
  const bytes = Buffer.allocUnsafeSlow(count * (1 + DIGEST_BYTES));
  for (let index = 0; index < count; index++) {
    const prepared = prepareIdentifier(keyType, encoding, values[index], options);
    const at = count + index * DIGEST_BYTES;
    if (!prepared.ok) {
      bytes[index] = STATUS_OF[prepared.reason];
      bytes.fill(0, at, at + DIGEST_BYTES);
      if (texts !== undefined) texts.push(undefined);
      continue;
    }
    bytes[index] = 0;
    if (prepared.hashed) bytes.write(prepared.value, at, DIGEST_BYTES, 'hex');
    else hash('sha256', prepared.value, 'buffer').copy(bytes, at);
    if (texts !== undefined) texts.push(prepared.value);
  }
  return texts === undefined ? bytes : withTexts(bytes, count, texts);
}

/** A plain column's result: its status bytes and digests, then its texts as `plainTexts` reads them. */
function withTexts(hashed: Buffer, count: number, texts: readonly (string | undefined)[]): Buffer {
  let textBytes = 0;
  for (const text of texts) if (text !== undefined) textBytes += Buffer.byteLength(text);
  const offsetsAt = hashed.byteLength;
  const textsAt = offsetsAt + (count + 1) * OFFSET_BYTES;
  const bytes = Buffer.allocUnsafeSlow(textsAt + textBytes);
  hashed.copy(bytes, 0);
  let end = 0;
  bytes.writeUInt32LE(end, offsetsAt);
  for (let index = 0; index < count; index++) {
    const text = texts[index];
    if (text !== undefined) end += bytes.write(text, textsAt + end); // (UTF-8, the default)
    bytes.writeUInt32LE(end, offsetsAt + (index + 1) * OFFSET_BYTES);
  }
  return bytes;
}
