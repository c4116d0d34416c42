/**
 * A limit on everything the consensus rules accept, so that a replay of any published result
 * takes bounded time and memory. Each is far above what a real cycle needs: Polkadot's Kusama
 * election (22,500 nominators × 16 votes over 1,000 candidates) fits with room to spare.
 */
export const CONSENSUS_LIMITS = Object.freeze({
  /** Account ids (did:key and the like) and round ids, in UTF-16 units. */
  idCharsMax: 256,
  /** Nominations per nominator: Polkadot's MaxNominations. */
  votesPerVoterMax: 16,
  votersMax: 250_000,
  candidatesMax: 10_000,
  /** Entries of a sortition panel or a jury pool. */
  panelMax: 100_000,
  /** Testers or jurors drawn at once. */
  drawMax: 1_000,
  /** Completed tests counted for one tester's experience power. */
  testsMax: 10_000,
  /** Revealed reports in one round. */
  reportsMax: 100_000,
  /** Testers rewarded in one round (each a party of one `allocate`). */
  roundTestersMax: 10_000,
  /** Nominators behind one tester, or jurors of one instance. */
  backersMax: 9_999,
  evidenceMax: 50,
  reportTextCharsMax: 5_000,
  /** Appeal instances after the round itself: jury 0 … jury 8 at most. */
  instancesMax: 8,
  halfLifeDaysMax: 3_650,
});
