import type { ExportRequest, SegmentRow } from '../provider/destination-provider';

/** Rows per batch when a request's rows are grouped here (its store gives no batches of its own). */
const GROUPED_ROWS = 4096;

/** The request's rows in batches: the store's own when it has them, else `rows()` grouped. */
export function rowBatchesOf(
  request: Pick<ExportRequest, 'rows' | 'rowBatches'>,
): AsyncIterable<readonly SegmentRow[]> {
  return request.rowBatches ? request.rowBatches() : grouped(request.rows(), GROUPED_ROWS);
}

async function* grouped(rows: AsyncIterable<SegmentRow>, size: number): AsyncIterable<SegmentRow[]> {
  let batch: SegmentRow[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
