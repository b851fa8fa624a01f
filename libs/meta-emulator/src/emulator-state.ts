import { createHmac, timingSafeEqual } from 'node:crypto';
import { Audience } from './audience';
import type { MetaEmulatorAdAccount, MetaEmulatorApp, MetaEmulatorOptions } from './emulator.options';
import type { GraphCall } from './graph-call';
import { fail, invalidParameter, missingAdsManagement, objectNotFound } from './graph-errors';
import { accessTokenOf } from './request-params';
import { Throttle } from './throttle';
import { tokenFingerprint, TokenStore, type UserToken } from './token-store';
import { UploadSessions } from './upload-sessions';

/** Everything the emulated Meta holds, shared by the route families. */
export class MetaState {
  readonly tokens = new TokenStore();
  readonly audiences = new Map<string, Audience>();
  readonly sessions: UploadSessions;
  readonly throttle: Throttle;
  private audienceSequence = 0n;

  constructor(readonly options: MetaEmulatorOptions) {
    this.sessions = new UploadSessions(options.seed);
    this.throttle = new Throttle(options.throttle);
  }

  now(): number {
    return this.options.clock.now().getTime();
  }

  app(appId: unknown): MetaEmulatorApp | undefined {
    return this.options.apps.find((candidate) => candidate.appId === appId);
  }

  /**
   * The call's user token (parameter or Bearer header), valid now; counts the app's call; a write
   * needs `ads_management` (294), a read `ads_read` or `ads_management`.
   */
  authenticate(call: GraphCall, access: 'read' | 'write'): UserToken {
    const value = accessTokenOf(call.request, call.params);
    if (!value) return fail(104, 'An access token is required to request this resource.');
    call.logEntry.tokenId = tokenFingerprint(value);
    const token = this.tokens.valid(value, this.now());
    this.checkProof(call, value, token.appId);
    Object.assign(call.headers, this.throttle.app(token.appId, this.now()));
    const canWrite = token.scopes.includes('ads_management');
    if (access === 'write' && !canWrite) missingAdsManagement();
    if (access === 'read' && !canWrite && !token.scopes.includes('ads_read')) missingAdsManagement();
    return token;
  }

  /**
   * `appsecret_proof` = hex HMAC-SHA256(app secret, token) (reference §0): checked when sent,
   * required when the app says so. Both answer 100, as Graph does.
   */
  private checkProof(call: GraphCall, token: string, appId: string): void {
    const proof = call.params['appsecret_proof'];
    if (proof === undefined) {
      if (this.options.requireAppSecretProof)
        invalidParameter('API calls from the server require an appsecret_proof argument');
      return;
    }
    const secret = this.app(appId)?.secret ?? '';
    const expected = createHmac('sha256', secret).update(token).digest('hex');
    if (
      typeof proof !== 'string' ||
      proof.length !== expected.length ||
      !timingSafeEqual(Buffer.from(proof), Buffer.from(expected))
    )
      invalidParameter('Invalid appsecret_proof provided in the API argument');
  }

  /** The user's ad account `id` (numeric), or 100/33 as for any object the token cannot see. */
  adAccount(call: GraphCall, id: string): MetaEmulatorAdAccount {
    call.logEntry.adAccountId = id;
    const account = this.options.adAccounts.find((candidate) => candidate.id === id);
    if (!account) return objectNotFound(`act_${id}`, call.method);
    return account;
  }

  /** Counts a call against the ad account's custom_audience limit (80003 past it). */
  throttleAdAccount(call: GraphCall, adAccountId: string): void {
    Object.assign(
      call.headers,
      this.throttle.adAccount(adAccountId, this.audiencesOf(adAccountId).length, this.now()),
    );
  }

  audience(call: GraphCall, id: string): Audience {
    call.logEntry.audienceId = id;
    const audience = this.audiences.get(id);
    if (!audience) return objectNotFound(id, call.method);
    this.adAccount(call, audience.adAccountId);
    return audience;
  }

  audiencesOf(adAccountId: string): Audience[] {
    return [...this.audiences.values()].filter((audience) => audience.adAccountId === adAccountId);
  }

  nextAudienceId(): string {
    this.audienceSequence++;
    return (
      23_860_000_000_000_000n +
      BigInt(this.options.seed) * 1_000_000n +
      this.audienceSequence
    ).toString();
  }

  /**
   * Closes replace sessions whose 90 minutes have passed (reference §4.6): their audience holds what
   * the session uploaded, and reports `replace_error` (415) until a replace completes.
   */
  expireReplaces(): void {
    const now = this.now();
    for (const session of this.sessions.expire(now, this.options.replaceWindowMs)) {
      const audience = this.audiences.get(session.audienceId);
      if (!audience) continue;
      audience.update(now, this.options.processingDelayMs, (members) => {
        members.clear();
        members.add(session.staged ?? []);
      });
      audience.replaceFailed = true;
      session.staged = undefined;
    }
  }
}
