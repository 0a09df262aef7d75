import { ListedEntity } from './list-entry';
import { listToCsv, parseListCsv } from './list-csv';

const NOW = new Date('2026-03-02T08:00:00Z');

describe('list CSV', () => {
  it('reads its own export back (rules, expiry rounded up to whole days, guarded ids)', () => {
    const entries: ListedEntity[] = [
      { list: 'allow', entityType: 'account', entityId: '-acc-1', reason: 'trusted, reseller', rules: ['card-testing', 'account-order-burst'], addedAt: NOW.toISOString(), expiresAt: '2026-03-12T07:00:00.000Z', addedBy: 'ana' },
      { list: 'allow', entityType: 'device', entityId: 'dev-9', reason: 'office', rules: ['*'], addedAt: NOW.toISOString(), expiresAt: '2027-03-02T08:00:00.000Z' },
    ];
    const { rows, problems } = parseListCsv(listToCsv(entries), 10, NOW);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 2, entityType: 'account', entityId: '-acc-1', reason: 'trusted, reseller', rules: ['card-testing', 'account-order-burst'], ttlDays: 10 },
      { line: 3, entityType: 'device', entityId: 'dev-9', reason: 'office', rules: ['*'], ttlDays: 365 },
    ]);
  });

  it('reports bad rows by line and keeps the good ones; ttlDays wins over expiresAt', () => {
    const text = 'entityId,entityType,reason,ttlDays,expiresAt\nd1,device,ok,3,\nx,planet,nope,,\nd2,device,past,,2020-01-01T00:00:00Z\n';
    const { rows, problems } = parseListCsv(text, 10, NOW);
    expect(rows).toEqual([{ line: 2, entityType: 'device', entityId: 'd1', reason: 'ok', ttlDays: 3 }]);
    expect(problems).toEqual([
      { line: 3, reason: expect.stringMatching(/^entityType must be one of account/) },
      { line: 4, reason: 'expiresAt must be a future ISO 8601 time' },
    ]);
  });

  it('refuses a file without the needed columns or with too many rows', () => {
    expect(() => parseListCsv('entityId,reason\nx,y\n', 10, NOW)).toThrow('the header row lacks entityType');
    expect(() => parseListCsv('', 10, NOW)).toThrow('empty');
    expect(() => parseListCsv(`entityType,entityId,reason\n${'device,d,r\n'.repeat(3)}`, 2, NOW)).toThrow('more than 2 entries in one import');
  });
});
