import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/connection.js';
import { AppError, notFound } from '../../errors.js';
import { products } from './tables.js';

/** The product row, locked for the rest of the transaction; 404 when there is none. */
export async function lockProduct(tx: Tx, productId: string, field = 'body.productId') {
  const [product] = await tx.select().from(products).where(eq(products.id, productId)).for('update');
  if (product === undefined) throw notFound(`Product ${productId}`, field);
  return product;
}

/** As lockProduct, and 403 unless `actor` is its producer. */
export async function lockOwnProduct(tx: Tx, productId: string, actor: string, field = 'body.productId') {
  const product = await lockProduct(tx, productId, field);
  if (product.producerDid !== actor) {
    throw new AppError(403, 'not_owner', `Product ${productId} belongs to another producer.`, field);
  }
  return product;
}
