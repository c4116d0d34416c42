import { CommerceError, nextOrderStatus, type OrderAction, type OrderActor, type OrderStatus } from '@concord/protocol';
import type { AppContext } from '../../context.js';
import { AppError, forbidden } from '../../errors.js';
import type { EventContext } from '../events/registry.js';
import type { Order } from './store.js';

/** The AppContext behind an event: order handlers pay, refund and sign platform acts. */
export const appOf = (event: EventContext) => event.deps as AppContext;

/** Whether the event is one of the platform's own acts (signed with the operator key). */
export const byPlatform = (event: EventContext) => event.actor === appOf(event).platformSigner.did;

/** Refuses an act that only the platform takes, whoever else signed it. */
export function requirePlatform(event: EventContext, message: string): void {
  if (!byPlatform(event)) throw forbidden('platform_only', message);
}

/** Who the actor is to this order: its buyer, its producer, the operator, or nobody. */
export function roleInOrder(event: EventContext, order: Order): OrderActor | undefined {
  if (event.actor === order.buyerDid) return 'buyer';
  if (event.actor === order.producerDid) return 'producer';
  if (event.actorRoles.has('operator')) return 'operator';
  return undefined;
}

/** The protocol's order state machine, answered as API errors. */
export function transition(order: Order, action: OrderAction, by: OrderActor | undefined): OrderStatus {
  if (by === undefined) throw forbidden('not_your_order', `Order ${order.id} is neither yours to buy nor to sell.`);
  try {
    return nextOrderStatus(order.status, action, by);
  } catch (error) {
    if (error instanceof CommerceError) {
      throw new AppError(error.code === 'not_allowed' ? 403 : 409, error.code, error.message, 'body.orderId');
    }
    throw error;
  }
}
