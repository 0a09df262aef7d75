import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AnalystDirectory, hasRole, readUsersFile, seesTenant, tokenDigest } from './analyst-users';

const file = (content: string) => {
  const p = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-users-')), 'users.yaml');
  writeFileSync(p, content);
  return p;
};
const digest = tokenDigest('t-ana');

describe('analyst users', () => {
  it('reads a users file and finds a user by token, the dashboard token being an admin of all tenants', () => {
    const users = readUsersFile(file(`users:\n  - { name: ana, role: analyst, tenants: [m1, m2], tokenSha256: ${digest} }\n  - { name: root, role: admin, tenants: ["*"], tokenSha256: ${tokenDigest('t-root')} }\n`));
    const directory = new AnalystDirectory(users, 'shared-dashboard-token');
    expect(directory.find('t-ana')).toEqual({ name: 'ana', role: 'analyst', tenants: ['m1', 'm2'] });
    expect(directory.find('t-root')?.tenants).toBe('*');
    expect(directory.find('shared-dashboard-token')).toEqual({ name: 'dashboard', role: 'admin', tenants: '*' });
    expect(directory.find('t-an')).toBeUndefined();
    expect(directory.find(undefined)).toBeUndefined();
    expect(readUsersFile('/nonexistent/users.yaml')).toEqual([]);
  });

  it('refuses a malformed file with every problem, and duplicate names or tokens', () => {
    expect(() => readUsersFile(file('users:\n  - { name: "a b", role: boss, tenants: [], tokenSha256: plain-token }\n'))).toThrow(
      /name must be 1-64.*role must be one of the following values: viewer, analyst, admin.*tenants must contain at least 1 elements.*tokenSha256 must be the hex SHA-256/,
    );
    expect(() => readUsersFile(file(`users:\n  - { name: a, role: viewer, tenants: [m1], tokenSha256: ${digest} }\n  - { name: a, role: viewer, tenants: [m1], tokenSha256: ${tokenDigest('x')} }\n`))).toThrow(/lists the user a twice/);
    expect(() => new AnalystDirectory([{ name: 'a', role: 'viewer', tenants: ['m1'], tokenSha256: digest }, { name: 'b', role: 'viewer', tenants: ['m1'], tokenSha256: digest }], '')).toThrow(/share one token/);
  });

  it('orders roles and scopes tenants', () => {
    const ana = { name: 'ana', role: 'analyst' as const, tenants: ['m1'] };
    expect([hasRole(ana, 'viewer'), hasRole(ana, 'analyst'), hasRole(ana, 'admin')]).toEqual([true, true, false]);
    expect([seesTenant(ana, 'm1'), seesTenant(ana, 'm2'), seesTenant({ ...ana, tenants: '*' }, 'm2')]).toEqual([true, false, true]);
  });
});
