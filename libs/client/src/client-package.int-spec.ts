import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INestApplication } from '@nestjs/common';
import { exampleEvent } from '@vigil/contracts';
import { appUrl, startTestApp, testConfig, uniqueId } from '@vigil/testing';
import { AppModule } from '../../../services/ingestion/src/app.module';
import { IngestionConfig } from '../../../services/ingestion/src/config';

// Asynchronous on purpose: the ingestion service under test answers from this very process.
const run = promisify(execFile);
const REPO = join(__dirname, '..', '..', '..');
const PACKAGE_DIR = join(REPO, 'dist', 'packages', 'client');

/** Sends the events given as JSON in argv[2] to the ingestion URL in argv[3] with the installed package; prints the results. */
const script = (load: string) => `${load}
const events = JSON.parse(process.argv[2]);
new VigilClient({ baseUrl: process.argv[3], apiKey: 'key-a', secret: 'secret-a' })
  .publishMany(events)
  .then((results) => console.log(JSON.stringify(results)), (error) => { console.error(error); process.exit(1); });
`;

/** Compiles against the package's exports and types, the way a TypeScript user resolves them. */
const typed = (load: string) => `${load}
const client: VigilClient = new VigilClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k' });
const pending: Promise<EventResult[]> = client.publishMany([{ type: 'order.placed', version: 1, occurredAt: '2026-01-01T00:00:00Z', tenantId: 't', data: {} }]);
void pending;
`;

describe('@vigil/client as a published package (built, packed, installed in a scratch project)', () => {
  let app: INestApplication;
  let scratch: string;

  beforeAll(async () => {
    const config = testConfig(IngestionConfig, { INGESTION_API_KEYS: 'tenant-a:key-a:secret-a', LOG_LEVEL: 'error' });
    app = await startTestApp(AppModule.register(config), config);
    scratch = mkdtempSync(join(tmpdir(), 'vigil-client-package-'));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('installs from its tarball and sends accepted events through require (CJS) and import (ESM)', async () => {
    await run(process.execPath, [join(REPO, 'libs', 'client', 'build.mjs')], { cwd: REPO });
    const packed = JSON.parse((await run('npm', ['pack', PACKAGE_DIR, '--pack-destination', scratch, '--json'], { cwd: scratch })).stdout) as { filename: string; files: { path: string }[] }[];
    const tarball = join(scratch, packed[0].filename);
    // what is published: the two builds with their types and the README, not the sources or tests
    const files = packed[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/cjs/client/src/index.js', 'dist/esm/client/src/index.js', 'dist/esm/client/src/index.d.ts', 'dist/cjs/signature/src/signature.js']));
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);

    const project = join(scratch, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', version: '0.0.0', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: project });
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', '@vigil', 'client', 'package.json'), 'utf8')) as { name: string; version: string; license: string };
    expect(installed).toMatchObject({ name: '@vigil/client', version: '0.1.0', license: 'Apache-2.0' });

    writeFileSync(join(project, 'send.cjs'), script("const { VigilClient } = require('@vigil/client');"));
    writeFileSync(join(project, 'send.mjs'), script("import { VigilClient } from '@vigil/client';"));
    for (const entry of ['send.cjs', 'send.mjs']) {
      const events = [exampleEvent('order.placed', { id: uniqueId('evt'), tenantId: 'tenant-a' }), exampleEvent('account.login', { id: uniqueId('evt'), tenantId: 'tenant-a' })];
      const { stdout } = await run(process.execPath, [entry, JSON.stringify(events), appUrl(app)], { cwd: project });
      const results = JSON.parse(stdout) as { index: number; id: string; status: string }[];
      expect({ entry, results }).toEqual({ entry, results: events.map((e, index) => ({ index, id: e.id, status: 'accepted' })) });
    }

    // the types resolve through the exports map from both module systems
    writeFileSync(join(project, 'typed.mts'), typed("import { VigilClient, type EventResult } from '@vigil/client';"));
    writeFileSync(join(project, 'typed.cts'), typed("import { VigilClient, type EventResult } from '@vigil/client';"));
    const tsc = require.resolve('typescript/bin/tsc');
    await run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'typed.mts', 'typed.cts'], { cwd: project });
  }, 240_000);
});
