import { type AppContext, type KeyPair, settleWithdrawals } from '@concord/server';
import { type DemoClient, until } from './demo-client.js';

/**
 * The operator's two queues in the demo (issue 6):
 * - withdrawals: the promoter takes part of her released commission out through the sandbox
 *   (paid), asks for more, which the operator rejects, and asks again (left in review); the team
 *   lead withdraws his override (paid);
 * - the anti-abuse review: 王伟's fourth and fifth orders from one phone in a day were held at
 *   placement (demo-orders.ts); the operator approves the fifth, his first completed order, whose
 *   cashback and his inviter's referral reward are paid then, and leaves the fourth pending.
 * Each withdrawal has a fixed id, which names its Idempotency-Key too, and each step looks first
 * whether it was taken, so loading the demo again changes nothing.
 */

type Outcome = 'paid' | 'rejected' | 'review';

interface DemoWithdrawal {
  id: string;
  by: 'promoter' | 'team-lead';
  amountFen: string;
  /** Where the plan leaves it. */
  outcome: Outcome;
  destination: string;
  /** The operator's reason, for a rejection. */
  note?: string;
}

/**
 * In the order they are asked for: the promoter's released commission (1798 + 3980 fen) covers
 * the paid one and then either of the two in review, which hold their amount while they wait.
 */
const DEMO_WITHDRAWALS: DemoWithdrawal[] = [
  { id: 'demo-wd-promoter-paid', by: 'promoter', amountFen: '2000', outcome: 'paid', destination: '6222021234567890' },
  {
    id: 'demo-wd-promoter-rejected',
    by: 'promoter',
    amountFen: '3000',
    outcome: 'rejected',
    destination: '6217000010012345678',
    note: '收款账户户名与实名认证信息不一致，请改用本人账户后重新申请。',
  },
  {
    id: 'demo-wd-promoter-review',
    by: 'promoter',
    amountFen: '3000',
    outcome: 'review',
    destination: '6222021234567890',
  },
  {
    id: 'demo-wd-team-lead-paid',
    by: 'team-lead',
    amountFen: '1000',
    outcome: 'paid',
    destination: '6228480402564890',
  },
];

/**
 * The review threshold the demo's withdrawals are asked under. The configured one (default
 * 500000 fen, ¥5,000) is far above a demo's commissions — the promoter would need ¥50,000 of
 * released sales — so the demo lowers it for its own requests only, as it shortens the return
 * window for its completed orders. What is asked stays in review whatever the threshold later.
 */
const DEMO_REVIEW_ABOVE_FEN = 2500n;

interface WithdrawalView {
  id: string;
  amountFen: string;
  feeFen: string;
  status: string;
}

export interface WithdrawalParties {
  promoter: KeyPair;
  teamLead: KeyPair;
  operator: KeyPair;
}

export async function loadWithdrawals(client: DemoClient, ctx: AppContext, parties: WithdrawalParties): Promise<void> {
  for (const withdrawal of DEMO_WITHDRAWALS) {
    const owner = withdrawal.by === 'promoter' ? parties.promoter : parties.teamLead;
    await ensureWithdrawal(client, ctx, owner, withdrawal);
    if (withdrawal.outcome === 'rejected') await ensureRejected(client, parties.operator, withdrawal);
    if (withdrawal.outcome === 'paid') {
      await until(
        `the payout of ${withdrawal.id}`,
        async () => (await find(client, owner, withdrawal.id))?.status === 'paid',
      );
    }
  }
  // The settlement job books the fees of paid withdrawals every few seconds; done now, so that a
  // later run of the demo finds nothing of its own left to write.
  await settleWithdrawals(ctx);
}

async function find(client: DemoClient, owner: KeyPair, id: string): Promise<WithdrawalView | undefined> {
  const found = await client.expect<WithdrawalView>([200, 404], 'GET', `/v1/distribution/withdrawals/${id}`, {
    as: owner,
  });
  return found.status === 404 ? undefined : found.body;
}

async function ensureWithdrawal(
  client: DemoClient,
  ctx: AppContext,
  owner: KeyPair,
  withdrawal: DemoWithdrawal,
): Promise<void> {
  if ((await find(client, owner, withdrawal.id)) !== undefined) return;
  const configured = ctx.config.withdrawalReviewAboveFen;
  ctx.config.withdrawalReviewAboveFen = DEMO_REVIEW_ABOVE_FEN;
  try {
    await client.expect([201], 'POST', '/v1/distribution/withdrawals', {
      as: owner,
      headers: { 'idempotency-key': `demo-withdrawal-${withdrawal.id}` },
      payload: {
        id: withdrawal.id,
        amountFen: withdrawal.amountFen,
        destination: withdrawal.destination,
        simulate: 'succeed',
      },
    });
  } finally {
    ctx.config.withdrawalReviewAboveFen = configured;
  }
}

async function ensureRejected(client: DemoClient, operator: KeyPair, withdrawal: DemoWithdrawal): Promise<void> {
  const now = await find(client, operator, withdrawal.id);
  if (now?.status !== 'review') return;
  await client.expect([200], 'POST', `/v1/operator/withdrawals/${withdrawal.id}/reject`, {
    as: operator,
    headers: { 'idempotency-key': `demo-withdrawal-reject-${withdrawal.id}` },
    payload: { note: withdrawal.note },
  });
}

/** The withdrawals of each earner, oldest first: `demo-wd-promoter-paid: 2000 (fee 12), paid`. */
export async function withdrawalLines(
  client: DemoClient,
  ctx: AppContext,
  earners: [string, KeyPair][],
): Promise<string[]> {
  const lines = [
    `Withdrawals (id: amount in fen, status; the demo's go to review above ${DEMO_REVIEW_ABOVE_FEN} fen, not ${ctx.config.withdrawalReviewAboveFen}):`,
  ];
  for (const [name, pair] of earners) {
    const { items } = (
      await client.expect<{ items: WithdrawalView[] }>([200], 'GET', '/v1/distribution/withdrawals?limit=100', {
        as: pair,
      })
    ).body;
    // Only a paid withdrawal took its fee: a rejected one, or one in review, has cost nothing.
    const fee = (w: WithdrawalView) => (w.status === 'paid' ? ` (fee ${w.feeFen})` : '');
    const shown = items.reverse().map((w) => `${w.id}: ${w.amountFen}${fee(w)}, ${w.status}`);
    lines.push(`  ${name.padEnd(10)} ${shown.join('; ') || 'none'}`);
  }
  return lines;
}

/** The operator's decisions on orders the anti-abuse checks held; the others stay pending. */
const DEMO_REVIEW_DECISIONS = [
  {
    orderId: 'demo-completed-houkui-gift',
    note: '同一设备一天内多单：电话核实为本人及家人共用手机下单，放行。',
  },
];

interface ReviewView {
  orderId: string;
  status: 'pending' | 'approved' | 'rejected';
  reasons: { code: string }[];
}

const reviews = async (client: DemoClient, operator: KeyPair, status: ReviewView['status']) =>
  (
    await client.expect<{ items: ReviewView[] }>([200], 'GET', `/v1/operator/reviews?status=${status}&limit=100`, {
      as: operator,
    })
  ).body.items;

/**
 * Approves the held orders the demo clears (a signed `distribution.review.approved`, on the log).
 * Before the points: the approval pays the referral reward that 李娜's points orders spend.
 */
export async function decideDemoReviews(client: DemoClient, operator: KeyPair): Promise<void> {
  for (const decision of DEMO_REVIEW_DECISIONS) {
    if ((await reviews(client, operator, 'pending')).some((r) => r.orderId === decision.orderId)) {
      await client.submit(operator, 'distribution.review.approved', { ...decision });
    } else if (!(await reviews(client, operator, 'approved')).some((r) => r.orderId === decision.orderId)) {
      throw new Error(`demo: ${decision.orderId} was not held for review (is the device limit still 3 a day?)`);
    }
  }
}

/** The review queue in one line: `demo-…: pending, device_velocity; demo-…: approved, device_velocity`. */
export async function reviewLines(client: DemoClient, operator: KeyPair): Promise<string[]> {
  const shown: string[] = [];
  for (const status of ['pending', 'approved', 'rejected'] as const) {
    for (const review of await reviews(client, operator, status)) {
      shown.push(`${review.orderId}: ${status}, ${review.reasons.map((r) => r.code).join(' ')}`);
    }
  }
  return ['Anti-abuse review queue (order: decision, why held):', `  ${shown.join('; ') || 'empty'}`];
}
