import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { contractSchemas } from '../contract-schemas';
import { asyncApiDocument } from './asyncapi';
import { DEAD_LETTER_SCHEMA } from './dead-letter-schema';

/** libs/contracts, where the artifacts are committed. */
export const CONTRACTS_ROOT = join(__dirname, '..', '..');
export const SCHEMAS_DIR = 'schemas';

const HEADER = '# Generated from libs/contracts by `npm run contracts:generate`; do not edit (the drift test compares it).\n';

/**
 * Every generated artifact, by path relative to libs/contracts: one JSON Schema per contract
 * (schemas/*.json) and the AsyncAPI document that references them. Pure: the script writes
 * these, the drift test compares them with the committed files.
 */
export function contractArtifacts(): Record<string, string> {
  const schemas = { ...contractSchemas(), 'dead-letter.json': DEAD_LETTER_SCHEMA };
  return {
    ...Object.fromEntries(Object.entries(schemas).map(([file, schema]) => [`${SCHEMAS_DIR}/${file}`, `${JSON.stringify(schema, null, 2)}\n`])),
    'asyncapi.yaml': HEADER + YAML.stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false }),
  };
}

/** The committed schema files (to find stale ones the generator no longer writes). */
export function committedSchemaFiles(root = CONTRACTS_ROOT): string[] {
  try {
    return readdirSync(join(root, SCHEMAS_DIR)).filter((f) => f.endsWith('.json')).map((f) => `${SCHEMAS_DIR}/${f}`);
  } catch {
    return [];
  }
}
