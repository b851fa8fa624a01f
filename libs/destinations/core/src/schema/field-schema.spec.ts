import { repeatConfig, resolveConfig, validateConfig, type FieldDefinition } from './field-schema';

const fields: FieldDefinition[] = [
  {
    key: 'accountId',
    label: 'Account ID',
    description: 'd',
    type: 'string',
    required: true,
    editable: false,
    example: '123',
    externalAccount: true,
    rules: { pattern: { regex: '^\\d+$', description: 'digits only' } },
  },
  {
    key: 'name',
    label: 'Name',
    description: 'd',
    type: 'string',
    required: true,
    editable: true,
    example: 'Spring sale',
    rules: { minLength: 3, maxLength: 10 },
  },
  {
    key: 'mode',
    label: 'Mode',
    description: 'd',
    type: 'enum',
    required: true,
    editable: true,
    example: 'A',
    rules: { values: ['A', 'B'] },
  },
  {
    key: 'days',
    label: 'Days',
    description: 'd',
    type: 'integer',
    required: false,
    editable: true,
    example: 30,
    default: 30,
    rules: { min: 1, max: 365 },
  },
];

describe('validateConfig', () => {
  it('accepts valid values and applies defaults', () => {
    const values = { accountId: '123', name: 'Spring', mode: 'A' };
    expect(validateConfig(fields, values, { accountIds: ['123'] })).toEqual([]);
    expect(resolveConfig(fields, values)).toEqual({ ...values, days: 30 });
  });

  it.each([
    [{ name: 'Spring', mode: 'A' }, 'config.accountId', 'required', 'Account ID is required'],
    [
      { accountId: 'abc', name: 'Spring', mode: 'A' },
      'config.accountId',
      'pattern',
      'Account ID must be digits only',
    ],
    [
      { accountId: '999', name: 'Spring', mode: 'A' },
      'config.accountId',
      'externalAccount',
      'Account ID must be one of the accounts this authorization can use: 123',
    ],
    [
      { accountId: '123', name: 'ab', mode: 'A' },
      'config.name',
      'minLength',
      'Name must be at least 3 characters',
    ],
    [
      { accountId: '123', name: 'abcdefghijk', mode: 'A' },
      'config.name',
      'maxLength',
      'Name must be at most 10 characters',
    ],
    [{ accountId: '123', name: 42, mode: 'A' }, 'config.name', 'type', 'Name must be a string'],
    [{ accountId: '123', name: 'Spring', mode: 'C' }, 'config.mode', 'enum', 'Mode must be one of A, B'],
    [
      { accountId: '123', name: 'Spring', mode: 'A', days: 0 },
      'config.days',
      'min',
      'Days must be at least 1',
    ],
    [
      { accountId: '123', name: 'Spring', mode: 'A', days: 366 },
      'config.days',
      'max',
      'Days must be at most 365',
    ],
    [
      { accountId: '123', name: 'Spring', mode: 'A', days: '30' },
      'config.days',
      'type',
      'Days must be a whole number',
    ],
    [
      { accountId: '123', name: 'Spring', mode: 'A', extra: 1 },
      'config.extra',
      'unknownField',
      'is not a field of this destination; known fields: accountId, name, mode, days',
    ],
  ])('reports %j as %s / %s', (values, field, rule, message) => {
    expect(validateConfig(fields, values, { accountIds: ['123'] })).toEqual([{ field, rule, message }]);
  });

  it('skips the account check when no accounts are known', () => {
    expect(validateConfig(fields, { accountId: '999', name: 'Spring', mode: 'A' })).toEqual([]);
  });

  it('says so when the authorization can use no account at all', () => {
    expect(
      validateConfig(fields, { accountId: '123', name: 'Spring', mode: 'A' }, { accountIds: [] }),
    ).toEqual([
      {
        field: 'config.accountId',
        rule: 'externalAccount',
        message: 'Account ID must be one of the accounts this authorization can use: (none)',
      },
    ]);
  });

  it('lists every account the authorization can use when the value is not one of them', () => {
    expect(
      validateConfig(fields, { accountId: '999', name: 'Spring', mode: 'A' }, { accountIds: ['123', '456'] }),
    ).toEqual([
      {
        field: 'config.accountId',
        rule: 'externalAccount',
        message: 'Account ID must be one of the accounts this authorization can use: 123, 456',
      },
    ]);
  });

  it('accepts values on the bounds', () => {
    for (const values of [
      { accountId: '123', name: 'abc', mode: 'B', days: 1 },
      { accountId: '123', name: 'abcdefghij', mode: 'A', days: 365 },
    ])
      expect(validateConfig(fields, values, { accountIds: ['123'] })).toEqual([]);
  });

  it('refuses a number with a fraction where a whole number is asked', () => {
    expect(validateConfig(fields, { accountId: '123', name: 'Spring', mode: 'A', days: 1.5 })).toEqual([
      { field: 'config.days', rule: 'type', message: 'Days must be a whole number' },
    ]);
  });

  it('reads null and the empty string as not set', () => {
    expect(validateConfig(fields, { accountId: '', name: null, mode: 'A', days: '' })).toEqual([
      { field: 'config.accountId', rule: 'required', message: 'Account ID is required' },
      { field: 'config.name', rule: 'required', message: 'Name is required' },
    ]);
    expect(resolveConfig(fields, { accountId: '123', name: 'Spring', mode: 'A', days: null })).toEqual({
      accountId: '123',
      name: 'Spring',
      mode: 'A',
      days: 30,
    });
    // Strict: a field left unset is absent, not present as undefined.
    expect(resolveConfig(fields, { accountId: '123', name: '', mode: 'A', days: 7 })).toStrictEqual({
      accountId: '123',
      mode: 'A',
      days: 7,
    });
  });

  it('does not ask for a required field that has a default', () => {
    const withDefault: FieldDefinition[] = [{ ...fields[2], default: 'B' }];
    expect(validateConfig(withDefault, {})).toEqual([]);
    expect(resolveConfig(withDefault, {})).toEqual({ mode: 'B' });
  });

  it('takes any string for a string field without rules, and nothing for an enum without values', () => {
    const bare: FieldDefinition[] = [
      {
        key: 'note',
        label: 'Note',
        description: 'd',
        type: 'string',
        required: false,
        editable: true,
        example: 'x',
      },
      {
        key: 'kind',
        label: 'Kind',
        description: 'd',
        type: 'enum',
        required: false,
        editable: true,
        example: 'x',
      },
    ];
    expect(validateConfig(bare, { note: 'anything at all, of any length' })).toEqual([]);
    expect(validateConfig(bare, { kind: 'Stryker was here' })).toEqual([
      { field: 'config.kind', rule: 'enum', message: 'Kind must be one of ' },
    ]);
  });

  it('matches patterns as Unicode, on the whole value', () => {
    const letters: FieldDefinition[] = [
      {
        key: 'city',
        label: 'City',
        description: 'd',
        type: 'string',
        required: true,
        editable: true,
        example: 'Paris',
        rules: { pattern: { regex: '^\\p{L}+$', description: 'letters only' } },
      },
    ];
    expect(validateConfig(letters, { city: 'Zürich' })).toEqual([]);
    expect(validateConfig(letters, { city: 'Zürich 8001' })).toEqual([
      { field: 'config.city', rule: 'pattern', message: 'City must be letters only' },
    ]);
  });
});

describe('repeatConfig', () => {
  it("applies each field's onRepeat and keeps every other value", () => {
    const withRepeat: FieldDefinition[] = [{ ...fields[2], onRepeat: { A: 'B' } }, fields[3]];
    expect(repeatConfig(withRepeat, { mode: 'A', days: 30, name: 'kept' })).toEqual({
      mode: 'B',
      days: 30,
      name: 'kept',
    });
    expect(repeatConfig(withRepeat, { mode: 'B' })).toEqual({ mode: 'B' });
    expect(repeatConfig(withRepeat, {})).toEqual({});
  });
});
