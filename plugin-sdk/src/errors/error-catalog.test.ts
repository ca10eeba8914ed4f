import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCatalog, isErrorCode, type ErrorCode } from './error-catalog';
import { VvError } from './vv-error';

const DOC_PATH = join(__dirname, '..', '..', '..', 'docs', 'errors.md');
const doc = readFileSync(DOC_PATH, 'utf8');
const codes = Object.keys(errorCatalog) as ErrorCode[];

/** The rows of the table in docs/errors.md: `| \`VV_X\` | status | title | meaning |`. */
const rows = new Map(
  [...doc.matchAll(/^\|\s*`(VV_[A-Z0-9_]+)`\s*\|\s*(\d+)\s*\|([^|]*)\|(.*)\|\s*$/gm)].map((m) => [m[1], { status: Number(m[2]), title: m[3].trim(), meaning: m[4].trim() }]),
);

describe('error catalog', () => {
  it('is not empty', () => {
    expect(codes.length).toBeGreaterThan(0);
  });

  it.each(codes)('%s is complete', (code) => {
    const entry = errorCatalog[code];
    expect(code).toMatch(/^VV_[A-Z_]+$/);
    expect(Number.isInteger(entry.status)).toBe(true);
    expect(entry.status).toBeGreaterThanOrEqual(400);
    expect(entry.status).toBeLessThanOrEqual(599);
    expect(entry.title.trim()).not.toBe('');
    expect(entry.message.trim()).not.toBe('');
    expect(entry.meaning.trim()).not.toBe('');
    expect(isErrorCode(code)).toBe(true);
  });

  it.each(codes)('%s builds a VvError with the catalog status and title', (code) => {
    const error = new VvError(code);
    expect(error.status).toBe(errorCatalog[code].status);
    expect(error.title).toBe(errorCatalog[code].title);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(errorCatalog)).toBe(true);
  });

  it('does not recognise other strings as codes', () => {
    expect(isErrorCode('VV_NOPE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });
});

describe('docs/errors.md', () => {
  it.each(codes)('has a row for %s with the catalog status, title and a meaning', (code) => {
    const row = rows.get(code);
    expect(row).toBeDefined();
    expect(row?.status).toBe(errorCatalog[code].status);
    expect(row?.title).toBe(errorCatalog[code].title);
    expect(row?.meaning).not.toBe('');
  });

  it('names no code that the catalog does not have', () => {
    const named = new Set(doc.match(/\bVV_[A-Z0-9_]+\b/g) ?? []);
    expect([...named].filter((code) => !isErrorCode(code))).toEqual([]);
  });

  it('has exactly one row per code', () => {
    const rowCodes = [...doc.matchAll(/^\|\s*`(VV_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(rowCodes.length).toBe(new Set(rowCodes).size);
    expect(rowCodes.length).toBe(codes.length);
  });
});
