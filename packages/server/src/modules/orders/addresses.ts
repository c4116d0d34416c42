import { sql } from 'drizzle-orm';
import { type Db, type Executor, rows, transaction } from '../../db/connection.js';
import { conflict, notFound } from '../../errors.js';

/**
 * A buyer's saved shipping addresses: personal data, kept in the database and never on the log
 * (an order copies the one it ships to). A buyer keeps at most ADDRESSES_MAX of them, as large
 * marketplaces do; they delete one to save another.
 */

export const ADDRESSES_MAX = 20;

// Advisory lock class of "a buyer's addresses": saves of one buyer take turns, so two concurrent
// saves cannot both pass the count and end above the cap.
const ADDRESS_LOCK_CLASS = 5101;

export interface Address {
  recipient: string;
  phone: string;
  region: string;
  detail: string;
}

export type SavedAddress = Address & { id: string };

/** Saves an address; refuses (409 too_many_addresses, nothing written) when the buyer has the most already. */
export async function saveAddress(db: Db, buyer: string, address: Address): Promise<SavedAddress> {
  return transaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADDRESS_LOCK_CLASS}, hashtext(${buyer}))`);
    const [count] = await rows<{ n: string }>(
      tx,
      sql`select count(*)::int8 as n from order_addresses where buyer_did = ${buyer}`,
    );
    if (Number(count?.n ?? 0) >= ADDRESSES_MAX) {
      throw conflict(
        'too_many_addresses',
        `You have ${ADDRESSES_MAX} saved addresses, the most one keeps: delete one (DELETE /v1/addresses/{id}) to save another.`,
        'body',
      );
    }
    const { recipient, phone, region, detail } = address;
    const [row] = await rows<{ id: string }>(
      tx,
      sql`insert into order_addresses (buyer_did, recipient, phone, region, detail)
          values (${buyer}, ${recipient}, ${phone}, ${region}, ${detail}) returning id`,
    );
    return { id: String(row?.id), recipient, phone, region, detail };
  });
}

/** The buyer's saved addresses, oldest first (never more than ADDRESSES_MAX). */
export async function listAddresses(executor: Executor, buyer: string): Promise<SavedAddress[]> {
  const found = await rows<SavedAddress>(
    executor,
    sql`select id, recipient, phone, region, detail from order_addresses where buyer_did = ${buyer}
        order by id limit ${ADDRESSES_MAX}`,
  );
  return found.map((row) => ({ ...row, id: String(row.id) }));
}

/** Deletes one of the buyer's addresses (orders placed with it keep their copy). */
export async function deleteAddress(executor: Executor, buyer: string, id: string): Promise<void> {
  const deleted = await rows<{ id: string }>(
    executor,
    sql`delete from order_addresses where id = ${id}::int8 and buyer_did = ${buyer} returning id`,
  );
  if (deleted.length === 0) throw notFound(`Address ${id}`, 'id');
}
