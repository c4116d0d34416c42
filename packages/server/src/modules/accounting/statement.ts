import { sql } from 'drizzle-orm';
import { type Executor, rows } from '../../db/connection.js';

export interface StatementLine {
  seq: string;
  transferId: string;
  createdAt: string;
  kind: string;
  code: string;
  reference: string | null;
  /** 'debit' or 'credit', seen from the account. */
  side: 'debit' | 'credit';
  counterparty: string;
  amount: bigint;
  /** For holds: pending, posted, voided or expired. */
  state: string | null;
}

/** The transfers of one account, oldest first, after the cursor `after` (a seq). */
export async function statement(
  executor: Executor,
  key: string,
  options: { after?: string | undefined; limit: number },
): Promise<StatementLine[]> {
  const found = await rows<{
    seq: string;
    id: string;
    created_at: Date | string;
    kind: string;
    code: string;
    reference: string | null;
    side: 'debit' | 'credit';
    counterparty: string;
    amount: string;
    state: string | null;
  }>(
    executor,
    sql`select t.seq::text, t.id, t.created_at, t.kind, t.code, t.reference, t.amount::text, t.state,
               case when t.debit_account_id = a.id then 'debit' else 'credit' end as side,
               case when t.debit_account_id = a.id then c.key else d.key end as counterparty
        from ledger_accounts a
        join ledger_transfers t on t.debit_account_id = a.id or t.credit_account_id = a.id
        join ledger_accounts d on d.id = t.debit_account_id
        join ledger_accounts c on c.id = t.credit_account_id
        where a.key = ${key} and t.seq > ${options.after ?? '0'}::int8
        order by t.seq limit ${options.limit}`,
  );
  return found.map((row) => ({
    seq: row.seq,
    transferId: row.id,
    createdAt: new Date(row.created_at).toISOString(),
    kind: row.kind,
    code: row.code,
    reference: row.reference,
    side: row.side,
    counterparty: row.counterparty,
    amount: BigInt(row.amount),
    state: row.state,
  }));
}

const CSV_HEADER = 'seq,transfer_id,created_at,kind,code,reference,side,counterparty,amount_minor_units,state';

export function csvField(value: string | null): string {
  if (value === null) return '';
  // Quote anything with a separator, a quote or a newline; a leading =,+,-,@ could be read as a
  // spreadsheet formula, so those are quoted with a leading apostrophe.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function statementCsv(lines: readonly StatementLine[]): string {
  const body = lines.map((line) =>
    [
      line.seq,
      line.transferId,
      line.createdAt,
      line.kind,
      line.code,
      line.reference,
      line.side,
      line.counterparty,
      line.amount.toString(),
      line.state,
    ]
      .map(csvField)
      .join(','),
  );
  return `${[CSV_HEADER, ...body].join('\r\n')}\r\n`;
}
