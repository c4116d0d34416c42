// `npm run bench [name…]`: runs the benchmarks (all, or those named) one after another.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const quick = process.argv.includes('--quick');
const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.mjs'))
  .filter((file) => wanted.length === 0 || wanted.includes(file.replace(/\.bench\.mjs$/, '')))
  .sort();
if (files.length === 0) {
  console.error(`No benchmark matches ${wanted.join(', ')}.`);
  process.exit(2);
}
for (const file of files) {
  console.log(`== ${file.replace(/\.bench\.mjs$/, '')}`);
  const module = await import(pathToFileURL(`${here}/${file}`).href);
  await module.run({ quick });
}
console.log(`Results written to ${here}/results/`);
