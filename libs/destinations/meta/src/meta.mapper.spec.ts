import type { ExportCounts } from '@conduit/destinations-core';
import { countInvalidEntries, schemaFor, toExportStatus } from './meta.mapper';

describe('schemaFor', () => {
  it('names each key type’s multi-key column, in mapping order (MADID for device ids)', () => {
    expect(schemaFor(['PHONE', 'MAID', 'EMAIL'])).toEqual(['PHONE', 'MADID', 'EMAIL']);
  });
});

describe('toExportStatus', () => {
  const status = (code: number, description = 'd') => ({ code, description });

  it('is PROCESSING while Meta populates, replaces or has no upload yet', () => {
    for (const code of [441, 414, 410])
      expect(toExportStatus({ id: '1', operation_status: status(code, 'Populating') })).toMatchObject({
        state: 'PROCESSING',
        message: `Populating (Meta status ${code})`,
      });
    expect(toExportStatus({ id: '1' })).toMatchObject({ state: 'PROCESSING', audienceSize: null });
  });

  it('is FAILED on a failed replace, an integrity flag, an error, or a delivery status of 400 and up', () => {
    for (const code of [415, 471, 500])
      expect(toExportStatus({ id: '1', operation_status: status(code) }).state).toBe('FAILED');
    expect(
      toExportStatus({ id: '1', operation_status: status(200), delivery_status: status(400, 'Policy') }),
    ).toMatchObject({ state: 'FAILED', message: 'Policy (Meta status 400)' });
  });

  it('is READY once Normal, sized by the midpoint of the approximate bounds (-1: unknown)', () => {
    expect(
      toExportStatus({
        id: '1',
        operation_status: status(200),
        delivery_status: status(200),
        approximate_count_lower_bound: 4900,
        approximate_count_upper_bound: 5100,
      }),
    ).toEqual({ state: 'READY', audienceSize: 5000 });
    expect(
      toExportStatus({
        id: '1',
        operation_status: status(200),
        delivery_status: status(300, 'Too small'),
        approximate_count_lower_bound: -1,
        approximate_count_upper_bound: -1,
      }),
    ).toEqual({ state: 'READY', audienceSize: null, message: 'Too small (Meta status 300)' });
  });
});

describe('countInvalidEntries', () => {
  it('counts Meta’s invalid rows as MALFORMED per key, samples masked, the rest without example', () => {
    const counts: ExportCounts = { read: 0, valid: 0, invalid: {}, duplicates: 0, uploaded: 0 };
    countInvalidEntries(counts, 3, { 'abc-123': 'PHONE', 'x@y.z': 'EMAIL' }, 'EMAIL');
    expect(counts.invalid).toEqual({ MALFORMED: 3 });
    expect(counts.byKeyType?.PHONE).toMatchObject({
      invalid: { MALFORMED: 1 },
      invalidExamples: { MALFORMED: ['a••-1••'] },
    });
    expect(counts.byKeyType?.EMAIL).toMatchObject({
      invalid: { MALFORMED: 2 },
      invalidExamples: { MALFORMED: ['x@y.z'] },
    });
  });
});
