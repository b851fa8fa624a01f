import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { headerType, identifierWidth, type CalculateType, type SingleCalculateType } from './calculate-types';
import { fail, TikTokCode } from './tiktok-codes';
import { ValueList } from './value-list';

/** The identifiers of one customer file, by type, as binary values. */
export interface ParsedCustomerFile {
  values: Map<SingleCalculateType, ValueList>;
  lines: number;
  invalidValues: number;
}

const HEX = /^[0-9a-fA-F]+$/;

function isValue(cell: string, type: SingleCalculateType): boolean {
  return cell.length === identifierWidth(type) * 2 && HEX.test(cell);
}

/**
 * Reads an uploaded file line by line (streaming: memory grows with the identifiers kept, not with
 * the file). Single types: one value per line, no header. MULTIPLE_TYPES: a header naming the types
 * (case-insensitive), every row with the header's field count, empty cells for missing keys.
 * Malformed values are counted and skipped, as TikTok's matching does; a file without a single
 * valid value, or with a broken MULTIPLE_TYPES layout, is refused with 40915.
 */
export async function parseCustomerFile(
  path: string,
  calculateType: CalculateType,
): Promise<ParsedCustomerFile> {
  if (calculateType !== 'MULTIPLE_TYPES') return parseSingleTypeFile(path, calculateType);
  const values = new Map<SingleCalculateType, ValueList>();
  const listFor = (type: SingleCalculateType) => {
    let list = values.get(type);
    if (!list) values.set(type, (list = new ValueList(identifierWidth(type))));
    return list;
  };
  let columns: SingleCalculateType[] | undefined;
  let lines = 0;
  let invalidValues = 0;
  const reader = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  for await (const rawLine of reader) {
    const line = rawLine.trim();
    if (line === '') continue;
    lines++;
    if (calculateType !== 'MULTIPLE_TYPES') {
      if (isValue(line, calculateType)) listFor(calculateType).pushHex(line.toLowerCase());
      else invalidValues++;
      continue;
    }
    const cells = line.split(',').map((cell) => cell.trim());
    if (!columns) {
      columns = cells.map((cell, index) => {
        const type = headerType(cell);
        return (
          type ??
          fail(
            TikTokCode.FILE_CONTENT_INVALID,
            `MULTIPLE_TYPES header column ${index + 1} ("${cell}") is not a known type such as email_SHA256, phone_SHA256 or MAID_SHA256`,
          )
        );
      });
      if (new Set(columns).size !== columns.length)
        fail(TikTokCode.FILE_CONTENT_INVALID, 'MULTIPLE_TYPES header names a type twice');
      continue;
    }
    if (cells.length !== columns.length) {
      fail(
        TikTokCode.FILE_CONTENT_INVALID,
        `row ${lines} has ${cells.length} fields but the header has ${columns.length}`,
      );
    }
    cells.forEach((cell, index) => {
      if (cell === '') return;
      const type = (columns as SingleCalculateType[])[index];
      if (isValue(cell, type)) listFor(type).pushHex(cell.toLowerCase());
      else invalidValues++;
    });
  }
  if (calculateType === 'MULTIPLE_TYPES' && !columns)
    fail(TikTokCode.FILE_CONTENT_INVALID, 'MULTIPLE_TYPES files need a header row');
  if ([...values.values()].every((list) => list.length === 0)) {
    fail(
      TikTokCode.FILE_CONTENT_INVALID,
      `the file has no valid ${calculateType === 'MULTIPLE_TYPES' ? 'identifier' : calculateType + ' value'}`,
    );
  }
  return { values, lines, invalidValues };
}

/** Bytes read at a time by the single-type parser. */
const READ_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** ASCII whitespace `String#trim` removes (space, \t, \n, \v, \f, \r). */
function isAsciiSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * A single-type file (one value per line, no header), read as bytes: what `parseCustomerFile` does line
 * by line, without a string per line (files of millions of values). A line holding a byte past ASCII
 * (Unicode whitespace, say) takes the string path, so the outcome is the same to the value.
 */
async function parseSingleTypeFile(path: string, type: SingleCalculateType): Promise<ParsedCustomerFile> {
  const list = new ValueList(identifierWidth(type));
  const digits = identifierWidth(type) * 2;
  let lines = 0;
  let invalidValues = 0;
  /** One line, `ascii` when none of its bytes is past ASCII. */
  const take = (line: Buffer, start: number, end: number, ascii: boolean) => {
    if (!ascii) {
      const text = line.toString('utf8', start, end).trim();
      if (text === '') return;
      lines++;
      if (isValue(text, type)) list.pushHex(text.toLowerCase());
      else invalidValues++;
      return;
    }
    while (start < end && isAsciiSpace(line[start] as number)) start++;
    while (end > start && isAsciiSpace(line[end - 1] as number)) end--;
    if (start === end) return;
    lines++;
    if (end - start !== digits || !list.pushHexBytes(line, start)) invalidValues++;
  };
  // As readline cuts them: a lone \r ends a line too (\r\n is one break; the \r then trims away).
  const takeLines = (bytes: Buffer, start: number, end: number) => {
    let ascii = true;
    for (let index = start; index < end; index++) {
      const byte = bytes[index] as number;
      if (byte === CARRIAGE_RETURN) {
        take(bytes, start, index, ascii);
        start = index + 1;
        ascii = true;
      } else if (byte > 0x7f) ascii = false;
    }
    take(bytes, start, end, ascii);
  };
  const handle = await open(path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(READ_BYTES);
    let kept = 0; // bytes of an unfinished line at the start of `buffer`
    for (;;) {
      if (kept === buffer.length) {
        // One line longer than the buffer: grow it (such a line is invalid, but must still be counted once).
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, kept);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, kept, buffer.length - kept, null);
      const filled = kept + bytesRead;
      let start = 0;
      for (
        let end = buffer.indexOf(NEWLINE, 0);
        end !== -1 && end < filled;
        end = buffer.indexOf(NEWLINE, start)
      ) {
        takeLines(buffer, start, end);
        start = end + 1;
      }
      if (bytesRead === 0) {
        if (start < filled) takeLines(buffer, start, filled);
        break;
      }
      kept = buffer.copy(buffer, 0, start, filled);
    }
  } finally {
    await handle.close();
  }
  if (list.length === 0) fail(TikTokCode.FILE_CONTENT_INVALID, `the file has no valid ${type} value`);
  return { values: new Map([[type, list]]), lines, invalidValues };
}
