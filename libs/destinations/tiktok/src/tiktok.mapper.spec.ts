import { calculateTypeFor, parseTikTokTime, toExportStatus } from './tiktok.mapper';

describe('TikTok mapper', () => {
  it.each([
    [['EMAIL'], 'EMAIL_SHA256'],
    [['PHONE'], 'PHONE_SHA256'],
    // Not MAID_SHA256: TikTok's create endpoint does not know that name.
    [['MAID'], 'FIRST_SHA256'],
    [['EMAIL', 'EMAIL'], 'EMAIL_SHA256'],
    [['EMAIL', 'PHONE'], 'MULTIPLE_TYPES'],
  ] as const)('maps key types %j to calculate_type %s', (types, expected) => {
    expect(calculateTypeFor(types)).toBe(expected);
  });

  it('reads processing state from is_valid and the error message', () => {
    expect(toExportStatus({ isValid: true, coverNum: 1234 })).toEqual({ state: 'READY', audienceSize: 1234 });
    expect(toExportStatus({ isValid: false, coverNum: 0, message: 'Processing' })).toEqual({
      state: 'PROCESSING',
      audienceSize: null,
      message: 'Processing',
    });
    expect(toExportStatus({ isValid: false, coverNum: 0 })).toEqual({
      state: 'PROCESSING',
      audienceSize: null,
      message: 'TikTok is processing the audience',
    });
    expect(toExportStatus({ isValid: false, coverNum: 12, errorMessage: 'Too few users matched' })).toEqual({
      state: 'FAILED',
      audienceSize: 12,
      message: 'Too few users matched',
    });
  });

  it("parses TikTok's UTC timestamps", () => {
    expect(parseTikTokTime('2026-11-25 09:30:05').toISOString()).toBe('2026-11-25T09:30:05.000Z');
  });
});
