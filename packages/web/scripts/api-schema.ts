import { createTestApp } from '@concord/server/test-support';
import openapiTS, { astToString } from 'openapi-typescript';

export const API_SCHEMA_PATH = new URL('../src/api/schema.d.ts', import.meta.url);

const HEADER = `// Generated from the server's /openapi.json by \`npm run gen:api -w @concord/web\`; do not edit.
// A test fails when this file no longer matches the server's API.
`;

/** The TypeScript types of the API, from the OpenAPI document a fresh server serves. */
export async function generateApiSchema(): Promise<string> {
  const t = await createTestApp();
  try {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    if (response.statusCode !== 200) throw new Error(`/openapi.json answered ${response.statusCode}`);
    const ast = await openapiTS(response.json(), { alphabetize: true });
    return HEADER + astToString(ast);
  } finally {
    await t.close();
  }
}
