import type { WireAdvertiserInfoData, WireUserInfoData } from '@conduit/destinations-tiktok-wire';
import type { ApiCall, ApiRoutes } from './api-call';
import type { TikTokState } from './emulator-state';
import { fail, TikTokCode } from './tiktok-codes';

/** The token's user (a connector's health check) and its advertisers' details. */
export class AdvertiserRoutes {
  constructor(private readonly state: TikTokState) {}

  get routes(): ApiRoutes {
    return {
      'GET /user/info/': (call) => this.userInfo(call),
      'GET /advertiser/info/': (call) => this.advertiserInfo(call),
    };
  }

  private async userInfo(call: ApiCall): Promise<WireUserInfoData> {
    const token = this.state.authenticate(call);
    return {
      core_user_id: '7400000000000000001',
      display_name: 'Emulated TikTok user',
      email: 'ads-operator@example.com',
      create_time: Math.floor(token.issuedAt.getTime() / 1000),
    };
  }

  private async advertiserInfo(call: ApiCall): Promise<WireAdvertiserInfoData> {
    const query = this.state.validator.validateQuery(call.method, call.path, call.query);
    const ids = query['advertiser_ids'] as string[];
    const token = this.state.authenticate(call);
    for (const id of ids)
      if (!token.advertiserIds.includes(id))
        fail(TikTokCode.NO_PERMISSION, `No permission to operate advertiser ${id}.`);
    return {
      list: ids.map((id) => ({
        advertiser_id: id,
        name: this.state.advertiser(id).name,
        status: 'STATUS_ENABLE',
        currency: 'USD',
        timezone: 'Etc/GMT',
        role: 'ROLE_ADVERTISER',
      })),
    };
  }
}
