// Builds the publishable @vigil/client into dist/packages/client (then `npm pack dist/packages/client`):
// tsc twice (CommonJS and ES modules, each with its .d.ts), then two fixes tsc does not make.
// - @vigil/signature (the one signing scheme, shared with ingestion and the webhooks) is not
//   published: it is compiled beside the client and imported by relative path.
// - Node's ES module loader needs full specifiers: './vigil-client' becomes './vigil-client.js'.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'dist', 'packages', 'client');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const INTERNAL = { '@vigil/signature': 'signature/src/index' };

rmSync(out, { recursive: true, force: true });
for (const format of ['cjs', 'esm']) execFileSync(process.execPath, [tsc, '-p', join(here, `tsconfig.${format}.json`)], { stdio: 'inherit' });

const files = (dir) => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
for (const format of ['cjs', 'esm']) {
  const root = join(out, 'dist', format);
  for (const file of files(root).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))) {
    const text = readFileSync(file, 'utf8').replace(/((?:from|require\(|import\()\s*)(["'])([^"']+)\2/g, (whole, lead, quote, specifier) => {
      let target = specifier;
      if (INTERNAL[specifier]) {
        target = relative(dirname(file), join(root, INTERNAL[specifier]));
        if (!target.startsWith('.')) target = `./${target}`;
      }
      if (format === 'esm' && target.startsWith('.') && !target.endsWith('.js')) {
        target = existsSync(join(dirname(file), `${target}.js`)) || existsSync(join(dirname(file), `${target}.d.ts`)) ? `${target}.js` : `${target}/index.js`;
      }
      return `${lead}${quote}${target}${quote}`;
    });
    if (/["']@vigil\//.test(text)) throw new Error(`${relative(out, file)} still imports an unpublished @vigil package`);
    writeFileSync(file, text);
  }
  writeFileSync(join(root, 'package.json'), `${JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' })}\n`);
}

const manifest = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
delete manifest.scripts; // the build is this repository's, not the package's
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
copyFileSync(join(here, 'README.md'), join(out, 'README.md'));
process.stdout.write(`built ${manifest.name}@${manifest.version} in ${relative(process.cwd(), out) || '.'}\n`);
