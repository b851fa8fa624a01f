import type { GraphRoute } from './graph-call';
import { matchRoute, versionNumber } from './graph-router';

const route = (method: string, template: string): GraphRoute => ({ method, template, handle: () => ({}) });
const ROUTES = [
  route('GET', '/me'),
  route('GET', '/act_{ad_account_id}/customaudiences'),
  route('POST', '/act_{ad_account_id}/customaudiences'),
  route('GET', '/{audience_id}'),
  route('POST', '/{audience_id}/users'),
];

describe('matchRoute', () => {
  it('matches literal segments, act_ ids and numeric ids, with every method of the path', () => {
    expect(matchRoute(ROUTES, ['act_123', 'customaudiences'])).toEqual({
      routes: [ROUTES[1], ROUTES[2]],
      template: '/act_{ad_account_id}/customaudiences',
      ids: { ad_account_id: '123' },
    });
    expect(matchRoute(ROUTES, ['42', 'users'])?.ids).toEqual({ audience_id: '42' });
    expect(matchRoute(ROUTES, ['me'])?.template).toBe('/me');
  });

  it('matches nothing for a malformed id or an unknown edge', () => {
    expect(matchRoute(ROUTES, ['act_x', 'customaudiences'])).toBeUndefined();
    expect(matchRoute(ROUTES, ['abc'])).toBeUndefined();
    expect(matchRoute(ROUTES, ['42', 'friends'])).toBeUndefined();
    expect(matchRoute(ROUTES, ['1'.repeat(21)])).toBeUndefined();
  });
});

describe('versionNumber', () => {
  it('reads the major number of a Graph version', () => {
    expect(versionNumber('v25.0')).toBe(25);
    expect(versionNumber('v3.0')).toBe(3);
    expect(versionNumber('25')).toBeNaN();
  });
});
