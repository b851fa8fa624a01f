import { checkReadOnlyQuery } from './sql-source';

describe('checkReadOnlyQuery (the friendly message; the database is the guard)', () => {
  it.each([
    'SELECT email FROM customers',
    'select email from customers;',
    "WITH fr AS (SELECT * FROM customers WHERE country = 'FR') SELECT email FROM fr",
    'SELECT \'a;b\' AS text, "odd;name" FROM t',
    "SELECT 'it''s; fine' FROM t -- a comment; with a semicolon",
    'SELECT /* ; */ email FROM t',
    'SELECT $body$ ; $body$ AS x',
  ])('accepts one SELECT: %s', (query) => {
    expect(checkReadOnlyQuery(query)).toBeUndefined();
  });

  it.each([
    ["SELECT '--' AS email) ; DELETE FROM customers --", /single statement/],
    ["SELECT '/*' AS a; DELETE FROM t; SELECT '*/'", /single statement/],
    ['SELECT 1; DROP TABLE customers', /single statement/],
    ['DELETE FROM customers', /single SELECT/],
    ['/* SELECT */ UPDATE customers SET email = NULL', /single SELECT/],
    ["-- SELECT\nINSERT INTO t VALUES ('x')", /single SELECT/],
  ])('refuses %s', (query, message) => {
    expect(checkReadOnlyQuery(query)).toMatch(message);
  });
});
