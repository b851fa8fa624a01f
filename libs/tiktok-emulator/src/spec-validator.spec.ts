import { TikTokApiError, TikTokCode } from './tiktok-codes';
import { SpecValidator } from './spec-validator';

const validator = new SpecValidator();

function rejection(run: () => unknown): TikTokApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof TikTokApiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('SpecValidator (TikTok OpenAPI fragments)', () => {
  it('loads every fragment', () => {
    expect(validator.paths.sort()).toEqual([
      'GET /advertiser/info/',
      'GET /dmp/custom_audience/get/',
      'GET /dmp/custom_audience/list/',
      'POST /dmp/custom_audience/create/',
      'POST /dmp/custom_audience/delete/',
      'POST /dmp/custom_audience/file/upload/',
      'POST /dmp/custom_audience/update/',
    ]);
  });

  const create = {
    advertiser_id: '7000000000000000001',
    custom_audience_name: 'Spring',
    calculate_type: 'EMAIL_SHA256',
    file_paths: ['abcdefghijklmnop'],
  };

  it('accepts a valid create body', () => {
    expect(() => validator.validateBody('POST', '/dmp/custom_audience/create/', create)).not.toThrow();
  });

  it.each([
    [{ ...create, custom_audience_name: undefined }, /custom_audience_name: is required/],
    [{ ...create, calculate_type: 'SHA1' }, /calculate_type: must be one of EMAIL_SHA256/],
    [{ ...create, advertiser_id: 7000000000000 }, /advertiser_id: must be string/],
    [
      { ...create, custom_audience_name: 'x'.repeat(129) },
      /custom_audience_name: must NOT have more than 128 characters/,
    ],
    [{ ...create, retention_in_days: 366 }, /retention_in_days: must be <= 365/],
    [{ ...create, file_paths: ['short'] }, /file_paths\[0\]: must NOT have fewer than 16 characters/],
    [{ ...create, file_paths: [] }, /file_paths: must NOT have fewer than 1 items/],
  ])('rejects %# with 40002 naming the field', (body, message) => {
    const error = rejection(() => validator.validateBody('POST', '/dmp/custom_audience/create/', body));
    expect(error.code).toBe(TikTokCode.PARAM_INVALID);
    expect(error.message).toMatch(message);
  });

  // TikTok's two enums differ: the upload knows MAID_* (the values of FIRST_*), the create only FIRST_*.
  it("takes each endpoint's calculate_type enum exactly as its fragment lists it", () => {
    const createTypes = rejection(() =>
      validator.validateBody('POST', '/dmp/custom_audience/create/', {
        ...create,
        calculate_type: 'MAID_SHA256',
      }),
    );
    expect(createTypes.message).toBe(
      'calculate_type: must be one of EMAIL_SHA256, FIRST_MD5, FIRST_SHA256, GAID_MD5, GAID_SHA256, IDFA_MD5, IDFA_SHA256, MULTIPLE_TYPES, PHONE_SHA256',
    );
    const upload = { advertiser_id: '1', file: 'a.csv', file_signature: 'x' };
    const uploadTypes = rejection(() =>
      validator.validateBody('POST', '/dmp/custom_audience/file/upload/', {
        ...upload,
        calculate_type: 'SHA1',
      }),
    );
    expect(uploadTypes.message).toBe(
      'calculate_type: must be one of EMAIL_SHA256, FIRST_MD5, FIRST_SHA256, GAID_MD5, GAID_SHA256, IDFA_MD5, IDFA_SHA256, MAID_MD5, MAID_SHA256, MULTIPLE_TYPES, PHONE_SHA256',
    );
  });

  it('decodes JSON-encoded list parameters and coerces numbers in the query', () => {
    expect(
      validator.validateQuery('GET', '/dmp/custom_audience/get/', {
        advertiser_id: '1',
        custom_audience_ids: '["12","34"]',
        history_size: '5',
      }),
    ).toEqual({
      advertiser_id: '1',
      custom_audience_ids: ['12', '34'],
      history_size: 5,
    });
  });

  it('rejects bad query parameters', () => {
    expect(
      rejection(() =>
        validator.validateQuery('GET', '/dmp/custom_audience/list/', {
          advertiser_id: '1',
          page_size: '101',
        }),
      ).message,
    ).toMatch(/page_size: must be <= 100/);
    expect(
      rejection(() =>
        validator.validateQuery('GET', '/dmp/custom_audience/get/', {
          advertiser_id: '1',
          custom_audience_ids: '12,34',
        }),
      ).message,
    ).toMatch(/custom_audience_ids: must be a JSON-encoded list/);
    expect(rejection(() => validator.validateQuery('GET', '/dmp/custom_audience/list/', {})).message).toMatch(
      /advertiser_id: is required/,
    );
  });

  it('checks update actions against the enum', () => {
    const error = rejection(() =>
      validator.validateBody('POST', '/dmp/custom_audience/update/', {
        advertiser_id: '1',
        custom_audience_id: '2',
        action: 'MERGE',
      }),
    );
    expect(error.message).toMatch(/action: must be one of REPLACE, APPEND, REMOVE/);
  });
});
