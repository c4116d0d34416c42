import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { API_SCHEMA_PATH, generateApiSchema } from './api-schema.js';

writeFileSync(API_SCHEMA_PATH, await generateApiSchema());
console.log(`wrote ${fileURLToPath(API_SCHEMA_PATH)}`);
