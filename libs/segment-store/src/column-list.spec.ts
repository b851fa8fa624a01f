import { LISTED_COLUMNS, LISTED_NAME_LENGTH, listColumns, shortName } from './column-list';

describe('listColumns', () => {
  it('lists a short header as it is', () => {
    expect(listColumns(['email', 'phone'])).toBe('email, phone');
    expect(listColumns([])).toBe('');
  });

  it('lists the first 20 names and counts the rest', () => {
    const names = Array.from({ length: 1000 }, (_, index) => `c${index}`);
    expect(listColumns(names)).toBe(`${names.slice(0, LISTED_COLUMNS).join(', ')} … and 980 more`);
    expect(listColumns(names.slice(0, LISTED_COLUMNS))).toBe(names.slice(0, LISTED_COLUMNS).join(', '));
  });

  it('cuts long names, never inside a surrogate pair', () => {
    expect(shortName('x'.repeat(LISTED_NAME_LENGTH))).toBe('x'.repeat(LISTED_NAME_LENGTH));
    expect(shortName('x'.repeat(10_000_000))).toBe(`${'x'.repeat(LISTED_NAME_LENGTH - 1)}…`);
    // The cut falls inside the first emoji: it is dropped whole; with one character less before it, kept.
    expect(shortName(`${'x'.repeat(LISTED_NAME_LENGTH - 2)}😀😀`)).toBe(
      `${'x'.repeat(LISTED_NAME_LENGTH - 2)}…`,
    );
    expect(shortName(`${'x'.repeat(LISTED_NAME_LENGTH - 3)}😀😀`)).toBe(
      `${'x'.repeat(LISTED_NAME_LENGTH - 3)}😀…`,
    );
    expect(listColumns(['y'.repeat(100)]).length).toBe(LISTED_NAME_LENGTH);
  });
});
