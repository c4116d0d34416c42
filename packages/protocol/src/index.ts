// Public surface of @concord/protocol. Each folder exposes its pieces through its own index.ts.

export * from './auth.js';
export * from './canonical/index.js';
export * from './commerce/index.js';
export * from './consensus/index.js';
export * from './crypto/noble.js';
export * from './crypto/types.js';
export * from './distribution/index.js';
export * from './encoding/bytes.js';
export * from './envelope/index.js';
export * from './identity/index.js';
export * from './log/index.js';
export * from './money/index.js';
export * from './note/index.js';
export * from './settlement/index.js';
export * from './trust/index.js';
