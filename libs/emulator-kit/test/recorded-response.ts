import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';

/** A ServerResponse stand-in that records its status, headers and bytes, and whether it was cut. */
export class RecordedResponse extends Writable {
  status?: number;
  headers: Record<string, string | number> = {};
  readonly chunks: Buffer[] = [];
  readonly socket = { destroyed: false, destroy: () => void (this.socket.destroyed = true) };

  writeHead(status: number, headers: Record<string, string | number>): this {
    this.status = status;
    this.headers = headers;
    return this;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }

  get body(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  get size(): number {
    return this.chunks.reduce((total, chunk) => total + chunk.length, 0);
  }

  asResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }
}
