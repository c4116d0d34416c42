import { orderCompleted, orderDelivered, orderShipped } from './events-fulfilment.js';
import { orderCancelled, orderPaid, orderPlaced } from './events-placement.js';
import { refundApproved, refundRefused, refundRequested } from './events-refunds.js';

export const ORDER_EVENTS = [
  orderPlaced,
  orderPaid,
  orderCancelled,
  orderShipped,
  orderDelivered,
  orderCompleted,
  refundRequested,
  refundApproved,
  refundRefused,
];
