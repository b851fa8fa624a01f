import { AudienceMembers, Audience } from './audience';

describe('AudienceMembers', () => {
  it('holds one member per distinct row and lists every value per key, sorted', () => {
    const members = new AudienceMembers(256);
    members.add([
      [
        ['EMAIL', 'b'],
        ['MADID', 'm1'],
      ],
      [['EMAIL', 'a']],
      [['EMAIL', 'a']],
    ]);
    expect(members.size).toBe(2);
    expect(members.matched).toBe(2);
    expect(members.identifiers()).toEqual({ EMAIL: ['a', 'b'], MADID: ['m1'] });
  });

  it('removes every member sharing one identifier with a removal row', () => {
    const members = new AudienceMembers(256);
    members.add([
      [
        ['EMAIL', 'a'],
        ['PHONE', 'p'],
      ],
      [['PHONE', 'p']],
      [['EMAIL', 'c']],
    ]);
    members.remove([[['PHONE', 'p']]]);
    expect(members.identifiers()).toEqual({ EMAIL: ['c'] });
    expect(members.size).toBe(1);
  });

  it('decides a match per row deterministically from the match rate', () => {
    const rows = Array.from({ length: 1000 }, (_, index) => [['EMAIL', `v${index}`] as const]);
    const none = new AudienceMembers(0);
    none.add(rows);
    const some = new AudienceMembers(128);
    some.add(rows);
    const same = new AudienceMembers(128);
    same.add(rows);
    expect(none.matched).toBe(0);
    expect(some.matched).toBeGreaterThan(400);
    expect(some.matched).toBeLessThan(600);
    expect(same.matched).toBe(some.matched);
  });
});

describe('Audience counts', () => {
  it('reports the previous matched count until the change has been processed', () => {
    const audience = new Audience('1', '2', 'n', '', 'USER_PROVIDED_ONLY', 0, 1);
    expect(audience.reportedAt(0)).toBeUndefined();
    audience.update(1000, 500, (members) => members.add([[['EMAIL', 'a']]]));
    expect(audience.reportedAt(1499)).toBeUndefined();
    expect(audience.reportedAt(1500)).toBe(1);
    audience.update(2000, 500, (members) => members.add([[['EMAIL', 'b']]]));
    expect(audience.reportedAt(2000)).toBe(1);
    audience.finishProcessing(2100);
    expect(audience.reportedAt(2100)).toBe(2);
  });
});
