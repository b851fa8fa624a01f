import {
  compileWire,
  customAudienceTermsUrl,
  WIRE_ACCESS_TOKEN_ANSWER_SCHEMA,
  WIRE_AD_ACCOUNT_USAGE_SCHEMA,
  WIRE_AD_ACCOUNT_LIST_SCHEMA,
  WIRE_AD_ACCOUNT_TERMS_SCHEMA,
  WIRE_BUSINESS_USE_CASE_USAGE_SCHEMA,
  WIRE_CREATE_CUSTOM_AUDIENCE_REQUEST_SCHEMA,
  WIRE_CUSTOM_AUDIENCE_SCHEMA,
  WIRE_DEBUG_TOKEN_ANSWER_SCHEMA,
  WIRE_GRAPH_ERROR_SCHEMA,
  WIRE_USERS_ANSWER_SCHEMA,
  WIRE_USERS_PAYLOAD_SCHEMA,
  WIRE_USERS_SESSION_SCHEMA,
} from '.';

// The samples are the reference's (docs/shared/reference/meta-custom-audiences.md): what Meta answers.
describe('Meta wire schemas', () => {
  it('accept the documented answers, extra fields included', () => {
    expect(
      compileWire(WIRE_ACCESS_TOKEN_ANSWER_SCHEMA)({
        access_token: 'EAAB…',
        token_type: 'bearer',
        expires_in: 5183944,
      }),
    ).toBe(true);
    expect(
      compileWire(WIRE_DEBUG_TOKEN_ANSWER_SCHEMA)({
        data: {
          app_id: '1',
          type: 'USER',
          application: 'App',
          data_access_expires_at: 1576687825,
          expires_at: 1570820400,
          is_valid: true,
          scopes: ['ads_management'],
          granular_scopes: [{ scope: 'ads_management', target_ids: ['1'] }],
          user_id: '2',
        },
      }),
    ).toBe(true);
    expect(
      compileWire(WIRE_AD_ACCOUNT_LIST_SCHEMA)({
        data: [{ id: 'act_123', account_id: '123', name: 'Shop', account_status: 1, currency: 'EUR' }],
        paging: { cursors: { before: 'a', after: 'b' }, next: 'https://graph.facebook.com/…' },
      }),
    ).toBe(true);
    expect(
      compileWire(WIRE_AD_ACCOUNT_TERMS_SCHEMA)({ tos_accepted: { custom_audience_tos: 1 }, id: 'act_123' }),
    ).toBe(true);
    expect(
      compileWire(WIRE_CUSTOM_AUDIENCE_SCHEMA)({
        id: '23861283180290489',
        approximate_count_lower_bound: 4900,
        approximate_count_upper_bound: 5100,
        operation_status: { code: 200, description: 'Normal' },
        delivery_status: { code: 200, description: 'This audience is ready for use.' },
        retention_days: 0,
      }),
    ).toBe(true);
    expect(
      compileWire(WIRE_USERS_ANSWER_SCHEMA)({
        audience_id: '123456789',
        session_id: '9778993',
        num_received: 1001,
        num_invalid_entries: 0,
        invalid_entry_samples: {},
      }),
    ).toBe(true);
    expect(
      compileWire(WIRE_GRAPH_ERROR_SCHEMA)({
        error: {
          message: '(#2650) Failed to update the custom audience',
          type: 'OAuthException',
          code: 2650,
          error_subcode: 1870145,
          is_transient: false,
          error_data: '{}',
          fbtrace_id: 'AzJKjF6OyDj',
        },
      }),
    ).toBe(true);
    expect(
      compileWire(WIRE_BUSINESS_USE_CASE_USAGE_SCHEMA)({
        '123': [
          {
            type: 'custom_audience',
            call_count: 28,
            total_cputime: 10,
            total_time: 12,
            estimated_time_to_regain_access: 0,
            ads_api_access_tier: 'standard_access',
          },
        ],
      }),
    ).toBe(true);
    expect(
      compileWire(WIRE_AD_ACCOUNT_USAGE_SCHEMA)({
        acc_id_util_pct: 9.67,
        reset_time_duration: 100,
        ads_api_access_tier: 'standard_access',
      }),
    ).toBe(true);
    expect(compileWire(WIRE_AD_ACCOUNT_USAGE_SCHEMA)({ acc_id_util_pct: 100 })).toBe(false);
  });

  it('refuse answers without the fields a connector acts on, and name what is wrong', () => {
    const usersAnswer = compileWire(WIRE_USERS_ANSWER_SCHEMA);
    expect(
      usersAnswer({ audience_id: '1', session_id: '2', num_invalid_entries: 0, invalid_entry_samples: {} }),
    ).toBe(false);
    expect(usersAnswer.lastErrors).toEqual(["/ must have required property 'num_received'"]);
    expect(compileWire(WIRE_AD_ACCOUNT_LIST_SCHEMA)({ data: [{ id: '123' }] })).toBe(false);
    expect(compileWire(WIRE_ACCESS_TOKEN_ANSWER_SCHEMA)({ token_type: 'bearer' })).toBe(false);
    expect(compileWire(WIRE_GRAPH_ERROR_SCHEMA)({ error: { message: 'x', type: 'OAuthException' } })).toBe(
      false,
    );
  });

  it('describe the requests a connector sends: multi-key payloads of at most 10,000 rows, sessions', () => {
    const payload = compileWire(WIRE_USERS_PAYLOAD_SCHEMA);
    expect(payload({ schema: ['EMAIL', 'PHONE', 'MADID'], data: [['a'.repeat(64), '', 'x']] })).toBe(true);
    expect(payload({ schema: ['EMAIL_SHA256'], data: [['a']] })).toBe(false);
    expect(payload({ schema: ['EMAIL', 'EMAIL'], data: [['a', 'b']] })).toBe(false);
    expect(payload({ schema: ['EMAIL'], data: Array.from({ length: 10_001 }, () => ['a']) })).toBe(false);
    const session = compileWire(WIRE_USERS_SESSION_SCHEMA);
    expect(
      session({ session_id: 9778993, batch_seq: 1, last_batch_flag: true, estimated_num_total: 2 }),
    ).toBe(true);
    expect(session({ session_id: 0, batch_seq: 1, last_batch_flag: true })).toBe(false);
    expect(session({ session_id: 1, batch_seq: 0, last_batch_flag: false })).toBe(false);
    const create = compileWire(WIRE_CREATE_CUSTOM_AUDIENCE_REQUEST_SCHEMA);
    expect(create({ name: 'VIP', subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' })).toBe(true);
    expect(create({ name: 'VIP', subtype: 'LOOKALIKE', customer_file_source: 'USER_PROVIDED_ONLY' })).toBe(
      false,
    );
    expect(create({ name: '', subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' })).toBe(false);
  });

  it('link to the terms of an ad account with or without its act_ prefix', () => {
    expect(customAudienceTermsUrl('act_42')).toBe(
      'https://business.facebook.com/ads/manage/customaudiences/tos/?act=42',
    );
    expect(customAudienceTermsUrl('42')).toBe(customAudienceTermsUrl('act_42'));
  });
});
