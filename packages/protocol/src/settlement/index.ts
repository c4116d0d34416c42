// Settlement cycles: what an order's settlement moves, how a cycle divides its pools, and the
// Merkle tree of its result (DESIGN §7, §11).

export {
  adjustmentLine,
  type CycleAdjustment,
  type CycleHeader,
  type CycleInputs,
  type CycleOrderInput,
  closeCycleFromInputs,
  headerLine,
  orderLine,
  parseCycleInputs,
  roundLine,
  witnessLine,
} from './cycle-inputs.js';
export {
  type CycleClose,
  type CycleCloseInput,
  type CycleLeaf,
  type CycleRound,
  type CycleRoundPayout,
  CycleTree,
  type CycleWitness,
  closeCycle,
  cycleLeafBytes,
  verifyCycleLeaf,
} from './cycle-result.js';
export {
  type CycleEntry,
  type CycleEntryKind,
  isMoneyEntry,
  type OrderSettlement,
  SETTLEMENT_KINDS,
  type SettlementKind,
  type SettlementLine,
  type SettlementOrder,
  settleOrder,
  sumByKey,
  sumEntries,
} from './order-settlement.js';
export { DEFAULT_SETTLEMENT_POLICY, type SettlementPolicy, validateSettlementPolicy } from './settlement-policy.js';
