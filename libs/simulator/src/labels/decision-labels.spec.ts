import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { labelsToCsv, parseLabelsCsv } from '../generator/labels';
import { ANALYST_PATTERN, DecidedAlert, fetchDecidedAlerts, labelsFromAlerts } from './decision-labels';

const alert = (alertId: string, type: string, id: string, status: DecidedAlert['status']): DecidedAlert => ({
  alertId,
  subject: { type, id, tenantId: 't' },
  status,
});

describe('labels from analysts\' decisions', () => {
  it('labels confirmed fraud as fraud and false positives as legit; confirmed fraud wins; open alerts say nothing', () => {
    const labels = labelsFromAlerts([
      alert('al-1', 'account', 'acc-1', 'false_positive'),
      alert('al-2', 'account', 'acc-1', 'confirmed_fraud'),
      alert('al-3', 'ip', '203.0.113.9', 'false_positive'),
      alert('al-4', 'seller', 'sel-1', 'confirmed_fraud'),
      alert('al-5', 'device', 'dev-1', 'open'),
      alert('al-6', 'card', 'card-1', 'acknowledged'),
    ]);
    expect(labels).toEqual([
      { entityType: 'account', entityId: 'acc-1', label: 'fraud', pattern: ANALYST_PATTERN },
      { entityType: 'ip', entityId: '203.0.113.9', label: 'legit', pattern: 'ordinary' },
      { entityType: 'seller', entityId: 'sel-1', label: 'fraud', pattern: ANALYST_PATTERN },
    ]);
    // What the backtest reads back is what was exported.
    expect(parseLabelsCsv(labelsToCsv(labels))).toEqual(labels);
  });

  describe('reading alerting\'s API', () => {
    let server: Server;
    let url: string;
    const requests: { url: string; auth: string | undefined }[] = [];
    let answer: (query: URLSearchParams) => { status: number; body: unknown } = () => ({ status: 200, body: { alerts: [] } });

    beforeAll(async () => {
      server = createServer((req: IncomingMessage, res) => {
        requests.push({ url: req.url ?? '', auth: req.headers.authorization });
        const { status, body } = answer(new URL(req.url ?? '/', 'http://x').searchParams);
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => (requests.length = 0));

    it('asks for each terminal status and subject type with the token, and reports full answers as truncated', async () => {
      answer = (q) => {
        if (q.get('status') === 'confirmed_fraud' && q.get('subjectType') === 'account') return { status: 200, body: { alerts: [alert('al-1', 'account', 'acc-1', 'confirmed_fraud')] } };
        if (q.get('status') === 'false_positive' && q.get('subjectType') === 'ip') {
          return { status: 200, body: { alerts: Array.from({ length: 500 }, (_, i) => alert(`al-ip-${i}`, 'ip', `198.51.100.${i % 250}`, 'false_positive')) } };
        }
        return { status: 200, body: { alerts: [] } };
      };
      const result = await fetchDecidedAlerts({ url, token: 'tok-1', tenantId: 'tenant-a' });
      expect(requests).toHaveLength(20); // 2 statuses x 10 subject types
      expect(requests.every((r) => r.auth === 'Bearer tok-1')).toBe(true);
      expect(requests[0].url).toBe('/v1/alerts?status=confirmed_fraud&subjectType=account&limit=500&tenantId=tenant-a');
      expect(result.alerts).toHaveLength(501);
      expect(result.truncated).toEqual(['false_positive/ip']);
    });

    it('names the address when alerting cannot be reached', async () => {
      await expect(fetchDecidedAlerts({ url: 'http://127.0.0.1:1', token: 't' })).rejects.toThrow(/alerting at http:\/\/127\.0\.0\.1:1 is not reachable/);
    });

    it('stops with alerting\'s answer when it refuses the token', async () => {
      answer = () => ({ status: 401, body: { message: 'unknown analyst token' } });
      await expect(fetchDecidedAlerts({ url, token: 'wrong' })).rejects.toThrow(/401 .*unknown analyst token/);
      expect(requests).toHaveLength(1);
    });
  });
});
