import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { committedSchemaFiles, contractArtifacts, CONTRACTS_ROOT } from './artifacts';

/** `npm run contracts:generate`: rewrites libs/contracts/schemas/*.json and asyncapi.yaml, removes schemas no longer generated. */
const artifacts = contractArtifacts();
for (const stale of committedSchemaFiles().filter((file) => !(file in artifacts))) {
  rmSync(join(CONTRACTS_ROOT, stale));
  process.stdout.write(`removed ${stale}\n`);
}
for (const [file, text] of Object.entries(artifacts)) {
  const path = join(CONTRACTS_ROOT, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
process.stdout.write(`wrote ${Object.keys(artifacts).length} files under libs/contracts\n`);
