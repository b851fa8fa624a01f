import { createHmac } from 'node:crypto';
import { appSecretProof, regainAccessMs, scrub } from './meta-http';

const headers = (values: Record<string, string>) => new Headers(values);

describe('regainAccessMs', () => {
  it('reads the longest wait of X-Business-Use-Case-Usage (minutes)', () => {
    const usage = {
      '42': [
        { type: 'custom_audience', call_count: 100, estimated_time_to_regain_access: 3 },
        { type: 'ads_management', call_count: 10, estimated_time_to_regain_access: 0 },
      ],
    };
    expect(regainAccessMs(headers({ 'x-business-use-case-usage': JSON.stringify(usage) }))).toBe(180_000);
  });

  it('reads a full X-Ad-Account-Usage’s reset_time_duration (seconds), and nothing from one not full', () => {
    expect(
      regainAccessMs(headers({ 'x-ad-account-usage': '{"acc_id_util_pct":100,"reset_time_duration":120}' })),
    ).toBe(120_000);
    expect(
      regainAccessMs(headers({ 'x-ad-account-usage': '{"acc_id_util_pct":9.67,"reset_time_duration":100}' })),
    ).toBeUndefined();
  });

  it('says nothing without headers, or with headers that are not Meta’s JSON', () => {
    expect(regainAccessMs(headers({}))).toBeUndefined();
    expect(regainAccessMs(headers({ 'x-business-use-case-usage': 'not json' }))).toBeUndefined();
    expect(regainAccessMs(headers({ 'x-business-use-case-usage': '{"42":"full"}' }))).toBeUndefined();
  });
});

describe('scrub', () => {
  it('removes the given secrets, and anything shaped like a token or a credential parameter', () => {
    const text = scrub(
      'bad token EAABsecretsecretsecretsecret123 in ?access_token=abc&appsecret_proof=def and s3cret',
      ['s3cret'],
    );
    expect(text).toBe(
      'bad token [redacted] in ?access_token=[redacted]&appsecret_proof=[redacted] and [redacted]',
    );
  });
});

describe('appSecretProof', () => {
  it('is the hex HMAC-SHA256 of the token keyed by the app secret', () => {
    expect(appSecretProof('secret', 'token')).toBe(
      createHmac('sha256', 'secret').update('token').digest('hex'),
    );
  });
});
