import { findHostileValue, JSON_BODY_MAX_DEPTH } from './hostile-input';

describe('findHostileValue', () => {
  it('accepts ordinary JSON', () => {
    expect(
      findHostileValue({ name: 'Acme', keyColumns: [{ column: 'email' }], limit: 3 }, ''),
    ).toBeUndefined();
  });

  it('names the field holding a NUL character, dotted like the validation pipe', () => {
    expect(findHostileValue({ keyColumns: [{ column: 'em\u0000ail' }] }, '')).toEqual({
      field: 'keyColumns.0.column',
      rule: 'noNulCharacter',
      message: 'contains a NUL character (\\u0000), which no field accepts',
    });
    expect(findHostileValue({ cursor: 'a\u0000' }, 'query')?.field).toBe('query.cursor');
  });

  it('refuses a NUL character in a key and a __proto__ key', () => {
    expect(findHostileValue({ config: { 'a\u0000': 1 } }, '')?.field).toBe('config.a\u0000');
    expect(findHostileValue(JSON.parse('{"config":{"__proto__":{"admin":true}}}'), '')).toMatchObject({
      field: 'config.__proto__',
      rule: 'reservedKey',
    });
  });

  it(`accepts ${JSON_BODY_MAX_DEPTH} levels of nesting and refuses one more`, () => {
    const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);
    expect(findHostileValue(nested(JSON_BODY_MAX_DEPTH), '')).toBeUndefined();
    expect(findHostileValue(nested(JSON_BODY_MAX_DEPTH + 1), '')).toMatchObject({
      field: Array.from({ length: JSON_BODY_MAX_DEPTH }, () => '0').join('.'),
      rule: 'maxDepth',
    });
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    expect(findHostileValue(deep, '')?.rule).toBe('maxDepth');
  });

  it('cuts a reported path that is as long as the body', () => {
    const field = findHostileValue({ ['k'.repeat(10_000)]: '\u0000' }, '')?.field ?? '';
    expect(field).toHaveLength(201);
    expect(field.endsWith('…')).toBe(true);
  });
});
