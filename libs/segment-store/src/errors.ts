/** A problem with a segment's source its owner can fix (bad file, bad query, too many rows…). */
export class SegmentSourceError extends Error {
  constructor(
    message: string,
    /** 1-based line of the file (CSV), when the problem has one. */
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The CSV itself is malformed: no header, wrong number of fields, a key column missing… */
export class CsvFormatError extends SegmentSourceError {}

/** A key cell holds several values and the segment does not flatten them. */
export class MultiValueError extends SegmentSourceError {}

/** A row longer than the row store keeps (`MAX_STORED_ROW_LENGTH`): refused when written or read. */
export class RowTooLargeError extends SegmentSourceError {}
