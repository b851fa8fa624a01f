import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudienceFileWriter } from './audience-file.writer';

describe('AudienceFileWriter', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'writer-spec-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('writes lines with a header, and signs exactly the bytes on disk', async () => {
    const writer = new AudienceFileWriter(directory, 'a.csv', 'email_sha256,phone_sha256');
    await writer.writeLine('aa,bb');
    await writer.writeLine(',cc');
    const file = await writer.close(7);
    const bytes = readFileSync(file.path);
    expect(bytes.toString()).toBe('email_sha256,phone_sha256\naa,bb\n,cc\n');
    expect(file).toMatchObject({
      fileName: 'a.csv',
      lines: 2,
      bytes: bytes.length,
      endRow: 7,
      md5: createHash('md5').update(bytes).digest('hex'),
    });
    expect(AudienceFileWriter.sizeOf('aa,bb')).toBe(6);
  });

  it('handles backpressure on large files', async () => {
    const writer = new AudienceFileWriter(directory, 'big.csv');
    const line = 'f'.repeat(64);
    for (let index = 0; index < 50_000; index++) await writer.writeLine(line);
    const file = await writer.close(50_000);
    expect(file.bytes).toBe(65 * 50_000);
    expect(createHash('md5').update(readFileSync(file.path)).digest('hex')).toBe(file.md5);
  });

  it('discards a file that will not be uploaded', async () => {
    const writer = new AudienceFileWriter(directory, 'gone.csv');
    await writer.writeLine('x');
    expect(() => writer.discard()).not.toThrow(); // the file goes with the export's work directory
    expect(writer.lines).toBe(1);
  });
});
