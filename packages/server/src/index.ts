export type { RunningServer } from './bootstrap.js';
export {
  createContext,
  createIntegrator,
  keyPaths,
  openConfiguredDatabase,
  type ResolvedConfig,
  resolveIdentities,
  startServer,
} from './bootstrap.js';
export type { Config, WitnessEndpoint } from './config.js';
export { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.js';
export type { AppContext } from './context.js';
export type { Database, Db, Tx } from './db/connection.js';
export { openDatabase, pgliteDirIn, transaction } from './db/connection.js';
export { migrate } from './db/migrate.js';
export { AppError } from './errors.js';
export { buildApp } from './http/app.js';
export type { KeyPair } from './keys.js';
export { loadOrCreateKeyFile, readKeyFile, writeNewKeyFile } from './keys.js';
export { createShardedAccount, shardedBalance, shardKey } from './modules/accounting/hot-accounts.js';
export {
  AMOUNT_MAX,
  createAccounts,
  createTransfers,
  createTransfersNow,
  expireHolds,
  getAccounts,
  ledgerViolations,
} from './modules/accounting/ledger.js';
export type { AccountInput, LedgerAccount, TransferInput, TransferResult } from './modules/accounting/types.js';
export { caseIdOf, JUROR_EP_MIN, JURY_COMMIT_DAYS, JURY_REVEAL_DAYS } from './modules/consensus/appeals.js';
export { GENESIS_ROUND } from './modules/consensus/experience.js';
export { runPanelElections } from './modules/consensus/panels.js';
export { type ConsensusPolicy, DEFAULT_CONSENSUS_POLICY } from './modules/consensus/policy.js';
export { ruleDueAppeals } from './modules/consensus/rulings.js';
export { tallyDueRounds } from './modules/consensus/tally.js';
export { releaseDueCommissions } from './modules/distribution/commissions.js';
export { type CycleRun, computeCycleDistribution } from './modules/distribution/cycle.js';
export { runPointsRetirement } from './modules/distribution/points-burn.js';
export { mintPoints } from './modules/distribution/points-ledger.js';
export { cycleOf } from './modules/distribution/supplier-tokens.js';
export { settleWithdrawals } from './modules/distribution/withdrawals.js';
export { submitEnvelope } from './modules/events/service.js';
export { createRegistry } from './modules/index.js';
export { integrateOnce } from './modules/log/integrator.js';
export { runOrderTimers } from './modules/orders/timers.js';
export { SandboxWebhookDelivery } from './modules/payments/sandbox.js';
export { MovableClock } from './modules/sandbox/movable-clock.js';
export {
  type CloseOptions,
  type CloseProgress,
  type CycleSummary,
  closeSettlementCycle,
  listCycles,
} from './modules/settlement/close.js';
export { clearingAccount, cycleWindow, settlementCycleAt } from './modules/settlement/cycles.js';
// Completed orders written straight into the tables: for the settlement benchmark and tests only.
export { type SeedOptions, seedCompletedOrders } from './modules/settlement/seed.js';
export { type RunningWitness, runWitness, type WitnessRunOptions } from './witness/run.js';
