// @conduit/segment-store: materialized segment rows as compressed chunks, and the CSV upload source.
export {
  LocalSegmentRowStore,
  type DatasetManifest,
  type DatasetSummary,
  type LocalSegmentRowStoreOptions,
  type RowWriter,
  type SegmentRow,
  type SegmentRowStore,
} from './row-store';
export { parseCsvRows, type CsvOptions } from './csv-source';
export { CsvFormatError, MultiValueError, SegmentSourceError } from './errors';
