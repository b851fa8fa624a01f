/** A byte's value as a hex digit (0–15), or 255 when it is not one. */
const HEX_VALUE = new Uint8Array(256).fill(255);
for (let digit = 0; digit < 16; digit++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(digit)] = digit;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(digit)] = digit;
}

/** An append-only list of fixed-width binary values in one growing buffer. */
export class ValueList {
  private buffer: Buffer;
  private count = 0;

  constructor(readonly width: number) {
    this.buffer = Buffer.alloc(width * 1024);
  }

  /** Wraps values already laid out back to back (e.g. read from disk). */
  static fromBuffer(width: number, values: Buffer): ValueList {
    if (values.length % width !== 0)
      throw new RangeError(`buffer length ${values.length} is not a multiple of ${width}`);
    const list = new ValueList(width);
    list.buffer = values;
    list.count = values.length / width;
    return list;
  }

  get length(): number {
    return this.count;
  }

  pushHex(hex: string): void {
    this.reserveOne();
    this.buffer.write(hex, this.count * this.width, this.width, 'hex');
    this.count++;
  }

  /**
   * Appends the value written as `width * 2` hex digits (either case) at `start` in `source`;
   * answers false, appending nothing, when one of them is not a hex digit.
   */
  pushHexBytes(source: Buffer, start: number): boolean {
    this.reserveOne();
    let at = this.count * this.width;
    for (let index = start; index < start + this.width * 2; index += 2) {
      const high = HEX_VALUE[source[index] as number] as number;
      const low = HEX_VALUE[source[index + 1] as number] as number;
      if ((high | low) > 15) return false;
      this.buffer[at++] = (high << 4) | low;
    }
    this.count++;
    return true;
  }

  private reserveOne(): void {
    if ((this.count + 1) * this.width <= this.buffer.length) return;
    const grown = Buffer.alloc(this.buffer.length * 2);
    this.buffer.copy(grown);
    this.buffer = grown;
  }

  at(index: number): Buffer {
    return this.buffer.subarray(index * this.width, (index + 1) * this.width);
  }

  *values(): IterableIterator<Buffer> {
    for (let index = 0; index < this.count; index++) yield this.at(index);
  }
}
