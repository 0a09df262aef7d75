import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { committedSchemaFiles, contractArtifacts, CONTRACTS_ROOT } from './artifacts';

/**
 * The committed schemas and AsyncAPI document are what integrators read: they must be exactly
 * what the generator makes from the current classes. Fix a failure with `npm run contracts:generate`.
 */
describe('committed contract artifacts (libs/contracts/schemas, asyncapi.yaml)', () => {
  const artifacts = contractArtifacts();

  it('covers the envelope, every event type and version, signal, alert, decision and dead letter', () => {
    expect(Object.keys(artifacts)).toEqual(
      expect.arrayContaining(['asyncapi.yaml', 'schemas/envelope.json', 'schemas/order.placed.v1.json', 'schemas/wallet.flagged.v1.json', 'schemas/signal.json', 'schemas/alert.json', 'schemas/decision.json', 'schemas/dead-letter.json']),
    );
    expect(Object.keys(artifacts)).toHaveLength(16 + 6); // 16 event types at version 1, 5 other schemas, the AsyncAPI document
  });

  it.each(Object.keys(contractArtifacts()))('%s is committed and up to date', (file) => {
    const path = join(CONTRACTS_ROOT, file);
    expect(existsSync(path) ? readFileSync(path, 'utf8') : `(missing: run npm run contracts:generate)`).toBe(artifacts[file]);
  });

  it('has no committed schema the generator no longer writes', () => {
    expect(committedSchemaFiles().filter((file) => !(file in artifacts))).toEqual([]);
  });
});
