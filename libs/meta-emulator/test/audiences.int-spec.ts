import {
  compileWire,
  WIRE_AD_ACCOUNT_LIST_SCHEMA,
  WIRE_AD_ACCOUNT_TERMS_SCHEMA,
  WIRE_CREATE_CUSTOM_AUDIENCE_ANSWER_SCHEMA,
  WIRE_CUSTOM_AUDIENCE_LIST_SCHEMA,
  WIRE_CUSTOM_AUDIENCE_SCHEMA,
} from '@conduit/destinations-meta-wire';
import type { RunningMetaEmulator } from '../src';
import { ACCOUNT, ACCOUNT_WITHOUT_TERMS, createAudience, startAuthorized } from './emulator-fixture';
import { GraphHttp } from './graph-http';

describe('Meta emulator: ad accounts and custom audiences', () => {
  let running: RunningMetaEmulator;
  let graph: GraphHttp;

  beforeAll(async () => {
    ({ running, graph } = await startAuthorized());
  });

  afterAll(() => running.close());

  it('lists the user’s ad accounts as act_ ids with cursor paging until paging.next is absent', async () => {
    const first = await graph.get('/me/adaccounts', {
      fields: 'id,account_id,name,account_status,tos_accepted',
      limit: 1,
    });
    expect(compileWire(WIRE_AD_ACCOUNT_LIST_SCHEMA)(first.body)).toBe(true);
    expect(first.body.data).toEqual([
      {
        id: `act_${ACCOUNT}`,
        account_id: ACCOUNT,
        name: 'Emulated Ad Account One',
        account_status: 1,
        tos_accepted: { custom_audience_tos: 1 },
      },
    ]);
    // paging.next carries everything needed, the token included: follow it as is.
    const second = (await graph.follow(first.body.paging.next)).body;
    expect(second.data.map((account: { id: string }) => account.id)).toEqual([
      `act_${ACCOUNT_WITHOUT_TERMS}`,
    ]);
    expect(second.data[0].tos_accepted).toEqual({});
    expect(second.paging.next).toBeUndefined();
    expect((await graph.get('/me/adaccounts')).body.data).toEqual([
      { id: `act_${ACCOUNT}` },
      { id: `act_${ACCOUNT_WITHOUT_TERMS}` },
    ]);
  });

  it('answers an ad account’s terms flag, which the control API sets', async () => {
    const terms = compileWire(WIRE_AD_ACCOUNT_TERMS_SCHEMA);
    const before = await graph.get(`/act_${ACCOUNT_WITHOUT_TERMS}`, {
      fields: 'tos_accepted,user_tos_accepted',
    });
    expect(terms(before.body)).toBe(true);
    expect(before.body).toEqual({
      id: `act_${ACCOUNT_WITHOUT_TERMS}`,
      tos_accepted: {},
      user_tos_accepted: {},
    });
    const create = () =>
      graph.post(`/act_${ACCOUNT_WITHOUT_TERMS}/customaudiences`, {
        name: 'Needs terms',
        subtype: 'CUSTOM',
        customer_file_source: 'USER_PROVIDED_ONLY',
      });
    const refused = await create();
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 200,
      error_subcode: 1870090,
      error_user_title: 'Custom Audience Terms Not Accepted',
      error_user_msg: expect.stringContaining(
        `https://business.facebook.com/ads/manage/customaudiences/tos/?act=${ACCOUNT_WITHOUT_TERMS}`,
      ),
    });
    expect(await graph.admin('GET', '/audiences', undefined)).toEqual({ audiences: [] });
    await graph.admin('POST', `/ad-accounts/act_${ACCOUNT_WITHOUT_TERMS}/terms`, { accepted: true });
    expect(
      (await graph.get(`/act_${ACCOUNT_WITHOUT_TERMS}`, { fields: 'tos_accepted' })).body.tos_accepted,
    ).toEqual({
      custom_audience_tos: 1,
    });
    const accepted = await create();
    expect(accepted.status).toBe(200);
    await graph.admin('POST', `/ad-accounts/${ACCOUNT_WITHOUT_TERMS}/terms`, { accepted: false });
    // Without the terms, the audience cannot be edited either.
    const users = await graph.post(`/${accepted.body.id}/users`, {
      payload: { schema: ['EMAIL'], data: [['a'.repeat(64)]] },
    });
    expect(users.body.error).toMatchObject({ code: 200, error_subcode: 1870090 });
    await graph.delete(`/${accepted.body.id}`);
  });

  it('creates a customer-list audience and reads it back with the fields asked for', async () => {
    const created = await graph.post(
      `/act_${ACCOUNT}/customaudiences`,
      {
        name: 'VIP buyers',
        subtype: 'CUSTOM',
        description: 'From Conduit',
        customer_file_source: 'USER_PROVIDED_ONLY',
      },
      'json',
    );
    expect(compileWire(WIRE_CREATE_CUSTOM_AUDIENCE_ANSWER_SCHEMA)(created.body)).toBe(true);
    const read = await graph.get(`/${created.body.id}`, {
      fields:
        'id,name,description,subtype,customer_file_source,approximate_count_lower_bound,approximate_count_upper_bound,operation_status,delivery_status,retention_days',
    });
    expect(compileWire(WIRE_CUSTOM_AUDIENCE_SCHEMA)(read.body)).toBe(true);
    expect(read.body).toEqual({
      id: created.body.id,
      name: 'VIP buyers',
      description: 'From Conduit',
      subtype: 'CUSTOM',
      customer_file_source: 'USER_PROVIDED_ONLY',
      approximate_count_lower_bound: -1,
      approximate_count_upper_bound: -1,
      operation_status: { code: 410, description: 'No upload yet.' },
      delivery_status: { code: 300, description: 'This audience is too small to be used.' },
      retention_days: 0,
    });
    expect((await graph.get(`/${created.body.id}`)).body).toEqual({ id: created.body.id });
    const updated = await graph.post(`/${created.body.id}`, { name: 'VIP buyers 2026' });
    expect(updated.body).toEqual({ success: true });
    expect((await graph.get(`/${created.body.id}`, { fields: 'name' })).body.name).toBe('VIP buyers 2026');
    expect((await graph.delete(`/${created.body.id}`)).body).toEqual({ success: true });
    const gone = await graph.get(`/${created.body.id}`);
    expect(gone.body.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
  });

  it('refuses bad create parameters with 100 naming the problem, never a 500', async () => {
    const create = (params: Record<string, unknown>) => graph.post(`/act_${ACCOUNT}/customaudiences`, params);
    const base = { name: 'x', subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' };
    for (const params of [
      { ...base, name: undefined },
      { ...base, name: 'n'.repeat(256) },
      { ...base, subtype: 'LOOKALIKE' },
      { ...base, customer_file_source: 'SCRAPED' },
      { ...base, description: 'd'.repeat(1001) },
    ]) {
      const answer = await create(
        Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe(100);
    }
    const unknownField = await graph.get(`/act_${ACCOUNT}/customaudiences`, { fields: 'id,secret_sauce' });
    expect(unknownField.body.error.message).toBe(
      '(#100) Tried accessing nonexisting field (secret_sauce) on node type (CustomAudience)',
    );
    const badJson = await fetch(
      `${graph.url}/v25.0/act_${ACCOUNT}/customaudiences?access_token=${graph.token}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"name":',
      },
    );
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: number } }).error.code).toBe(100);
  });

  it('lists an account’s audiences with cursor paging', async () => {
    const ids = [
      await createAudience(graph, 'L1'),
      await createAudience(graph, 'L2'),
      await createAudience(graph, 'L3'),
    ];
    const first = await graph.get(`/act_${ACCOUNT}/customaudiences`, { fields: 'id,name', limit: 2 });
    expect(compileWire(WIRE_CUSTOM_AUDIENCE_LIST_SCHEMA)(first.body)).toBe(true);
    const second = (await graph.follow(first.body.paging.next)).body;
    expect([...first.body.data, ...second.data].map((audience: { id: string }) => audience.id)).toEqual(ids);
    expect(second.paging.next).toBeUndefined();
    for (const id of ids) await graph.delete(`/${id}`, {}, 'json');
  });

  it('serves unversioned paths, refuses a deprecated version with 2635, and answers unknown paths', async () => {
    expect((await fetch(`${graph.url}/me?access_token=${graph.token}`)).status).toBe(200);
    const old = await new GraphHttp(running.url, graph.token, 'v22.0').get('/me');
    expect(old.body.error).toMatchObject({
      code: 2635,
      message: expect.stringContaining('deprecated version'),
    });
    expect((await new GraphHttp(running.url, graph.token, 'v23.0').get('/me')).status).toBe(200);
    expect((await graph.get(`/act_${ACCOUNT}/nothing`)).body.error).toMatchObject({ code: 2500 });
    expect((await graph.get('/nothing')).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await graph.get('/act_999')).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await graph.delete('/me')).body.error).toMatchObject({
      code: 100,
      message: 'Unsupported delete request.',
    });
  });

  it('refuses the 501st audience of an ad account with 2654 and accepts again once one is deleted', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 500; index++) ids.push(await createAudience(graph, `A${index}`));
    const refused = await graph.post(`/act_${ACCOUNT}/customaudiences`, {
      name: 'one too many',
      subtype: 'CUSTOM',
      customer_file_source: 'USER_PROVIDED_ONLY',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      code: 2654,
      message: expect.stringContaining('maximum of 500 custom audiences'),
    });
    await graph.delete(`/${ids[0]}`);
    expect(
      (
        await graph.post(`/act_${ACCOUNT}/customaudiences`, {
          name: 'fits again',
          subtype: 'CUSTOM',
          customer_file_source: 'USER_PROVIDED_ONLY',
        })
      ).status,
    ).toBe(200);
  });
});
