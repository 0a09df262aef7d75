import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsString, Matches, ValidateNested, validateSync } from 'class-validator';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import YAML from 'yaml';

export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];
const RANK: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2 };

/** Who is calling: the decisions they make are recorded under `name`; they see only `tenants`. */
export interface AnalystUser {
  name: string;
  role: Role;
  /** Tenants whose alerts the user sees and decides; '*' = all. */
  tenants: string[] | '*';
}

export const hasRole = (user: AnalystUser, role: Role): boolean => RANK[user.role] >= RANK[role];
export const seesTenant = (user: AnalystUser, tenantId: string): boolean => user.tenants === '*' || user.tenants.includes(tenantId);

/** What the users file holds: never a token, only its SHA-256 (the file can be read by operators, the tokens cannot). */
class UserEntry {
  @Matches(/^[\w.@-]{1,64}$/, { message: 'name must be 1-64 letters, digits or ._@-' })
  name!: string;

  @IsIn(ROLES)
  role!: Role;

  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  tenants!: string[];

  @Matches(/^[0-9a-f]{64}$/, { message: 'tokenSha256 must be the hex SHA-256 of the token' })
  tokenSha256!: string;
}

class UsersFile {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => UserEntry)
  users!: UserEntry[];
}

export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A new random token (256 bits, URL-safe): printed once by the admin command, stored hashed. */
export const newToken = (): string => `vat_${randomBytes(32).toString('base64url')}`;

export interface UsersFileEntry {
  name: string;
  role: Role;
  tenants: string[];
  tokenSha256: string;
}

/** Reads and validates a users file (YAML or JSON); a missing file is no users. Throws with every problem. */
export function readUsersFile(path: string): UsersFileEntry[] {
  if (!path || !existsSync(path)) return [];
  const raw = YAML.parse(readFileSync(path, 'utf8')) ?? { users: [] };
  const file = plainToInstance(UsersFile, raw);
  const problems = validateSync(file, { whitelist: true, forbidNonWhitelisted: true });
  if (problems.length > 0) {
    const flat = (errors: typeof problems, at = ''): string[] =>
      errors.flatMap((e) => [...Object.values(e.constraints ?? {}).map((c) => `${at}${e.property}: ${c}`), ...flat(e.children ?? [], `${at}${e.property}.`)]);
    throw new Error(`${path} is not a valid users file: ${flat(problems).join('; ')}`);
  }
  const names = new Set<string>();
  for (const u of file.users) {
    if (names.has(u.name)) throw new Error(`${path} lists the user ${u.name} twice`);
    names.add(u.name);
  }
  return file.users.map((u) => ({ name: u.name, role: u.role, tenants: u.tenants, tokenSha256: u.tokenSha256 }));
}

/**
 * Resolves a presented token to its user: the users of ALERTING_USERS_FILE, plus the shared
 * ALERTING_DASHBOARD_TOKEN as the admin "dashboard" of all tenants (the demo's single token).
 * Lookup by the token's SHA-256: the digest comparison leaks nothing usable about the token.
 */
export class AnalystDirectory {
  private readonly byDigest = new Map<string, AnalystUser>();

  constructor(entries: UsersFileEntry[], dashboardToken: string) {
    if (dashboardToken) this.byDigest.set(tokenDigest(dashboardToken), { name: 'dashboard', role: 'admin', tenants: '*' });
    for (const e of entries) {
      if (this.byDigest.has(e.tokenSha256)) throw new Error(`two users share one token (${e.name})`);
      this.byDigest.set(e.tokenSha256, { name: e.name, role: e.role, tenants: e.tenants.includes('*') ? '*' : e.tenants });
    }
  }

  get size(): number {
    return this.byDigest.size;
  }

  /** A colleague by name (assigning an alert to them). */
  byName(name: string): AnalystUser | undefined {
    return [...this.byDigest.values()].find((u) => u.name === name);
  }

  find(token: string | undefined): AnalystUser | undefined {
    return token ? this.byDigest.get(tokenDigest(token)) : undefined;
  }
}
