import { hasMultipleStatements } from './has-multiple-statements';

describe('hasMultipleStatements', () => {
  it.each([
    'select 1',
    'select 1;',
    'select 1;  \n -- trailing comment\n /* and a block */ ;',
    "select ';' as semicolon",
    "select 'it''s; fine'",
    "select E'back\\'slash; quote'",
    'select 1 as "odd;name"',
    'create function f() returns int as $$ begin return 1; end $$ language plpgsql',
    'do $body$ begin perform 1; perform 2; end $body$',
    'select $1::int; ',
    'select 1 -- a; b\n',
    'select /* nested /* ; */ still comment ; */ 1',
  ])('single: %s', (sql) => {
    expect(hasMultipleStatements(sql)).toBe(false);
  });

  it.each([
    'select 1; select 2',
    'create table a (id int);\ncreate table b (id int);',
    "set names 'utf8'; select 1",
    'do $$ begin perform 1; end $$; select 2',
    "select 'a;'; select 'b'",
    'select 1; -- comment\nselect 2',
  ])('multiple: %s', (sql) => {
    expect(hasMultipleStatements(sql)).toBe(true);
  });
});
