/**
 * When a consensus act happened, for every rule that depends on time: the envelope's signed
 * time (the server accepts an envelope only within its clock skew), so a replay of the log
 * classifies commits, reveals and deadlines exactly as the server did.
 */
export const signedAt = (event: { envelope: { ts: string } }) => new Date(event.envelope.ts);
