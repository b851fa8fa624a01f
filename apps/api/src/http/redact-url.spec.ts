import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides OAuth codes and states, keeps the rest', () => {
    expect(redactUrl('/oauth/callback/tiktok?auth_code=abc&code=abc&state=s.t&x=1')).toBe(
      '/oauth/callback/tiktok?auth_code=%5Bredacted%5D&code=%5Bredacted%5D&state=%5Bredacted%5D&x=1',
    );
  });

  it('leaves URLs without secrets untouched', () => {
    expect(redactUrl('/authorizations?limit=5')).toBe('/authorizations?limit=5');
    expect(redactUrl('/health')).toBe('/health');
  });
});
