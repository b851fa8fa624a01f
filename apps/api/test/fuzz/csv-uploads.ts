import { gzipSync } from 'node:zlib';
import type { OutgoingHttpHeaders } from 'node:http';
import fc from 'fast-check';

/** What one hostile upload sends: the multipart body and its headers (authorization aside). */
export interface HostileUpload {
  /** What was generated, for the report when it misbehaves. */
  label: string;
  body: Buffer;
  headers: OutgoingHttpHeaders;
}

const BOUNDARY = 'conduit-fuzz-7MA4YWxkTrZu0gW';
/** The fuzz boot sets SEGMENT_UPLOAD_MAX_MB to 1: files a bit past it must answer 413. */
export const FUZZ_UPLOAD_MAX_MB = 1;
const PAST_THE_LIMIT = FUZZ_UPLOAD_MAX_MB * 1024 * 1024 + 1024;
/** What a gzip bomb inflates to: ~2 KB sent, a thousand times more to parse. */
const BOMB_BYTES = 2 * 1024 * 1024;

const email = fc.emailAddress().map((address) => address.slice(0, 60));

interface Csv {
  label: string;
  text: string | Buffer;
}

/** Small files that are wrong in one way each: NUL, quotes, line endings, headers. */
const MALFORMED: Csv[] = [
  { label: 'NUL in header', text: 'em\u0000ail,country\na@example.com,FR\n' },
  { label: 'NUL header column', text: 'email,\u0000\na@example.com,FR\n' },
  { label: 'NUL in cells', text: 'email,country\na\u0000@example.com,F\u0000R\n' },
  { label: 'unbalanced quote', text: 'email,country\n"a@example.com,FR\n' },
  { label: 'quote in unquoted cell', text: 'email,country\na"b@example.com,FR\n' },
  { label: 'BOM and CRLF', text: '\ufeffemail,country\r\na@example.com,FR\r\n' },
  { label: 'CR only', text: 'email,country\ra@example.com,FR\r' },
  { label: 'header only', text: 'email\n' },
  { label: 'empty header', text: '\n\na@example.com\n' },
  { label: 'duplicate columns', text: 'email,email\na@example.com,b@example.com\n' },
  { label: 'no key column', text: 'mail,country\na@example.com,FR\n' },
  { label: 'ragged rows', text: 'email,country\na@example.com\nb@example.com,FR,extra\n' },
  { label: 'multi-value cells', text: 'email\na@example.com|b@example.com||\n' },
  { label: 'only separators', text: ',,,,\n,,,,\n' },
];

/** CSV files that break naive parsers: wide, huge, NUL, binary, quotes, line endings, no key column. */
const hostileCsv: fc.Arbitrary<Csv> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.array(email, { minLength: 1, maxLength: 200 }).map((emails) => ({
      label: 'plain',
      text: `email,country\n${emails.map((address) => `${address},FR`).join('\n')}\n`,
    })),
  },
  { weight: 8, arbitrary: fc.constantFrom(...MALFORMED) },
  {
    weight: 4,
    arbitrary: fc
      .uint8Array({ minLength: 1, maxLength: 5_000 })
      .map((bytes) => ({ label: 'binary', text: Buffer.from(bytes) })),
  },
  // The costly ones take the materializer 0.1-1 s each: one in seven, or the run takes minutes.
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((columns) => ({
      label: `wide header (${columns + 1} columns)`,
      text: `email,${Array.from({ length: columns }, (_, i) => `c${i}`).join(',')}\na@example.com${','.repeat(columns)}\n`,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 64 * 1024, max: 1024 * 1024 - 64 }).map((size) => ({
      label: `huge cell (${size} bytes)`,
      text: `email,note\na@example.com,${'x'.repeat(size)}\n`,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 8 * 1024, max: 256 * 1024 }).map((size) => ({
      label: `huge header cell (${size} bytes)`,
      text: `email,${'h'.repeat(size)}\na@example.com,1\n`,
    })),
  },
);

/** How the file is packed: as is, gzipped, a gzip bomb, or a gzip stream that is cut or fake. */
type Packing = 'plain' | 'gzip' | 'bomb' | 'truncated-gzip' | 'fake-gzip';

const BOMBS: Record<string, Buffer> = {
  'NUL bytes': Buffer.alloc(BOMB_BYTES, 0),
  'one endless cell': Buffer.alloc(BOMB_BYTES, 'a'),
  'blank lines': Buffer.concat([Buffer.from('email\n'), Buffer.alloc(BOMB_BYTES, '\n')]),
  'endless header': Buffer.concat([Buffer.from('email'), Buffer.alloc(BOMB_BYTES / 8, ',')]),
};
const GZIPPED_BOMBS = Object.fromEntries(
  Object.entries(BOMBS).map(([name, bytes]) => [name, gzipSync(bytes)]),
);

function packed(csv: Csv, packing: Packing, bomb: string): Csv {
  const bytes = Buffer.isBuffer(csv.text) ? csv.text : Buffer.from(csv.text, 'utf8');
  switch (packing) {
    case 'plain':
      return { label: csv.label, text: bytes };
    case 'gzip':
      return { label: `${csv.label}, gzipped`, text: gzipSync(bytes) };
    case 'bomb':
      return { label: `gzip bomb (${bomb})`, text: GZIPPED_BOMBS[bomb] as Buffer };
    case 'truncated-gzip': {
      const zipped = gzipSync(bytes);
      return {
        label: `${csv.label}, gzip cut short`,
        text: zipped.subarray(0, Math.ceil(zipped.length / 2)),
      };
    }
    case 'fake-gzip':
      return {
        label: 'gzip magic, then garbage',
        text: Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), bytes]),
      };
  }
}

/** How the multipart body around the file is broken, if at all. */
type Envelope =
  | 'proper'
  | 'no closing boundary'
  | 'cut mid-part'
  | 'no boundary parameter'
  | 'wrong part name'
  | 'two files'
  | 'text field first'
  | 'huge part header'
  | 'compressed request'
  | 'past the size limit';

function part(name: string, content: Buffer, extraHeaders = ''): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="segment.csv"\r\n` +
        `Content-Type: text/csv\r\n${extraHeaders}\r\n`,
    ),
    content,
    Buffer.from('\r\n'),
  ]);
}

const CLOSE = Buffer.from(`--${BOUNDARY}--\r\n`);

function enveloped(file: Buffer, envelope: Envelope): { body: Buffer; headers: OutgoingHttpHeaders } {
  const contentType = `multipart/form-data; boundary=${BOUNDARY}`;
  const headers: OutgoingHttpHeaders = { 'content-type': contentType };
  switch (envelope) {
    case 'proper':
      return { body: Buffer.concat([part('file', file), CLOSE]), headers };
    case 'no closing boundary':
      return { body: part('file', file), headers };
    case 'cut mid-part': {
      const whole = part('file', file);
      return { body: whole.subarray(0, Math.ceil(whole.length / 2)), headers };
    }
    case 'no boundary parameter':
      return {
        body: Buffer.concat([part('file', file), CLOSE]),
        headers: { 'content-type': 'multipart/form-data' },
      };
    case 'wrong part name':
      return { body: Buffer.concat([part('upload', file), CLOSE]), headers };
    case 'two files':
      return { body: Buffer.concat([part('file', file), part('file', file), CLOSE]), headers };
    case 'text field first': {
      const field = Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${'n'.repeat(5000)}\r\n`,
      );
      return { body: Buffer.concat([field, part('file', file), CLOSE]), headers };
    }
    case 'huge part header':
      return {
        body: Buffer.concat([part('file', file, `X-Padding: ${'p'.repeat(100_000)}\r\n`), CLOSE]),
        headers,
      };
    case 'compressed request':
      return {
        body: gzipSync(Buffer.concat([part('file', file), CLOSE])),
        headers: { ...headers, 'content-encoding': 'gzip' },
      };
    case 'past the size limit':
      return { body: Buffer.concat([part('file', Buffer.alloc(PAST_THE_LIMIT, 'a')), CLOSE]), headers };
  }
}

/** One hostile upload: a hostile CSV, packed some way, in a multipart body that may be broken too. */
export const hostileUpload: fc.Arbitrary<HostileUpload> = fc
  .record({
    csv: hostileCsv,
    packing: fc.oneof(
      { weight: 10, arbitrary: fc.constant<Packing>('plain') },
      { weight: 3, arbitrary: fc.constant<Packing>('gzip') },
      { weight: 1, arbitrary: fc.constantFrom<Packing>('bomb', 'truncated-gzip', 'fake-gzip') },
    ),
    bomb: fc.constantFrom(...Object.keys(BOMBS)),
    envelope: fc.oneof(
      // Half the bodies are broken: cheap to refuse, and where the multipart handling is tested.
      { weight: 1, arbitrary: fc.constant<Envelope>('proper') },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Envelope>(
          'no closing boundary',
          'cut mid-part',
          'no boundary parameter',
          'wrong part name',
          'two files',
          'text field first',
          'huge part header',
          'compressed request',
          'past the size limit',
        ),
      },
    ),
  })
  .map(({ csv, packing, bomb, envelope }) => {
    const file = packed(csv, packing, bomb);
    return { label: `${file.label} in ${envelope} multipart`, ...enveloped(file.text as Buffer, envelope) };
  });
