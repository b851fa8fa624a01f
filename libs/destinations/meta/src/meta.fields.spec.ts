import { validateConfig } from '@conduit/destinations-core';
import { META_FIELDS } from './meta.fields';

const valid = { adAccountId: 'act_42', audienceName: 'Spring buyers', action: 'Create' };

describe('META_FIELDS', () => {
  it('accepts a Create on one of the authorization’s ad accounts, the file source defaulted', () => {
    expect(validateConfig(META_FIELDS, valid, { accountIds: ['act_42'] })).toEqual([]);
  });

  it('names what is wrong: an ad account not granted or not act_<digits>, an unknown action or file source', () => {
    const problems = validateConfig(
      META_FIELDS,
      { ...valid, adAccountId: '42', action: 'Merge', customerFileSource: 'MINE' },
      { accountIds: ['act_42'] },
    ).map((problem) => problem.field);
    expect(problems).toEqual(
      expect.arrayContaining(['config.adAccountId', 'config.action', 'config.customerFileSource']),
    );
  });

  it('lets the owner open the name, description, action and file source to partners, never the ad account', () => {
    expect(META_FIELDS.filter((field) => field.editable).map((field) => field.key)).toEqual([
      'audienceName',
      'description',
      'action',
      'customerFileSource',
    ]);
  });
});
