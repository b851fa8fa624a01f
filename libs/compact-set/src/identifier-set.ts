/**
 * A compact set of fixed-width binary identifiers (hash digests) in one open-addressing table:
 * 10 million SHA-256 fingerprints take ~270 MB instead of gigabytes of JavaScript strings.
 * Keys are already uniformly distributed (they are hashes), so their first bytes index the table.
 */
const EMPTY = 0;
const FULL = 1;
const DELETED = 2;
const MAX_LOAD = 0.7;

export class IdentifierSet {
  private keys: Buffer;
  private states: Uint8Array;
  private capacity: number;
  private used = 0; // FULL + DELETED slots
  private count = 0;

  constructor(
    readonly width: number,
    initialCapacity = 1024,
  ) {
    if (width < 4) throw new RangeError('identifier width must be at least 4 bytes');
    this.capacity = 2 ** Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.keys = Buffer.alloc(this.capacity * width);
    this.states = new Uint8Array(this.capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Memory held by the table, in bytes. */
  get byteLength(): number {
    return this.keys.byteLength + this.states.byteLength;
  }

  has(key: Buffer): boolean {
    return this.find(key) >= 0;
  }

  /** Adds the key; returns false when it was already present. */
  add(key: Buffer): boolean {
    return this.addAt(key, 0);
  }

  /**
   * Adds the key held at `offset` in `source` (its first `width` bytes there); returns false when it
   * was already present. For keys packed in one buffer: no view allocated per key.
   */
  addAt(source: Buffer, offset: number): boolean {
    if ((this.used + 1) / this.capacity > MAX_LOAD)
      this.rehash(this.count + 1 > this.capacity * 0.35 ? this.capacity * 2 : this.capacity);
    const mask = this.capacity - 1;
    const width = this.width;
    const keys = this.keys;
    // The first four bytes, little-endian, as readUInt32LE reads them (without its argument checks).
    let slot =
      ((source[offset] as number) |
        ((source[offset + 1] as number) << 8) |
        ((source[offset + 2] as number) << 16) |
        ((source[offset + 3] as number) << 24)) &
      mask;
    let firstDeleted = -1;
    for (;;) {
      const state = this.states[slot];
      if (state === EMPTY) break;
      if (state === DELETED) {
        if (firstDeleted < 0) firstDeleted = slot;
      } else if (this.equalsAt(slot, source, offset)) {
        return false;
      }
      slot = (slot + 1) & mask;
    }
    const target = firstDeleted >= 0 ? firstDeleted : slot;
    if (firstDeleted < 0) this.used++;
    // A byte loop: for keys of ten-odd bytes it beats Buffer#copy, whose checks cost more than the copy.
    for (let index = 0, at = target * width; index < width; index++)
      keys[at + index] = source[offset + index] as number;
    this.states[target] = FULL;
    this.count++;
    return true;
  }

  /** Removes the key; returns false when it was absent. */
  delete(key: Buffer): boolean {
    const slot = this.find(key);
    if (slot < 0) return false;
    this.states[slot] = DELETED;
    this.count--;
    return true;
  }

  *values(): IterableIterator<Buffer> {
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.states[slot] === FULL) yield this.keys.subarray(slot * this.width, (slot + 1) * this.width);
    }
  }

  private find(key: Buffer): number {
    const mask = this.capacity - 1;
    let slot = key.readUInt32LE(0) & mask;
    for (;;) {
      const state = this.states[slot];
      if (state === EMPTY) return -1;
      if (state === FULL && this.equalsAt(slot, key, 0)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private equalsAt(slot: number, source: Buffer, offset: number): boolean {
    const keys = this.keys;
    for (let index = 0, at = slot * this.width; index < this.width; index++)
      if (keys[at + index] !== source[offset + index]) return false;
    return true;
  }

  private rehash(capacity: number): void {
    const oldKeys = this.keys;
    const oldStates = this.states;
    const oldCapacity = this.capacity;
    this.capacity = capacity;
    this.keys = Buffer.alloc(capacity * this.width);
    this.states = new Uint8Array(capacity);
    this.used = 0;
    this.count = 0;
    for (let slot = 0; slot < oldCapacity; slot++) {
      if (oldStates[slot] === FULL) this.add(oldKeys.subarray(slot * this.width, (slot + 1) * this.width));
    }
  }
}
