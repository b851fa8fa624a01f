import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudienceFileWriter } from './audience-file.writer';

const digest = (text: string) => createHash('sha256').update(text).digest();

describe('AudienceFileWriter', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'writer-spec-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('writes digests as hex lines under a header, and signs exactly the bytes on disk', async () => {
    const writer = new AudienceFileWriter(directory, 'a.csv', 'email_sha256,phone_sha256');
    // Two digests packed in one buffer after a byte of something else, as the hashing pool packs them.
    const packed = Buffer.concat([Buffer.from([7]), digest('a'), digest('b')]);
    writer.appendDigests([packed, packed], [1, 33]);
    writer.appendDigests([packed, packed], [-1, 33]);
    writer.appendDigest(packed, 1);
    expect(writer.bytes).toBe(26 + 130 + 66 + 65);
    const file = await writer.close();
    const bytes = readFileSync(file.path);
    const [a, b] = [digest('a').toString('hex'), digest('b').toString('hex')];
    expect(bytes.toString()).toBe(`email_sha256,phone_sha256\n${a},${b}\n,${b}\n${a}\n`);
    expect(file).toMatchObject({
      fileName: 'a.csv',
      lines: 3,
      bytes: bytes.length,
      md5: createHash('md5').update(bytes).digest('hex'),
    });
    expect(AudienceFileWriter.lineBytes(2, 1)).toBe(66);
    expect(AudienceFileWriter.lineBytes(1, 1)).toBe(65);
  });

  it('writes large files block by block, waiting for the disk', async () => {
    const writer = new AudienceFileWriter(directory, 'big.csv');
    const expected = createHash('md5');
    for (let index = 0; index < 50_000; index++) {
      const value = digest(String(index));
      writer.appendDigest(value, 0);
      expected.update(`${value.toString('hex')}\n`);
      if (index % 5_000 === 0) await writer.drain();
    }
    const file = await writer.close();
    expect(file.bytes).toBe(65 * 50_000);
    expect(file.md5).toBe(expected.digest('hex'));
    expect(createHash('md5').update(readFileSync(file.path)).digest('hex')).toBe(file.md5);
  });

  it('discards a file that will not be uploaded', () => {
    const writer = new AudienceFileWriter(directory, 'gone.csv');
    writer.appendDigest(digest('x'), 0);
    expect(() => writer.discard()).not.toThrow(); // the file goes with the export's work directory
    expect(writer.lines).toBe(1);
  });
});
