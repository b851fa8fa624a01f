import { createHash } from 'node:crypto';
import { KeyQualityCounter } from './key-quality';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('KeyQualityCounter', () => {
  it('counts each key column as the export judges it: valid, and rejected by reason', () => {
    const counter = new KeyQualityCounter([
      { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
      { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
      { column: 'maid', keyType: 'MAID', encoding: 'SHA256' },
    ]);
    const rows = [
      { email: ' Jane@Example.com ', phone: '+1 415 555 2671', maid: sha256('a'), country: 'FR' },
      { email: 'jane@', phone: '+44 20 7946 0958', maid: sha256('b').toUpperCase(), country: 'FR' },
      { email: sha256('jane@example.com'), phone: '1234567890123456', maid: 'not-a-digest', country: 'FR' },
      { email: '', phone: null, maid: '   ', country: 'DE' },
      { email: 'john@example.com', phone: 'call me', maid: null, country: 'DE' },
    ];
    for (const row of rows) counter.count(row);
    expect(counter.result()).toEqual([
      {
        column: 'email',
        keyType: 'EMAIL',
        encoding: 'RAW',
        valid: 2,
        invalid: 3,
        invalidByReason: { MALFORMED: 1, LOOKS_HASHED: 1, EMPTY: 1 },
        invalidExamples: { MALFORMED: ['j•••@'], LOOKS_HASHED: [expect.stringMatching(/^[0-9a-f]•+…$/)] },
      },
      {
        column: 'phone',
        keyType: 'PHONE',
        encoding: 'RAW',
        valid: 2,
        invalid: 3,
        invalidByReason: { TOO_LONG: 1, EMPTY: 1, MALFORMED: 1 },
        invalidExamples: { TOO_LONG: ['1•••••••••••••••'], MALFORMED: ['c••• m•'] },
      },
      {
        column: 'maid',
        keyType: 'MAID',
        encoding: 'SHA256',
        valid: 2,
        invalid: 3,
        invalidByReason: { NOT_HASHED: 1, EMPTY: 2 },
        invalidExamples: { NOT_HASHED: ['n••-a-d•••••'] },
      },
    ]);
  });

  it('never keeps a raw value, and keeps at most three masked examples per reason', () => {
    const counter = new KeyQualityCounter([{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }]);
    const bad = Array.from({ length: 10 }, (_, index) => `person${index}.example.com`);
    for (const email of bad) counter.count({ email });
    const [quality] = counter.result();
    expect(quality).toMatchObject({ valid: 0, invalid: 10, invalidByReason: { MALFORMED: 10 } });
    expect(quality.invalidExamples.MALFORMED).toHaveLength(3);
    const shown = JSON.stringify(counter.result());
    for (const email of bad) expect(shown).not.toContain(email);
    expect(shown).not.toMatch(/person|example/);
  });

  it('counts a flattened multi-value cell per value: each stored row holds one', () => {
    const counter = new KeyQualityCounter([{ column: 'emails', keyType: 'EMAIL', encoding: 'RAW' }]);
    for (const emails of ['a@example.com', 'b@example.com', 'not an email']) counter.count({ emails });
    expect(counter.result()[0]).toMatchObject({ valid: 2, invalid: 1, invalidByReason: { MALFORMED: 1 } });
  });

  it('reports zeros for a run without rows, and a missing column as empty', () => {
    expect(new KeyQualityCounter([{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }]).result()).toEqual([
      {
        column: 'email',
        keyType: 'EMAIL',
        encoding: 'RAW',
        valid: 0,
        invalid: 0,
        invalidByReason: {},
        invalidExamples: {},
      },
    ]);
    const counter = new KeyQualityCounter([{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }]);
    counter.count({ other: 'x' });
    expect(counter.result()[0]).toMatchObject({ invalid: 1, invalidByReason: { EMPTY: 1 } });
  });
});
