import type {
  WireAudienceGetData,
  WireAudienceIdData,
  WireAudienceListData,
  WireAudienceSummary,
  WireNothingRequired,
  WireUpdateAction,
} from '@conduit/destinations-tiktok-wire';
import type { ApiCall, ApiRoutes } from './api-call';
import { Audience } from './audience-store';
import type { CalculateType } from './calculate-types';
import type { TikTokState } from './emulator-state';
import { fail, TikTokCode } from './tiktok-codes';

/** TikTok changes an audience's members only once it has processed the previous change (up to 48 h). */
const NOT_EDITABLE_WHILE_PROCESSING =
  'The custom audience is not editable while it is processing. Please try again after processing completes.';

/** Customer-file audiences: create, update (APPEND / REMOVE / REPLACE, rename), list, get, delete. */
export class AudienceRoutes {
  constructor(private readonly state: TikTokState) {}

  get routes(): ApiRoutes {
    return {
      'POST /dmp/custom_audience/create/': (call) => this.createAudience(call),
      'POST /dmp/custom_audience/update/': (call) => this.updateAudience(call),
      'GET /dmp/custom_audience/list/': (call) => this.listAudiences(call),
      'GET /dmp/custom_audience/get/': (call) => this.getAudiences(call),
      'POST /dmp/custom_audience/delete/': (call) => this.deleteAudiences(call),
    };
  }

  private async createAudience(call: ApiCall): Promise<WireAudienceIdData> {
    const { state } = this;
    const body = await state.jsonBody(call);
    const advertiserId = body['advertiser_id'] as string;
    state.authenticate(call, advertiserId);
    const owned = [...state.audiences.values()].filter(
      (audience) => audience.advertiserId === advertiserId,
    ).length;
    if (owned >= state.options.maxAudiencesPerAdvertiser) {
      fail(
        TikTokCode.PARAM_INVALID,
        `The advertiser already has ${owned} custom audiences, the maximum is ${state.options.maxAudiencesPerAdvertiser}. Delete unused audiences first.`,
      );
    }
    const calculateType = body['calculate_type'] as CalculateType;
    const files = state.filesFor(advertiserId, body['file_paths'] as string[], calculateType);
    const now = state.now();
    const audience = new Audience(
      state.nextAudienceId(),
      advertiserId,
      body['custom_audience_name'] as string,
      calculateType,
      body['retention_in_days'] as number | undefined,
      now,
      Math.round(state.options.matchRate * 256),
    );
    audience.apply('CREATE', files, now, state.options.processingDelayMs);
    state.audiences.set(audience.id, audience);
    return { custom_audience_id: audience.id };
  }

  private async updateAudience(call: ApiCall): Promise<WireAudienceIdData> {
    const { state } = this;
    const body = await state.jsonBody(call);
    const advertiserId = body['advertiser_id'] as string;
    state.authenticate(call, advertiserId);
    const audience = state.audienceFor(advertiserId, body['custom_audience_id'] as string);
    const name = body['custom_audience_name'];
    if (name !== undefined && (typeof name !== 'string' || name.length < 1 || name.length > 128)) {
      fail(TikTokCode.PARAM_INVALID, 'custom_audience_name: length must be between 1 and 128.');
    }
    const filePaths = (body['file_paths'] as string[] | undefined) ?? [];
    const action = (body['action'] as WireUpdateAction | undefined) ?? 'REPLACE';
    const now = state.now();
    if (filePaths.length > 0) {
      if (state.isProcessing(audience)) fail(TikTokCode.PARAM_INVALID, NOT_EDITABLE_WHILE_PROCESSING);
      if (filePaths.length > 500)
        fail(TikTokCode.PARAM_INVALID, 'file_paths: at most 500 files per request.');
      const files = state.filesFor(advertiserId, filePaths, audience.calculateType);
      const sizeAfter = audience.sizeAfter(action, files);
      if (sizeAfter < state.options.minAudienceSizeAfterUpdate) {
        fail(
          TikTokCode.PARAM_INVALID,
          `After ${action} the audience would hold ${sizeAfter} users, below the minimum of ${state.options.minAudienceSizeAfterUpdate}. The audience was not changed.`,
        );
      }
      audience.apply(action, files, now, state.options.processingDelayMs);
    } else if (name === undefined) {
      fail(TikTokCode.PARAM_INVALID, 'file_paths: give the files to apply, or a new custom_audience_name.');
    }
    if (typeof name === 'string' && name !== audience.name) {
      audience.name = name;
      audience.record('RENAME', [], now);
    }
    return { custom_audience_id: audience.id };
  }

  private async listAudiences(call: ApiCall): Promise<WireAudienceListData> {
    const query = this.state.validator.validateQuery(call.method, call.path, call.query);
    const advertiserId = query['advertiser_id'] as string;
    this.state.authenticate(call, advertiserId);
    const page = (query['page'] as number | undefined) ?? 1;
    const pageSize = (query['page_size'] as number | undefined) ?? 10;
    const only = query['custom_audience_ids'] as string[] | undefined;
    const all = [...this.state.audiences.values()]
      .filter((audience) => audience.advertiserId === advertiserId && (!only || only.includes(audience.id)))
      .sort(
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (BigInt(b.id) > BigInt(a.id) ? 1 : -1),
      );
    return {
      list: all.slice((page - 1) * pageSize, page * pageSize).map((audience) => this.summary(audience)),
      page_info: {
        page,
        page_size: pageSize,
        total_number: all.length,
        total_page: Math.ceil(all.length / pageSize),
      },
    };
  }

  private async getAudiences(call: ApiCall): Promise<WireAudienceGetData> {
    const { state } = this;
    const query = state.validator.validateQuery(call.method, call.path, call.query);
    const advertiserId = query['advertiser_id'] as string;
    state.authenticate(call, advertiserId);
    const ids = query['custom_audience_ids'] as string[];
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100)
      fail(TikTokCode.PARAM_INVALID, 'custom_audience_ids: between 1 and 100 ids.');
    const historySize = (query['history_size'] as number | undefined) ?? 100;
    const audiences = ids.map((id) => state.audienceFor(advertiserId, String(id)));
    return {
      list: audiences.map((audience) => ({
        audience_details: {
          ...this.summary(audience),
          msg: state.isProcessing(audience) ? 'Processing' : '',
          error_msg:
            !state.isProcessing(audience) && !state.isValid(audience)
              ? `Only ${audience.matched} users matched; at least ${state.options.minValidAudienceSize} are needed.`
              : '',
          retention_in_days: audience.retentionInDays ?? null,
        },
        audience_history: audience.history
          .slice(-historySize)
          .reverse()
          .map((entry) => ({
            action: entry.action,
            action_detail: entry.filePaths.length ? `files: ${entry.filePaths.join(', ')}` : '',
            opt_time: tiktokTime(entry.at),
            editor: 'Marketing API',
            size_after: entry.sizeAfter,
          })),
      })),
    };
  }

  private async deleteAudiences(call: ApiCall): Promise<WireNothingRequired> {
    const body = await this.state.jsonBody(call);
    const advertiserId = body['advertiser_id'] as string;
    this.state.authenticate(call, advertiserId);
    const ids = body['custom_audience_ids'] as string[];
    const audiences = ids.map((id) => this.state.audienceFor(advertiserId, id));
    for (const audience of audiences) this.state.audiences.delete(audience.id);
    return {};
  }

  private summary(audience: Audience): WireAudienceSummary {
    const expires = new Date(audience.createdAt.getTime() + (audience.retentionInDays ?? 365) * 86_400_000);
    return {
      audience_id: audience.id,
      name: audience.name,
      cover_num: this.state.isProcessing(audience) ? 0 : audience.matched,
      is_valid: this.state.isValid(audience),
      is_expiring: expires.getTime() - this.state.now().getTime() < 7 * 86_400_000,
      calculate_type: audience.calculateType,
      create_time: tiktokTime(audience.createdAt),
      expired_time: tiktokTime(expires),
      is_creator: true,
      shared: false,
      audience_type: 'Customer File',
    };
  }
}

/** TikTok's time format: `YYYY-MM-DD HH:MM:SS` (UTC). */
export function tiktokTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
