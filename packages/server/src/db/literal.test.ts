import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test-support/database.js';
import { preparedRows, rows, sqlLiteral } from './connection.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.close());

/** What the database reads from the literal, as text, beside what it reads from the same value sent as a parameter. */
async function readBoth(value: unknown, type: string): Promise<{ literal: string; parameter: string }> {
  const [literal] = await rows<{ v: string }>(
    t.database.db,
    sql.raw(`select (${sqlLiteral(value)}::${type})::text as v`),
  );
  // As preparedRows sends it (the way the statement ran before it committed in one message).
  const [parameter] = await preparedRows<{ v: string }>(
    t.database.db,
    `literal_${type}`,
    `select ($1::${type})::text as v`,
    [value],
  );
  if (literal === undefined || parameter === undefined) throw new Error('no row');
  return { literal: literal.v, parameter: parameter.v };
}

describe('sqlLiteral (values inlined in the statement that commits)', () => {
  it('reads back as the same value sent as a parameter, for the kinds the sequencer inlines', async () => {
    const cases: [unknown, string][] = [
      ["it's a \\ back'slash", 'text'],
      ['中文 and "quotes" and {braces}, commas', 'text'],
      [null, 'text'],
      [201, 'int'],
      [['1', '22', '333'], 'int8[]'],
      [[JSON.stringify({ a: 'x,"y"\\z', b: ['{', '}'] }), '{}', JSON.stringify({ n: "it's" })], 'jsonb[]'],
      [JSON.stringify({ receipt: { logIndex: '', note: 'a\\b "c"' } }), 'jsonb'],
    ];
    for (const [value, type] of cases) {
      const { literal, parameter } = await readBoth(value, type);
      expect(literal, `${type} ${JSON.stringify(value)}`).toBe(parameter);
    }
    const bytes = new Uint8Array([0, 1, 0x5c, 0x27, 255]);
    const [row] = await rows<{ hex: string }>(
      t.database.db,
      sql`select encode(${sql.raw(`${sqlLiteral(bytes)}::bytea`)}, 'hex') as hex`,
    );
    expect(row?.hex).toBe('00015c27ff');
  });

  it('reads back any text and any array of texts unchanged', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));
    await fc.assert(
      fc.asyncProperty(text, fc.array(text, { maxLength: 4 }), async (one, many) => {
        const [row] = await rows<{ one: string; many: string[] }>(
          t.database.db,
          sql`select ${sql.raw(sqlLiteral(one))}::text as one, ${sql.raw(sqlLiteral(many))}::text[] as many`,
        );
        expect(row?.one).toBe(one);
        expect(row?.many).toEqual(many);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses what has no literal', () => {
    expect(() => sqlLiteral('a\0b')).toThrow(RangeError);
    expect(() => sqlLiteral(Number.NaN)).toThrow(RangeError);
  });
});
