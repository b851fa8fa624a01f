import type { ProviderObserver, RequestRateLimiter } from '@conduit/destinations-core';
import {
  AUDIENCE_STATE_FIELDS,
  compileWire,
  WIRE_ACCESS_TOKEN_ANSWER_SCHEMA,
  WIRE_AD_ACCOUNT_LIST_SCHEMA,
  WIRE_AD_ACCOUNT_TERMS_SCHEMA,
  WIRE_CREATE_CUSTOM_AUDIENCE_ANSWER_SCHEMA,
  WIRE_CUSTOM_AUDIENCE_LIST_SCHEMA,
  WIRE_CUSTOM_AUDIENCE_SCHEMA,
  WIRE_SUCCESS_ANSWER_SCHEMA,
  WIRE_USERS_ANSWER_SCHEMA,
  type CustomerFileSource,
  type WireCustomAudience,
  type WireUsersAnswer,
  type WireUsersPayload,
  type WireUsersSession,
} from '@conduit/destinations-meta-wire';
import { MetaHttp } from './meta-http';

// Every answer is checked against its schema (`@conduit/destinations-meta-wire`) before it is read;
// the schemas require what the connector acts on and allow everything else.
const ACCESS_TOKEN = compileWire(WIRE_ACCESS_TOKEN_ANSWER_SCHEMA);
const AD_ACCOUNTS = compileWire(WIRE_AD_ACCOUNT_LIST_SCHEMA);
const AD_ACCOUNT_TERMS = compileWire(WIRE_AD_ACCOUNT_TERMS_SCHEMA);
const CREATED = compileWire(WIRE_CREATE_CUSTOM_AUDIENCE_ANSWER_SCHEMA);
const AUDIENCE = compileWire(WIRE_CUSTOM_AUDIENCE_SCHEMA);
const AUDIENCES = compileWire(WIRE_CUSTOM_AUDIENCE_LIST_SCHEMA);
const SUCCESS = compileWire(WIRE_SUCCESS_ANSWER_SCHEMA);
const USERS = compileWire(WIRE_USERS_ANSWER_SCHEMA);

const DEFAULT_TIMEOUT_MS = 30_000;
/** A page of ad accounts or audiences: Graph's pages go up to a few hundred. */
const PAGE_SIZE = 200;
/** Pages followed at most (100,000 objects): a cursor that never ends must not loop forever. */
const MAX_PAGES = 500;

export interface MetaClientOptions {
  baseUrl: string;
  graphVersion: string;
  appId: string;
  appSecret: string;
  rateLimiter?: RequestRateLimiter;
  /** The longest the shared budget is paused when Meta throttles (the retry policy's longest wait). */
  maxPauseMs?: number;
  observer?: ProviderObserver;
  timeoutMs?: number;
}

export interface MetaAdAccount {
  /** `act_<numeric id>`. */
  id: string;
  name: string;
}

export interface MetaAudienceSummary {
  id: string;
  name: string;
  /** Unix seconds. */
  timeCreated?: number;
}

export interface MetaUsersBatch {
  audienceId: string;
  /** `/users` (add to the audience) or `/usersreplace` (a replace session). */
  edge: 'users' | 'usersreplace';
  session: WireUsersSession;
  schema: WireUsersPayload['schema'];
  /** The JSON text of `payload.data` (`MetaBatchBuilder`). */
  data: Buffer;
  /** The ad account, for a terms refusal's link. */
  adAccountId: string;
}

/**
 * The Graph API (Marketing API custom audiences) over HTTP, and nothing more: no retries, no
 * business rules. Every call goes through `MetaHttp` (rate limiter, Bearer token and
 * `appsecret_proof`, Graph's error envelope, the answer's schema).
 */
export class MetaClient {
  private readonly http: MetaHttp;

  constructor(private readonly options: MetaClientOptions) {
    this.http = new MetaHttp({
      baseUrl: options.baseUrl,
      graphVersion: options.graphVersion,
      appSecret: options.appSecret,
      rateLimiter: options.rateLimiter,
      rateLimitKey: options.appId,
      maxPauseMs: options.maxPauseMs,
      observer: options.observer,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  /** The dialog's code → a short-lived user token (reference §1.2); POST keeps the secret out of URLs. */
  async exchangeCode(code: string, redirectUri: string): Promise<string> {
    const { appId, appSecret } = this.options;
    const answer = await this.http.send(ACCESS_TOKEN, {
      method: 'POST',
      path: 'oauth/access_token',
      endpoint: 'POST oauth/access_token',
      form: { client_id: appId, client_secret: appSecret, redirect_uri: redirectUri, code },
      secrets: [appSecret, code],
    });
    return answer.access_token;
  }

  /** A short-lived token → a long-lived one of about 60 days (reference §1.3); there is no refresh token. */
  async exchangeForLongLived(shortToken: string): Promise<{ accessToken: string; expiresInS?: number }> {
    const { appId, appSecret } = this.options;
    const answer = await this.http.send(ACCESS_TOKEN, {
      method: 'POST',
      path: 'oauth/access_token',
      endpoint: 'POST oauth/access_token (fb_exchange_token)',
      form: {
        grant_type: 'fb_exchange_token',
        client_id: appId,
        client_secret: appSecret,
        fb_exchange_token: shortToken,
      },
      secrets: [appSecret, shortToken],
    });
    return { accessToken: answer.access_token, expiresInS: answer.expires_in };
  }

  /** The ad accounts the person can use (`/me/adaccounts`, every page). */
  async listAdAccounts(accessToken: string): Promise<MetaAdAccount[]> {
    const accounts: MetaAdAccount[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.http.send(AD_ACCOUNTS, {
        method: 'GET',
        path: 'me/adaccounts',
        endpoint: 'GET me/adaccounts',
        accessToken,
        query: { fields: 'id,name', limit: PAGE_SIZE, after },
        secrets: [accessToken],
      });
      for (const account of answer.data) accounts.push({ id: account.id, name: account.name ?? account.id });
      after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
      if (!after) break;
    }
    return accounts;
  }

  /** Whether the ad account's custom-audience terms are accepted (`tos_accepted`, reference §8). */
  async customAudienceTermsAccepted(accessToken: string, adAccountId: string): Promise<boolean> {
    const answer = await this.http.send(AD_ACCOUNT_TERMS, {
      method: 'GET',
      path: adAccountId,
      endpoint: 'GET act_{id}',
      accessToken,
      query: { fields: 'tos_accepted' },
      adAccountId,
      secrets: [accessToken],
    });
    return (answer.tos_accepted?.['custom_audience_tos'] ?? 0) === 1;
  }

  /** The ad account's custom audiences (id, name, creation time), every page. */
  async listAudiences(accessToken: string, adAccountId: string): Promise<MetaAudienceSummary[]> {
    const audiences: MetaAudienceSummary[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await this.http.send(AUDIENCES, {
        method: 'GET',
        path: `${adAccountId}/customaudiences`,
        endpoint: 'GET act_{id}/customaudiences',
        accessToken,
        query: { fields: 'id,name,time_created', limit: PAGE_SIZE, after },
        adAccountId,
        secrets: [accessToken],
      });
      for (const audience of answer.data)
        audiences.push({ id: audience.id, name: audience.name ?? '', timeCreated: audience.time_created });
      after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
      if (!after) break;
    }
    return audiences;
  }

  /** A customer-list audience (reference §3): `subtype=CUSTOM`, its `customer_file_source`. */
  async createAudience(
    accessToken: string,
    input: {
      adAccountId: string;
      name: string;
      description?: string;
      customerFileSource: CustomerFileSource;
    },
  ): Promise<string> {
    const answer = await this.http.send(CREATED, {
      method: 'POST',
      path: `${input.adAccountId}/customaudiences`,
      endpoint: 'POST act_{id}/customaudiences',
      accessToken,
      json: {
        name: input.name,
        subtype: 'CUSTOM',
        customer_file_source: input.customerFileSource,
        ...(input.description ? { description: input.description } : {}),
      },
      adAccountId: input.adAccountId,
      secrets: [accessToken],
    });
    return answer.id;
  }

  /** An audience's processing state: counts, `operation_status`, `delivery_status` (reference §6). */
  async getAudience(accessToken: string, audienceId: string): Promise<WireCustomAudience> {
    return this.http.send(AUDIENCE, {
      method: 'GET',
      path: audienceId,
      endpoint: 'GET {audience_id}',
      accessToken,
      query: { fields: AUDIENCE_STATE_FIELDS.join(',') },
      secrets: [accessToken],
    });
  }

  /** One batch of a `/users` or `/usersreplace` session (reference §4.1, §4.6). */
  async sendUsers(accessToken: string, batch: MetaUsersBatch): Promise<WireUsersAnswer> {
    return this.http.send(USERS, {
      method: 'POST',
      path: `${batch.audienceId}/${batch.edge}`,
      endpoint: `POST {audience_id}/${batch.edge}`,
      accessToken,
      // {"session":{…},"payload":{"schema":[…],"data":[…]}}, the rows spliced in as written.
      jsonBytes: Buffer.concat([
        Buffer.from(
          `{"session":${JSON.stringify(batch.session)},"payload":{"schema":${JSON.stringify(batch.schema)},"data":`,
        ),
        batch.data,
        Buffer.from('}}'),
      ]),
      adAccountId: batch.adAccountId,
      secrets: [accessToken],
    });
  }

  /** The person removes the app (`DELETE /me/permissions`): every token of theirs stops working. */
  async removeApp(accessToken: string): Promise<void> {
    await this.http.send(SUCCESS, {
      method: 'DELETE',
      path: 'me/permissions',
      endpoint: 'DELETE me/permissions',
      accessToken,
      secrets: [accessToken],
    });
  }
}
