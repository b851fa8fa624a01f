// @conduit/segment-store: materialized segment rows as compressed chunks, and the CSV upload source.
export {
  LocalSegmentRowStore,
  MAX_STORED_ROW_LENGTH,
  type DatasetManifest,
  type DatasetSummary,
  type LocalSegmentRowStoreOptions,
  type ReadOptions,
  type RowWriter,
  type SegmentRow,
  type SegmentRowStore,
} from './row-store';
export { MAX_CSV_COLUMNS, MAX_CSV_RECORD_BYTES, parseCsvRows, type CsvOptions } from './csv-source';
export { listColumns } from './column-list';
export { CsvFormatError, MultiValueError, RowTooLargeError, SegmentSourceError } from './errors';
