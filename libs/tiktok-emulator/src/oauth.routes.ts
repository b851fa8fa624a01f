import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  WireAccessTokenData,
  WireAuthorizedAdvertisersData,
  WireNothingRequired,
} from '@conduit/destinations-tiktok-wire';
import type { ApiCall, ApiRoutes } from './api-call';
import type { AccessToken, AuthCode, TikTokState } from './emulator-state';
import { JSON_BODY_LIMIT, readBody, sendHtml, sendText } from './http-io';
import { APP_SCOPES, consentPage, errorPage } from './portal-page';
import { fail, TikTokCode } from './tiktok-codes';

export const PORTAL_PATHS: readonly string[] = ['/portal/auth', '/portal/auth/confirm'];

/**
 * TikTok's OAuth: the advertiser's consent page on the portal (`/portal/auth`, HTML, its confirm
 * form redirecting with `auth_code`), the code exchange, the token's advertisers and revocation.
 */
export class OAuthRoutes {
  constructor(private readonly state: TikTokState) {}

  get routes(): ApiRoutes {
    return {
      'POST /oauth2/access_token/': (call) => this.exchangeAuthCode(call),
      'GET /oauth2/advertiser/get/': (call) => this.listAuthorizedAdvertisers(call),
      'POST /oauth2/revoke_token/': (call) => this.revokeToken(call),
    };
  }

  /** `GET /portal/auth` shows the consent page; `POST /portal/auth/confirm` answers it. */
  async handlePortal(
    method: string,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const { options } = this.state;
    const params =
      method === 'POST' ? new URLSearchParams(await readBody(request, JSON_BODY_LIMIT)) : url.searchParams;
    const app = options.apps.find((candidate) => candidate.appId === params.get('app_id'));
    const redirectUri = params.get('redirect_uri') ?? '';
    const state = params.get('state') ?? '';
    if (!app) return sendHtml(response, 400, errorPage(`Unknown app_id "${params.get('app_id') ?? ''}".`));
    if (!app.redirectUris.includes(redirectUri)) {
      return sendHtml(
        response,
        400,
        errorPage(`The redirect_uri "${redirectUri}" is not registered for app ${app.appId}.`),
      );
    }
    if (method === 'GET' && url.pathname === '/portal/auth') {
      return sendHtml(response, 200, consentPage(app, options.advertisers, state, redirectUri));
    }
    if (method === 'POST' && url.pathname === '/portal/auth/confirm') {
      const code = randomBytes(20).toString('hex');
      this.state.authCodes.set(code, {
        appId: app.appId,
        advertiserIds: options.advertisers.map((advertiser) => advertiser.advertiserId),
        expiresAt: this.state.now().getTime() + options.authCodeTtlMs,
        used: false,
      });
      const target = new URL(redirectUri);
      target.searchParams.set('auth_code', code);
      target.searchParams.set('code', code);
      target.searchParams.set('state', state);
      response.writeHead(302, { Location: target.toString() }).end();
      return;
    }
    sendText(response, 405, 'Method Not Allowed');
  }

  private async exchangeAuthCode(call: ApiCall): Promise<WireAccessTokenData> {
    const body = await this.state.jsonBody(call);
    for (const field of ['app_id', 'secret', 'auth_code']) {
      if (typeof body[field] !== 'string' || body[field] === '')
        fail(TikTokCode.PARAM_INVALID, `${field}: is required`);
    }
    this.state.throttle(body['app_id'] as string);
    const app = this.state.app(body['app_id'], body['secret']);
    const code = this.state.authCodes.get(body['auth_code'] as string);
    if (!code || code.appId !== app.appId) fail(TikTokCode.AUTH_CODE_INVALID, 'auth_code is invalid.');
    const authCode = code as AuthCode;
    if (authCode.used) fail(TikTokCode.AUTH_CODE_INVALID, 'auth_code has already been used.');
    if (this.state.now().getTime() > authCode.expiresAt)
      fail(TikTokCode.AUTH_CODE_INVALID, 'auth_code has expired.');
    authCode.used = true;
    const accessToken = randomBytes(20).toString('hex');
    this.state.tokens.set(accessToken, {
      appId: app.appId,
      advertiserIds: [...authCode.advertiserIds],
      revoked: false,
      issuedAt: this.state.now(),
    });
    return { access_token: accessToken, advertiser_ids: authCode.advertiserIds, scope: APP_SCOPES };
  }

  private async listAuthorizedAdvertisers(call: ApiCall): Promise<WireAuthorizedAdvertisersData> {
    const token = this.state.authenticate(call);
    const app = this.state.app(call.query['app_id'], call.query['secret']);
    if (token.appId !== app.appId)
      fail(TikTokCode.ACCESS_TOKEN_INVALID, 'Access token does not belong to this app.');
    return {
      list: token.advertiserIds.map((id) => ({
        advertiser_id: id,
        advertiser_name: this.state.advertiser(id).name,
      })),
    };
  }

  private async revokeToken(call: ApiCall): Promise<WireNothingRequired> {
    const body = await this.state.jsonBody(call);
    this.state.throttle(String(body['app_id'] ?? 'anonymous'));
    const app = this.state.app(body['app_id'], body['secret']);
    const token = this.state.tokens.get(String(body['access_token'] ?? ''));
    if (!token || token.appId !== app.appId || token.revoked)
      fail(TikTokCode.ACCESS_TOKEN_INVALID, 'Access token is incorrect or has been revoked.');
    (token as AccessToken).revoked = true;
    return {};
  }
}
