import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { API_SCHEMA_PATH, generateApiSchema } from '../scripts/api-schema.js';

it("the web app's API types are the server's /openapi.json of today (npm run gen:api -w @concord/web)", async () => {
  expect(readFileSync(API_SCHEMA_PATH, 'utf8')).toBe(await generateApiSchema());
}, 60_000);
