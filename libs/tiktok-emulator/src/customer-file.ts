import { createReadStream } from 'node:fs';
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
