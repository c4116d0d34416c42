import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownIssues } from './commerce.test-helper.js';
import {
  CommerceError,
  nextOrderStatus,
  nextRefundStatus,
  ORDER_ACTIONS,
  ORDER_ACTORS,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  type OrderAction,
  type OrderStatus,
  REFUNDABLE_STATUSES,
  type RefundAction,
  type RefundStatus,
} from './index.js';

// The table of the specification, written out independently of ORDER_TRANSITIONS:
// "action: from → to (by)".
const SPEC = [
  'pay: created → paid (system)',
  'fail_payment: created → cancelled (system)',
  'cancel: created → cancelled (buyer operator)',
  'expire: created → cancelled (system)',
  'ship: paid → shipped (producer)',
  'confirm_delivery: shipped → delivered (buyer)',
  'auto_deliver: shipped → delivered (system)',
  'complete: delivered → completed (system)',
  'refund_full: paid shipped delivered completed → refunded (producer operator system)',
];
const spec = new Map(
  SPEC.map((line) => {
    const [, action, from, to, by] = /^(\w+): ([\w ]+) → (\w+) \(([\w ]+)\)$/.exec(line) as RegExpExecArray;
    return [action as OrderAction, { from: (from as string).split(' '), to, by: (by as string).split(' ') }];
  }),
);

const everyCase = ORDER_STATUSES.flatMap((status) =>
  ORDER_ACTIONS.flatMap((action) => ORDER_ACTORS.map((by) => [status, action, by] as const)),
);

describe('the order state machine', () => {
  it('has exactly the transitions of the specification', () => {
    expect(spec.size).toBe(ORDER_ACTIONS.length);
    for (const action of ORDER_ACTIONS) {
      const rule = spec.get(action);
      expect(ORDER_TRANSITIONS[action], action).toEqual(rule);
    }
  });

  it.each(everyCase)('%s, %s by %s', (status, action, by) => {
    const rule = spec.get(action);
    if (rule === undefined) throw new Error(`no rule for ${action}`);
    if (!rule.from.includes(status)) {
      expect(thrownIssues(() => nextOrderStatus(status, action, by))).toEqual([['invalid_transition', 'status']]);
    } else if (!rule.by.includes(by)) {
      expect(thrownIssues(() => nextOrderStatus(status, action, by))).toEqual([['not_allowed', 'actor']]);
    } else {
      expect(nextOrderStatus(status, action, by)).toBe(rule.to);
    }
  });

  it('takes the happy path created → paid → shipped → delivered → completed', () => {
    let status: OrderStatus = 'created';
    status = nextOrderStatus(status, 'pay', 'system');
    status = nextOrderStatus(status, 'ship', 'producer');
    status = nextOrderStatus(status, 'confirm_delivery', 'buyer');
    status = nextOrderStatus(status, 'complete', 'system');
    expect(status).toBe('completed');
  });

  it('names the status, the action and the actor in its errors', () => {
    expect(() => nextOrderStatus('completed', 'ship', 'producer')).toThrow(
      'cannot ship an order that is completed; ship applies only to an order that is paid',
    );
    expect(() => nextOrderStatus('paid', 'ship', 'buyer')).toThrow(
      'buyer may not ship an order that is paid; only producer may',
    );
    expect(() => nextOrderStatus('created', 'refund_full', 'operator')).toThrow(
      'refund_full applies only to an order that is paid or shipped or delivered or completed',
    );
  });

  it('refuses actions and actors that do not exist, and never reads Object.prototype', () => {
    const unknown = (value: string) => value as never;
    expect(thrownIssues(() => nextOrderStatus('created', unknown('constructor'), 'system'))).toEqual([
      ['invalid_transition', 'action'],
    ]);
    expect(thrownIssues(() => nextOrderStatus('created', unknown('teleport'), 'system'))).toEqual([
      ['invalid_transition', 'action'],
    ]);
    expect(thrownIssues(() => nextOrderStatus(unknown('lost'), 'pay', 'system'))).toEqual([
      ['invalid_transition', 'status'],
    ]);
    expect(thrownIssues(() => nextOrderStatus('created', 'pay', unknown('hacker')))).toEqual([
      ['not_allowed', 'actor'],
    ]);
  });

  it('has final statuses: nothing leaves cancelled or refunded, and completed leaves only by a refund', () => {
    for (const status of ['completed', 'cancelled', 'refunded'] as const) {
      for (const action of ORDER_ACTIONS) {
        if (status === 'completed' && action === 'refund_full') continue;
        for (const by of ORDER_ACTORS) expect(() => nextOrderStatus(status, action, by)).toThrow(CommerceError);
      }
    }
    expect(nextOrderStatus('completed', 'refund_full', 'operator')).toBe('refunded');
  });

  it('refunds from exactly paid, shipped, delivered and completed', () => {
    expect(REFUNDABLE_STATUSES).toEqual(['paid', 'shipped', 'delivered', 'completed']);
    const fullRefundFrom = ORDER_STATUSES.filter((status) => {
      try {
        return nextOrderStatus(status, 'refund_full', 'operator') === 'refunded';
      } catch {
        return false;
      }
    });
    expect(fullRefundFrom).toEqual(REFUNDABLE_STATUSES);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(ORDER_TRANSITIONS)).toBe(true);
    expect(Object.isFrozen(ORDER_TRANSITIONS.refund_full.from)).toBe(true);
    expect(Object.isFrozen(ORDER_TRANSITIONS.cancel.by)).toBe(true);
  });
});

describe('order state machine properties', () => {
  const step = fc.tuple(fc.constantFrom(...ORDER_ACTIONS), fc.constantFrom(...ORDER_ACTORS));

  it('every walk from created only ever reaches statuses the table lists, by its rules', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let status: OrderStatus = 'created';
        for (const [action, by] of steps) {
          let next: OrderStatus;
          try {
            next = nextOrderStatus(status, action, by);
          } catch (error) {
            expect(error).toBeInstanceOf(CommerceError);
            const rule = ORDER_TRANSITIONS[action];
            const code = rule.from.includes(status) ? 'not_allowed' : 'invalid_transition';
            expect((error as CommerceError).code).toBe(code);
            continue;
          }
          const rule = ORDER_TRANSITIONS[action];
          expect(rule.from).toContain(status);
          expect(rule.by).toContain(by);
          expect(next).toBe(rule.to);
          expect(ORDER_STATUSES).toContain(next);
          status = next;
        }
      }),
    );
  });

  it('reaches every status from created (breadth-first over every action and actor)', () => {
    const reached = new Set<OrderStatus>(['created']);
    const queue: OrderStatus[] = ['created'];
    for (let status = queue.shift(); status !== undefined; status = queue.shift()) {
      for (const [, action, by] of everyCase.filter(([from]) => from === status)) {
        try {
          const next = nextOrderStatus(status, action, by);
          if (!reached.has(next)) {
            reached.add(next);
            queue.push(next);
          }
        } catch {
          // not a move from here
        }
      }
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});

describe('the refund state machine', () => {
  const REFUND_STATUSES_ALL: RefundStatus[] = ['requested', 'approved', 'refused', 'refunded'];
  const REFUND_ACTIONS: RefundAction[] = ['approve', 'refuse', 'execute'];
  const ALLOWED: Record<string, RefundStatus> = {
    'requested approve': 'approved',
    'requested refuse': 'refused',
    'approved execute': 'refunded',
  };

  it.each(REFUND_STATUSES_ALL.flatMap((status) => REFUND_ACTIONS.map((action) => [status, action] as const)))(
    '%s, %s',
    (status, action) => {
      const expected = ALLOWED[`${status} ${action}`];
      if (expected === undefined) {
        expect(thrownIssues(() => nextRefundStatus(status, action))).toEqual([['invalid_transition', 'status']]);
      } else {
        expect(nextRefundStatus(status, action)).toBe(expected);
      }
    },
  );

  it('names the status and the action, and refuses unknown actions', () => {
    expect(() => nextRefundStatus('refused', 'execute')).toThrow(
      'cannot execute a refund that is refused; execute applies only to a refund that is approved',
    );
    expect(thrownIssues(() => nextRefundStatus('requested', 'toString' as never))).toEqual([
      ['invalid_transition', 'action'],
    ]);
  });
});
