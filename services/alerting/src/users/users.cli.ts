/*
 * Issues an analyst token: adds (or replaces) a user in the users file with the token's SHA-256
 * and prints the token once; it is not stored anywhere.
 *   npm run alerting:user -- --file deploy/local/users.yaml --name ana --role analyst --tenants m1,m2
 *   npm run alerting:user -- --file F --name ana --remove
 */
import { writeFileSync } from 'node:fs';
import YAML from 'yaml';
import { newToken, readUsersFile, Role, ROLES, tokenDigest } from './analyst-users';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const file = arg('file');
  const name = arg('name');
  if (!file || !name) throw new Error('usage: --file F --name N (--role viewer|analyst|admin --tenants t1,t2|* | --remove)');
  const users = readUsersFile(file).filter((u) => u.name !== name);
  if (process.argv.includes('--remove')) {
    writeFileSync(file, YAML.stringify({ users }));
    console.log(`removed ${name} from ${file}`);
    return;
  }
  const role = arg('role') as Role | undefined;
  const tenants = (arg('tenants') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (!role || !ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
  if (tenants.length === 0) throw new Error('--tenants must list tenant ids, or * for all');
  const token = newToken();
  users.push({ name, role, tenants, tokenSha256: tokenDigest(token) });
  writeFileSync(file, YAML.stringify({ users }));
  console.log(`${name} (${role}, tenants ${tenants.join(',')}) written to ${file}. Token, shown once:\n${token}`);
}

try {
  main();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
