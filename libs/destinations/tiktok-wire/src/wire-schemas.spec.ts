import {
  compileWire,
  WIRE_ACCESS_TOKEN_ANSWER_SCHEMA,
  WIRE_ADVERTISER_INFO_ANSWER_SCHEMA,
  WIRE_AUDIENCE_GET_ANSWER_SCHEMA,
  WIRE_AUDIENCE_ID_ANSWER_SCHEMA,
  WIRE_AUDIENCE_LIST_ANSWER_SCHEMA,
  WIRE_AUTHORIZED_ADVERTISERS_ANSWER_SCHEMA,
  WIRE_FILE_UPLOAD_ANSWER_SCHEMA,
  WIRE_NOTHING_REQUIRED_SCHEMA,
  type WireAudienceGetData,
  type WireAudienceListData,
} from '.';

const BIG_ID = '7300000000000000001';

describe('TikTok wire schemas', () => {
  it('accept the documented answers, extra fields included', () => {
    const list: WireAudienceListData = {
      list: [
        {
          audience_id: BIG_ID,
          name: 'Spring buyers',
          cover_num: 1234,
          is_valid: true,
          is_expiring: false,
          calculate_type: 'EMAIL_SHA256',
          create_time: '2026-11-25 09:30:05',
          expired_time: '2027-11-25 09:30:05',
          audience_type: 'Customer File',
        },
      ],
      page_info: { page: 1, page_size: 10, total_number: 1, total_page: 1 },
    };
    const get: WireAudienceGetData = {
      list: [
        {
          audience_details: { ...list.list[0], msg: 'Processing', error_msg: '' },
          audience_history: [{ action: 'CREATE', opt_time: '2026-11-25 09:30:05' }],
        },
      ],
    };
    expect(compileWire(WIRE_AUDIENCE_LIST_ANSWER_SCHEMA)(list)).toBe(true);
    expect(compileWire(WIRE_AUDIENCE_GET_ANSWER_SCHEMA)(get)).toBe(true);
    expect(
      compileWire(WIRE_ACCESS_TOKEN_ANSWER_SCHEMA)({ access_token: 'x', advertiser_ids: [], scope: [4] }),
    ).toBe(true);
    expect(compileWire(WIRE_AUTHORIZED_ADVERTISERS_ANSWER_SCHEMA)({ list: [{ advertiser_id: 42 }] })).toBe(
      true,
    );
    expect(compileWire(WIRE_ADVERTISER_INFO_ANSWER_SCHEMA)({ list: [{ advertiser_id: BIG_ID }] })).toBe(true);
    expect(compileWire(WIRE_FILE_UPLOAD_ANSWER_SCHEMA)({ file_path: '0123456789abcdef' })).toBe(true);
    expect(compileWire(WIRE_AUDIENCE_ID_ANSWER_SCHEMA)({ custom_audience_id: 12 })).toBe(true);
    expect(compileWire(WIRE_NOTHING_REQUIRED_SCHEMA)({ anything: [1, 'two'] })).toBe(true);
  });

  it('require only what a connector acts on: other fields may be missing or of any type', () => {
    const check = compileWire(WIRE_AUDIENCE_LIST_ANSWER_SCHEMA);
    expect(
      check({
        list: [{ audience_id: '1', name: 42, cover_num: 'n/a', is_valid: 'yes' }],
        page_info: { page: null, page_size: {}, total_number: null },
      }),
    ).toBe(true);
    expect(
      compileWire(WIRE_AUDIENCE_GET_ANSWER_SCHEMA)({ list: [{ audience_details: { audience_id: 1 } }] }),
    ).toBe(true);
  });

  it.each([
    ['an id quoted', { custom_audience_id: BIG_ID }, true],
    ['a safe integer id', { custom_audience_id: 9007199254740991 }, true],
    ['an unsafe integer id', { custom_audience_id: 7300000000000000000 }, false],
    ['a fractional id', { custom_audience_id: 1.5 }, false],
    ['an empty id', { custom_audience_id: '' }, false],
    ['an object for an id', { custom_audience_id: {} }, false],
  ])('an id: %s', (_label, answer, valid) => {
    expect(compileWire(WIRE_AUDIENCE_ID_ANSWER_SCHEMA)(answer)).toBe(valid);
  });

  it.each([
    [12, true],
    [1.5, true],
    ['12', true],
    [' 3e2 ', true],
    ['0x1f', true],
    ['', false],
    ['twelve', false],
    [true, false],
  ])('a count: %p', (count, valid) => {
    const check = compileWire(WIRE_AUDIENCE_LIST_ANSWER_SCHEMA);
    expect(check({ list: [], page_info: { total_number: count } })).toBe(valid);
  });

  it('names the first violation by its path in data and what was expected, never by a value', () => {
    const list = compileWire(WIRE_AUDIENCE_LIST_ANSWER_SCHEMA);
    expect(list({ list: [{ audience_id: '1' }, { name: 'secret@example.com' }], page_info: {} })).toBe(false);
    expect(list.lastProblem).toEqual({ path: 'list[1].audience_id', expected: 'an id' });
    expect(list({ list: ['secret@example.com'], page_info: {} })).toBe(false);
    expect(list.lastProblem).toEqual({ path: 'list[0]', expected: 'an object' });
    expect(list({ list: [], page_info: { total_page: 'secret' } })).toBe(false);
    expect(list.lastProblem).toEqual({ path: 'page_info.total_page', expected: 'a number' });
    expect(list({ list: 'secret', page_info: {} })).toBe(false);
    expect(list.lastProblem).toEqual({ path: 'list', expected: 'a list' });
    expect(list([])).toBe(false);
    expect(list.lastProblem).toEqual({ path: 'data', expected: 'an object' });
    expect(list({ list: [], page_info: {} })).toBe(true);
    expect(list.lastProblem).toBeUndefined();

    const token = compileWire(WIRE_ACCESS_TOKEN_ANSWER_SCHEMA);
    expect(token({ access_token: '' })).toBe(false);
    expect(token.lastProblem).toEqual({ path: 'access_token', expected: 'a string' });
    const get = compileWire(WIRE_AUDIENCE_GET_ANSWER_SCHEMA);
    expect(get({ list: [{ audience_details: { audience_id: '1', cover_num: 'many' } }] })).toBe(false);
    expect(get.lastProblem).toEqual({ path: 'list[0].audience_details.cover_num', expected: 'a number' });
    expect(get({ list: [{}] })).toBe(false);
    expect(get.lastProblem).toEqual({ path: 'list[0].audience_details', expected: 'an object' });
  });
});
