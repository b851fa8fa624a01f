import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphCode, GraphSubcode } from '@conduit/destinations-meta-wire';
import { consentPage, dialogErrorPage, KNOWN_SCOPES, type DialogRequest } from './dialog-page';
import type { MetaState } from './emulator-state';
import type { GraphRoute, GraphCall } from './graph-call';
import { fail, GraphApiError, invalidParameter } from './graph-errors';
import { readBody, redirect, sendHtml, sendText, type Json } from './http-io';
import { accessTokenOf, stringParam } from './request-params';
import { tokenFingerprint } from './token-store';

const FORM_LIMIT = 64 * 1024;

/**
 * Facebook Login (reference §1): the dialog page (`/{v}/dialog/oauth`, HTML, its confirm form), the
 * code exchange and the long-lived exchange (`/{v}/oauth/access_token`, GET or POST) and
 * `/{v}/debug_token`.
 */
export class OAuthRoutes {
  constructor(private readonly state: MetaState) {}

  get routes(): GraphRoute[] {
    return [
      { method: 'GET', template: '/oauth/access_token', handle: (call) => this.accessToken(call) },
      { method: 'POST', template: '/oauth/access_token', handle: (call) => this.accessToken(call) },
      { method: 'GET', template: '/debug_token', handle: (call) => this.debugToken(call) },
    ];
  }

  /** `GET /{v}/dialog/oauth` shows the consent page; `POST /{v}/dialog/oauth/confirm` answers it. */
  async handleDialog(
    method: string,
    url: URL,
    version: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const confirm = url.pathname.endsWith('/confirm');
    if ((confirm && method !== 'POST') || (!confirm && method !== 'GET')) {
      request.resume();
      return sendText(response, 405, 'Method Not Allowed');
    }
    let params = url.searchParams;
    if (confirm) {
      try {
        params = new URLSearchParams((await readBody(request, FORM_LIMIT)).toString('utf8'));
      } catch {
        return sendHtml(response, 413, dialogErrorPage('Error', 'The form is too large.'));
      }
    }
    const checked = this.checkDialog(params, version);
    if ('error' in checked) return sendHtml(response, 400, dialogErrorPage(checked.title, checked.error));
    if (!confirm)
      return sendHtml(
        response,
        200,
        consentPage(checked, this.state.options.user, this.state.options.adAccounts),
      );
    const target = new URL(checked.redirectUri);
    if (params.get('decision') === 'approve') {
      const code = this.state.tokens.issueCode({
        appId: checked.app.appId,
        redirectUri: checked.redirectUri,
        scopes: checked.scopes,
        userId: this.state.options.user.id,
        expiresAt: this.state.now() + this.state.options.authCodeTtlMs,
      });
      target.searchParams.set('code', code);
    } else {
      // Meta's denial (reference §1.1), with Login for Business's error_code.
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_code', '200');
      target.searchParams.set('error_description', 'Permissions error');
      target.searchParams.set('error_reason', 'user_denied');
    }
    if (checked.state) target.searchParams.set('state', checked.state);
    target.hash = '_=_';
    redirect(response, target.toString());
  }

  private checkDialog(
    params: URLSearchParams,
    version: string,
  ): DialogRequest | { title: string; error: string } {
    const app = this.state.app(params.get('client_id'));
    if (!app)
      return {
        title: 'Invalid App ID',
        error: `The provided app ID "${(params.get('client_id') ?? '').slice(0, 64)}" does not look like a valid app ID.`,
      };
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!redirectUri) return { title: 'Error', error: 'The parameter redirect_uri is required.' };
    if (!app.redirectUris.includes(redirectUri))
      return {
        title: 'URL Blocked',
        error:
          "This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings. Make sure Client and Web OAuth Login are on and add all your app domains as Valid OAuth Redirect URIs.",
      };
    const responseType = params.get('response_type') ?? 'code';
    if (responseType !== 'code')
      return {
        title: 'Error',
        error: `response_type=${responseType.slice(0, 32)} is not served by the emulator; use code.`,
      };
    const scopes = (params.get('scope') ?? 'public_profile')
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    const invalid = scopes.filter((scope) => !(KNOWN_SCOPES as readonly string[]).includes(scope));
    if (invalid.length > 0 || scopes.length > KNOWN_SCOPES.length)
      return { title: 'Invalid Scopes', error: `Invalid Scopes: ${invalid.join(', ').slice(0, 200)}.` };
    const state = (params.get('state') ?? '').slice(0, 2048);
    return { app, redirectUri, state, scopes: [...new Set(scopes)], version };
  }

  /** The code exchange (§1.2) or, with `grant_type=fb_exchange_token`, the long-lived one (§1.3). */
  private accessToken(call: GraphCall): Json {
    const clientId = stringParam(call.params, 'client_id', { required: true }) as string;
    const secret = stringParam(call.params, 'client_secret', { required: true }) as string;
    const app = this.state.app(clientId);
    if (!app || app.secret !== secret) fail(GraphCode.INVALID_PARAMETER, 'Error validating client secret.');
    Object.assign(call.headers, this.state.throttle.app(clientId, this.state.now()));
    const now = this.state.now();
    if (call.params['grant_type'] === 'fb_exchange_token') {
      const short = stringParam(call.params, 'fb_exchange_token', { required: true }) as string;
      call.logEntry.tokenId = tokenFingerprint(short);
      // An expired or revoked token cannot be exchanged: the same 190 as any call with it.
      const token = this.state.tokens.valid(short, now);
      if (token.appId !== clientId) invalidParameter('The token was not issued to this app');
      const ttl = this.state.options.longTokenTtlMs;
      const value = this.state.tokens.issueToken({
        ...token,
        kind: 'long',
        issuedAt: now,
        expiresAt: now + ttl,
      });
      return { access_token: value, token_type: 'bearer', expires_in: Math.floor(ttl / 1000) };
    }
    const redirectUri = stringParam(call.params, 'redirect_uri', { required: true }) as string;
    const codeValue = stringParam(call.params, 'code', { required: true }) as string;
    const code = this.state.tokens.code(codeValue);
    if (!code || code.appId !== clientId) invalidParameter('Invalid verification code format.', 36009);
    const valid = code as NonNullable<typeof code>;
    if (valid.used)
      fail(GraphCode.INVALID_PARAMETER, 'This authorization code has been used.', { subcode: 36009 });
    if (now >= valid.expiresAt)
      fail(GraphCode.INVALID_PARAMETER, 'This authorization code has expired.', { subcode: 36007 });
    if (valid.redirectUri !== redirectUri)
      fail(
        GraphCode.INVALID_PARAMETER,
        'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
        { subcode: GraphSubcode.REDIRECT_URI_MISMATCH },
      );
    valid.used = true;
    const ttl = this.state.options.shortTokenTtlMs;
    const value = this.state.tokens.issueToken({
      appId: valid.appId,
      userId: valid.userId,
      scopes: valid.scopes,
      kind: 'short',
      issuedAt: now,
      expiresAt: now + ttl,
    });
    return { access_token: value, token_type: 'bearer', expires_in: Math.floor(ttl / 1000) };
  }

  /**
   * `debug_token` (§1.4), with an app token (`<app id>|<secret>`) or a valid user token. A dead input
   * token answers `is_valid: false` with the error it would get, not an error.
   */
  private debugToken(call: GraphCall): Json {
    const inspector = accessTokenOf(call.request, call.params);
    if (!inspector) return fail(104, 'An access token is required to request this resource.');
    const [appId, secret] = inspector.split('|');
    const app = this.state.app(appId);
    const appTokenValid = app !== undefined && secret !== undefined && app.secret === secret;
    if (!appTokenValid) this.state.tokens.valid(inspector, this.state.now());
    const input = stringParam(call.params, 'input_token', { required: true }) as string;
    const token = this.state.tokens.token(input);
    if (!token)
      return {
        data: {
          error: { code: 190, message: 'Invalid OAuth access token.' },
          is_valid: false,
          app_id: '',
          expires_at: 0,
          scopes: [],
        },
      };
    const application = this.state.app(token.appId);
    const base = {
      app_id: token.appId,
      type: 'USER',
      application: application?.name ?? '',
      expires_at: Math.floor(token.expiresAt / 1000),
      data_access_expires_at: Math.floor((token.issuedAt + 90 * 86_400_000) / 1000),
      scopes: token.scopes,
      granular_scopes: token.scopes.map((scope) => ({ scope })),
      user_id: token.userId,
      ...(token.kind === 'long' ? { issued_at: Math.floor(token.issuedAt / 1000) } : {}),
    };
    try {
      this.state.tokens.valid(input, this.state.now());
      return { data: { ...base, is_valid: true } };
    } catch (error) {
      if (!(error instanceof GraphApiError)) throw error;
      return {
        data: {
          ...base,
          is_valid: false,
          error: {
            code: error.code,
            message: error.message,
            ...(error.extra.subcode ? { subcode: error.extra.subcode } : {}),
          },
        },
      };
    }
  }
}
