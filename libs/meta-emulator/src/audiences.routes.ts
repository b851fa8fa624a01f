import {
  AudienceDeliveryStatus,
  AudienceOperationStatus,
  compileWire,
  GraphCode,
  WIRE_CREATE_CUSTOM_AUDIENCE_REQUEST_SCHEMA,
} from '@conduit/destinations-meta-wire';
import { paginate } from './ad-accounts.routes';
import { Audience } from './audience';
import type { MetaState } from './emulator-state';
import type { GraphCall, GraphRoute } from './graph-call';
import { fail, invalidParameter, termsNotAccepted } from './graph-errors';
import type { Json } from './http-io';
import { fieldsParam, stringParam } from './request-params';

const AUDIENCE_FIELDS = [
  'id',
  'account_id',
  'name',
  'description',
  'subtype',
  'customer_file_source',
  'approximate_count_lower_bound',
  'approximate_count_upper_bound',
  'operation_status',
  'delivery_status',
  'time_created',
  'time_updated',
  'time_content_updated',
  'retention_days',
] as const;

const checkCreate = compileWire(WIRE_CREATE_CUSTOM_AUDIENCE_REQUEST_SCHEMA);

/** Customer-list custom audiences (reference §3, §6): create, list, read, update, delete. */
export class AudienceRoutes {
  constructor(private readonly state: MetaState) {}

  get routes(): GraphRoute[] {
    return [
      {
        method: 'POST',
        template: '/act_{ad_account_id}/customaudiences',
        handle: (call) => this.create(call),
      },
      { method: 'GET', template: '/act_{ad_account_id}/customaudiences', handle: (call) => this.list(call) },
      { method: 'GET', template: '/{audience_id}', handle: (call) => this.read(call) },
      { method: 'POST', template: '/{audience_id}', handle: (call) => this.update(call) },
      { method: 'DELETE', template: '/{audience_id}', handle: (call) => this.delete(call) },
    ];
  }

  /**
   * Refused when the account's custom-audience terms are not accepted (200/1870090) and past the
   * limit of audiences per account (2654; Meta's exact error is UNCONFIRMED).
   */
  private create(call: GraphCall): Json {
    this.state.authenticate(call, 'write');
    const account = this.state.adAccount(call, call.ids.ad_account_id as string);
    this.state.throttleAdAccount(call, account.id);
    const request: Json = {};
    for (const name of ['name', 'subtype', 'customer_file_source', 'description']) {
      const value = stringParam(call.params, name, { maxLength: 10_000 });
      if (value !== undefined) request[name] = value;
    }
    if (request['subtype'] !== undefined && request['subtype'] !== 'CUSTOM')
      invalidParameter(
        `The emulator serves customer-list audiences only (subtype CUSTOM), not ${String(request['subtype']).slice(0, 32)}`,
      );
    if (!checkCreate(request))
      return invalidParameter(`Invalid parameter: ${checkCreate.lastErrors.join('; ')}`);
    if (!account.termsAccepted) termsNotAccepted(account.id);
    const owned = this.state.audiencesOf(account.id).length;
    if (owned >= this.state.options.maxAudiencesPerAdAccount)
      fail(
        GraphCode.AUDIENCE_CREATE_FAILED,
        `(#2654) Failed to create custom audience: You have reached the maximum of ${this.state.options.maxAudiencesPerAdAccount} custom audiences for this ad account.`,
        {
          userTitle: 'Custom Audience Limit Reached',
          userMessage: `This ad account already has ${owned} custom audiences. Delete audiences you no longer use, then try again.`,
        },
      );
    const now = this.state.now();
    const audience = new Audience(
      this.state.nextAudienceId(),
      account.id,
      request.name as string,
      (request['description'] as string | undefined) ?? '',
      request['customer_file_source'] as string,
      now,
      this.state.options.matchRate,
    );
    this.state.audiences.set(audience.id, audience);
    call.logEntry.audienceId = audience.id;
    return { id: audience.id };
  }

  private list(call: GraphCall): Json {
    this.state.authenticate(call, 'read');
    const account = this.state.adAccount(call, call.ids.ad_account_id as string);
    this.state.throttleAdAccount(call, account.id);
    const fields = this.fields(call);
    this.state.expireReplaces();
    const audiences = this.state.audiencesOf(account.id);
    const { page, paging } = paginate(call, audiences.length);
    return {
      data: audiences.slice(page.start, page.end).map((audience) => this.render(audience, fields)),
      ...paging,
    };
  }

  private read(call: GraphCall): Json {
    this.state.authenticate(call, 'read');
    const audience = this.state.audience(call, call.ids.audience_id as string);
    this.state.throttleAdAccount(call, audience.adAccountId);
    const fields = this.fields(call);
    this.state.expireReplaces();
    return this.render(audience, fields);
  }

  /** `name`, `description`, `customer_file_source` → `{"success": true}` (reference §3). */
  private update(call: GraphCall): Json {
    this.state.authenticate(call, 'write');
    const audience = this.state.audience(call, call.ids.audience_id as string);
    this.state.throttleAdAccount(call, audience.adAccountId);
    const account = this.state.adAccount(call, audience.adAccountId);
    const request: Json = {
      name: audience.name,
      subtype: 'CUSTOM',
      customer_file_source: audience.customerFileSource,
    };
    for (const name of ['name', 'customer_file_source', 'description']) {
      const value = stringParam(call.params, name, { maxLength: 10_000 });
      if (value !== undefined) request[name] = value;
    }
    if (!checkCreate(request))
      return invalidParameter(`Invalid parameter: ${checkCreate.lastErrors.join('; ')}`);
    if (!account.termsAccepted) termsNotAccepted(account.id);
    audience.name = request['name'] as string;
    audience.customerFileSource = request['customer_file_source'] as string;
    if (typeof request['description'] === 'string') audience.description = request['description'];
    audience.updatedAt = this.state.now();
    return { success: true };
  }

  private delete(call: GraphCall): Json {
    this.state.authenticate(call, 'write');
    const audience = this.state.audience(call, call.ids.audience_id as string);
    this.state.throttleAdAccount(call, audience.adAccountId);
    this.state.audiences.delete(audience.id);
    return { success: true };
  }

  private fields(call: GraphCall): string[] {
    const fields = fieldsParam(call.params, ['id']);
    const unknown = fields.find((field) => !(AUDIENCE_FIELDS as readonly string[]).includes(field));
    if (unknown)
      invalidParameter(
        `Tried accessing nonexisting field (${unknown.slice(0, 64)}) on node type (CustomAudience)`,
      );
    return fields.includes('id') ? fields : ['id', ...fields];
  }

  /**
   * The fields asked for. Counts are bounds ±2 % around the matched people as last processed (the
   * reference's sample: 4900 / 5100 around 5000), -1 before the first upload is processed.
   */
  render(audience: Audience, fields: readonly string[]): Json {
    const now = this.state.now();
    const matched = audience.reportedAt(now);
    const replacing = this.state.sessions.activeReplace(audience.id) !== undefined;
    const operation = replacing
      ? { code: AudienceOperationStatus.REPLACE_IN_PROGRESS, description: 'Replace in progress.' }
      : audience.replaceFailed
        ? {
            code: AudienceOperationStatus.REPLACE_FAILED,
            description: 'Replace failed: the replace session timed out before its last batch.',
          }
        : audience.contentUpdatedAt === undefined
          ? { code: AudienceOperationStatus.NO_UPLOAD, description: 'No upload yet.' }
          : now < audience.processingUntil
            ? {
                code: AudienceOperationStatus.POPULATING,
                description: 'This audience is still being populated.',
              }
            : { code: AudienceOperationStatus.NORMAL, description: 'Normal.' };
    const delivery =
      matched !== undefined && matched >= this.state.options.minDeliverySize
        ? { code: AudienceDeliveryStatus.READY, description: 'This audience is ready for use.' }
        : { code: AudienceDeliveryStatus.TOO_SMALL, description: 'This audience is too small to be used.' };
    const seconds = (ms: number) => Math.floor(ms / 1000);
    const all: Json = {
      id: audience.id,
      account_id: audience.adAccountId,
      name: audience.name,
      description: audience.description,
      subtype: 'CUSTOM',
      customer_file_source: audience.customerFileSource,
      approximate_count_lower_bound: matched === undefined ? -1 : Math.floor(matched * 0.98),
      approximate_count_upper_bound: matched === undefined ? -1 : Math.ceil(matched * 1.02),
      operation_status: operation,
      delivery_status: delivery,
      time_created: seconds(audience.createdAt),
      time_updated: seconds(audience.updatedAt),
      time_content_updated: seconds(audience.contentUpdatedAt ?? audience.createdAt),
      retention_days: 0,
    };
    return Object.fromEntries(fields.map((field) => [field, all[field]]));
  }
}
