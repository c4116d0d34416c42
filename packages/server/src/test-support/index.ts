// Helpers for tests of this and other packages: a fresh database per file, a test app, signing.

export { seedCompletedOrders } from '../modules/settlement/seed.js';
export * from './app.js';
export * from './commerce.js';
export * from './consensus-appeals.js';
export * from './consensus-journey.js';
export * from './database.js';
export * from './shopping.js';
