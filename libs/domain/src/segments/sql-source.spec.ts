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
    '  \n\tSELECT 1',
    'SELECT 1;  \n',
    'SELECT 1; -- done',
    "SELECT'x'AS a FROM t",
    "SELECT 1 FROM t WHERE a = 'unterminated ;",
    'SELECT 1 /* unterminated ;',
    'SELECT 1 -- ;',
    'SELECT 1 /* ; */',
    'SELECT "unterminated ;',
    'SELECT `a;b` FROM t',
    'SELECT [a;b] FROM t',
    'SELECT a][b;c] FROM t',
    'SELECT $$ ; $$ AS x',
    'SELECT $a$ ; $b$ ; $a$ AS x',
    'SELECT $ab$ x;y $ab$ AS v',
    'SELECT $a$ unterminated ;',
    'SELECT 1 /*/ ; */',
    "SELECT ''';' , ';''' , '' FROM t",
    'SELECT """;"" FROM t',
  ])('accepts one SELECT: %j', (query) => {
    expect(checkReadOnlyQuery(query)).toBeUndefined();
  });

  it.each([
    ["SELECT '--' AS email) ; DELETE FROM customers --", /single statement/],
    ["SELECT '/*' AS a; DELETE FROM t; SELECT '*/'", /single statement/],
    ['SELECT 1; DROP TABLE customers', /single statement/],
    ['DELETE FROM customers', /single SELECT/],
    ['/* SELECT */ UPDATE customers SET email = NULL', /single SELECT/],
    ["-- SELECT\nINSERT INTO t VALUES ('x')", /single SELECT/],
    ['VALUES (1) UNION SELECT 2', /single SELECT/],
    ['', /single SELECT/],
    ['SELECT 1;DELETE FROM t', /single statement/],
    ['SELECT 1;;', /single statement/],
    ['SELECT 1 -- x\n; DELETE FROM t', /single statement/],
    ['SELECT /* x */ ; DELETE FROM t', /single statement/],
    ["SELECT 'x' ; DELETE FROM t", /single statement/],
    ['SELECT $1; DELETE FROM t', /single statement/],
    ['SELECT $1; DELETE FROM t WHERE x = $a$ y $a$', /single statement/],
    ['SELECT $a$x$a$; DELETE FROM t', /single statement/],
  ])('refuses %j', (query, message) => {
    expect(checkReadOnlyQuery(query)).toMatch(message);
  });
});
