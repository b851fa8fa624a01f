import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiCall } from './api-call';
import type { Audience, StoredFile } from './audience-store';
import type { CalculateType } from './calculate-types';
import type { EmulatorAdvertiser, EmulatorApp, EmulatorOptions } from './emulator.options';
import { JSON_BODY_LIMIT, readBody, type Json } from './http-io';
import { RateLimiter } from './rate-limiter';
import { SpecValidator } from './spec-validator';
import { fail, TikTokCode } from './tiktok-codes';

export interface AuthCode {
  appId: string;
  advertiserIds: string[];
  expiresAt: number;
  used: boolean;
}

export interface AccessToken {
  appId: string;
  advertiserIds: string[];
  revoked: boolean;
  issuedAt: Date;
}

/** Everything the emulated TikTok holds, and the checks every route family shares. */
export class TikTokState {
  readonly validator = new SpecValidator();
  readonly authCodes = new Map<string, AuthCode>();
  readonly tokens = new Map<string, AccessToken>();
  readonly files = new Map<string, StoredFile>();
  readonly audiences = new Map<string, Audience>();
  readonly uploadDir = mkdtempSync(join(tmpdir(), 'tiktok-emulator-'));
  private readonly limiter: RateLimiter;
  private audienceSequence = 0n;

  constructor(readonly options: EmulatorOptions) {
    this.limiter = new RateLimiter(options.rateLimit);
  }

  now(): Date {
    return this.options.clock.now();
  }

  /** Rate limiting is per developer app, counted once the calling app is known. */
  throttle(appId: string): void {
    if (!this.limiter.tryAcquire(appId, this.now().getTime()))
      fail(TikTokCode.TOO_MANY_REQUESTS, 'Too many requests. Please retry in some time.');
  }

  /** The JSON body, validated against TikTok's spec fragment for the call. */
  async jsonBody(call: ApiCall): Promise<Json> {
    const text = await readBody(call.request, JSON_BODY_LIMIT);
    let body: unknown;
    try {
      body = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      fail(TikTokCode.PARAM_INVALID, 'The request body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      fail(TikTokCode.PARAM_INVALID, 'The request body must be a JSON object.');
    this.validator.validateBody(call.method, call.path, body);
    return body as Json;
  }

  /** Resolves `Access-Token`, throttles its app, and checks it covers the advertiser when one is named. */
  authenticate(call: ApiCall, advertiserId?: string): AccessToken {
    const header = call.request.headers['access-token'];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value)
      fail(TikTokCode.ACCESS_TOKEN_EMPTY, 'Access token is null. Please provide the Access-Token header.');
    const token = this.tokens.get(value as string);
    if (!token || token.revoked)
      fail(TikTokCode.ACCESS_TOKEN_INVALID, 'Access token is incorrect or has been revoked.');
    const valid = token as AccessToken;
    this.throttle(valid.appId);
    if (advertiserId !== undefined) {
      call.logEntry.advertiserId = advertiserId;
      if (!valid.advertiserIds.includes(advertiserId))
        fail(TikTokCode.NO_PERMISSION, `No permission to operate advertiser ${advertiserId}.`);
    }
    return valid;
  }

  app(appId: unknown, secret: unknown): EmulatorApp {
    const app = this.options.apps.find((candidate) => candidate.appId === appId);
    if (!app || app.secret !== secret)
      fail(TikTokCode.APP_CREDENTIALS_INVALID, 'The app_id or secret is incorrect.');
    return app as EmulatorApp;
  }

  advertiser(id: string): EmulatorAdvertiser {
    return (
      this.options.advertisers.find((advertiser) => advertiser.advertiserId === id) ?? {
        advertiserId: id,
        name: `Advertiser ${id}`,
      }
    );
  }

  audienceFor(advertiserId: string, audienceId: string): Audience {
    const audience = this.audiences.get(audienceId);
    if (!audience || audience.advertiserId !== advertiserId)
      return fail(TikTokCode.NOT_FOUND, `Custom audience ${audienceId} does not exist.`);
    return audience;
  }

  filesFor(advertiserId: string, filePaths: string[], calculateType: CalculateType): StoredFile[] {
    return filePaths.map((filePath) => {
      const file = this.files.get(filePath);
      // Another advertiser's file does not exist for this one.
      if (!file || file.advertiserId !== advertiserId)
        return fail(
          TikTokCode.FILE_MISSING,
          `file_path ${filePath} does not exist for advertiser ${advertiserId}.`,
        );
      if (file.calculateType !== calculateType) {
        fail(
          TikTokCode.PARAM_INVALID,
          `calculate_type mismatch: file ${filePath} is ${file.calculateType}, the audience is ${calculateType}.`,
        );
      }
      return file;
    });
  }

  isProcessing(audience: Audience): boolean {
    return this.now().getTime() < audience.processingUntil.getTime();
  }

  isValid(audience: Audience): boolean {
    return !this.isProcessing(audience) && audience.matched >= this.options.minValidAudienceSize;
  }

  nextAudienceId(): string {
    this.audienceSequence++;
    return (
      7_300_000_000_000_000_000n +
      BigInt(this.options.seed) * 1_000_000n +
      this.audienceSequence
    ).toString();
  }

  /** Revokes tokens as an advertiser would in TikTok's UI: by token, or every token of an advertiser. */
  revokeTokens(by: { accessToken?: string; advertiserId?: string }): number {
    let revoked = 0;
    for (const [value, token] of this.tokens) {
      if (
        (by.accessToken && value === by.accessToken) ||
        (by.advertiserId && token.advertiserIds.includes(by.advertiserId))
      ) {
        if (!token.revoked) revoked++;
        token.revoked = true;
      }
    }
    return revoked;
  }

  /** Ends processing of every audience now (tests need not wait for the simulated delay). */
  finishProcessing(): void {
    const now = this.now();
    for (const audience of this.audiences.values()) audience.processingUntil = now;
  }
}
