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
    if ((this.count + 1) * this.width > this.buffer.length) {
      const grown = Buffer.alloc(this.buffer.length * 2);
      this.buffer.copy(grown);
      this.buffer = grown;
    }
    this.buffer.write(hex, this.count * this.width, this.width, 'hex');
    this.count++;
  }

  at(index: number): Buffer {
    return this.buffer.subarray(index * this.width, (index + 1) * this.width);
  }

  *values(): IterableIterator<Buffer> {
    for (let index = 0; index < this.count; index++) yield this.at(index);
  }
}
