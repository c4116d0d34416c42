import {
  DEFAULT_DISTRIBUTION_POLICY,
  DEFAULT_SPLIT_POLICY,
  DistributionError,
  type DistributionPolicy,
  validateDistributionPolicy,
} from '@concord/protocol';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';

const policies = new WeakMap<AppContext, DistributionPolicy>();

/**
 * The distribution policy in force: the protocol's defaults, with the return window the orders
 * module runs on (one setting, so commissions unfreeze when orders can no longer be returned),
 * validated against the default split policy. Orders whose category has a lower share still
 * cap each rate at their own share.
 */
export function distributionPolicy(ctx: AppContext): DistributionPolicy {
  let policy = policies.get(ctx);
  if (policy === undefined) {
    try {
      policy = validateDistributionPolicy(
        { ...DEFAULT_DISTRIBUTION_POLICY, returnWindowDays: ctx.config.returnWindowDays },
        DEFAULT_SPLIT_POLICY,
      );
    } catch (error) {
      if (error instanceof DistributionError) throw new AppError(500, 'policy_invalid', error.message);
      throw error;
    }
    policies.set(ctx, policy);
  }
  return policy;
}
