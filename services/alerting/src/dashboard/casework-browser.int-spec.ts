import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import YAML from 'yaml';
import { AlertDecision, topicNames } from '@vigil/contracts';
import { createKafka, KafkaPublisher } from '@vigil/kafka';
import { appUrl, startTestApp, testConfig, TopicProbe, uniqueId, CHROMIUM_LAUNCH_OPTIONS } from '@vigil/testing';
import { testSignal } from '../../test-support/signals';
import { AppModule } from '../app.module';
import { AlertingConfig } from '../config';
import { tokenDigest } from '../users/analyst-users';

const TOKENS = { ana: 'browser-casework-token-of-ana', bo: 'browser-casework-token-of-bo' } as const;

/**
 * Case work in the dashboard, in headless Debian Chromium (same launch flags as
 * dashboard.int-spec.ts): search by a device finds every account's alert on it, and an
 * assignment made in one browser session shows in another analyst's session.
 */
describe('dashboard case work in headless Chromium', () => {
  let config: AlertingConfig;
  let app: INestApplication;
  let publisher: KafkaPublisher;
  let probe: TopicProbe<AlertDecision>;
  let browser: Browser;
  let dir: string;
  const violations: string[] = [];

  const openSession = async (who: keyof typeof TOKENS): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${appUrl(app)}/dashboard`);
    await page.fill('#token', TOKENS[who]);
    await page.click('#login-button');
    await page.locator('#live.on').waitFor();
    return page;
  };
  const searchDevice = async (page: Page, device: string) => {
    await page.selectOption('#s-entityType', 'device');
    await page.fill('#s-entityId', device);
    await page.click('#s-submit');
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-casework-browser-'));
    const usersFile = path.join(dir, 'users.yaml');
    writeFileSync(usersFile, YAML.stringify({ users: Object.entries(TOKENS).map(([name, token]) => ({ name, role: 'analyst', tenants: ['demo-market'], tokenSha256: tokenDigest(token) })) }));
    config = testConfig(AlertingConfig, { ALERTING_USERS_FILE: usersFile });
    app = await startTestApp(AppModule.register(config), config);
    publisher = new KafkaPublisher(createKafka(config.KAFKA_BROKERS, 'casework-browser-int-spec'));
    probe = await TopicProbe.start(config.KAFKA_BROKERS, [topicNames(config.VIGIL_TOPIC_PREFIX).decisions]);
    browser = await chromium.launch({
      ...CHROMIUM_LAUNCH_OPTIONS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await probe?.stop();
    await publisher?.disconnect();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('searches by a device and finds the alerts of every account on it, and only those', async () => {
    const device = uniqueId('dev');
    const accounts = [uniqueId('acc'), uniqueId('acc'), uniqueId('acc')];
    const elsewhere = uniqueId('acc');
    const signals = [
      ...accounts.map((acc, i) => testSignal({ ruleId: ['new-device-login', 'card-testing', 'account-takeover'][i], subjectId: acc, evidence: { deviceId: device } })),
      testSignal({ ruleId: 'card-testing', subjectId: elsewhere, evidence: { deviceId: uniqueId('dev') } }),
    ];
    const page = await openSession('ana');
    // before anything matches, the empty state says what to do
    await searchDevice(page, device);
    await page.locator('#s-empty', { hasText: 'search by another entity' }).waitFor();

    const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
    await publisher.publish(signals.map((s) => ({ topic: topics.signals, key: s.subject.id, value: JSON.stringify(s) })));
    // the feed shows the last one; then the search finds all three
    await page.locator('#alerts tr.alert-row', { hasText: elsewhere }).waitFor({ timeout: 20_000 });
    for (let attempt = 0; attempt < 50; attempt++) {
      await page.click('#s-submit');
      if ((await page.locator('#results tr.result-row').count()) === 3) break;
      await page.waitForTimeout(200);
    }
    const rows = page.locator('#results tr.result-row');
    expect((await rows.allTextContents()).map((t) => accounts.find((a) => t.includes(a)) ?? t).sort()).toEqual([...accounts].sort());
    await page.locator('#s-empty.hidden').waitFor({ state: 'attached' });
    // dates with the time zone, and export links carrying the same search
    expect(await page.locator('#s-tz').textContent()).toMatch(/^times in .+/);
    expect(await page.locator('#export-csv').getAttribute('href')).toBe(`/v1/alerts/export?entityType=device&entityId=${device}&format=csv`);
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), (await page.locator('#export-csv').getAttribute('href'))!);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(4);

    // bulk decision on a selection of two
    const picked = (await Promise.all([0, 1].map((i) => rows.nth(i).getAttribute('data-alert-id')))).map(String);
    for (const id of picked) await page.check(`input[data-pick="${id}"]`);
    await page.locator('#bulk-count', { hasText: '2' }).waitFor();
    await page.selectOption('#bulk-decision', 'false_positive');
    await page.click('#bulk-apply');
    await page.locator('#bulk-result', { hasText: 'sent 2 decisions' }).waitFor();
    const published = await probe.waitFor(2, (m) => picked.includes(m.value.alertId));
    // one partition per alert: the two arrive in either order
    const byId = (a: { alertId: string }, b: { alertId: string }) => a.alertId.localeCompare(b.alertId);
    expect(published.map((m) => m.value).sort(byId)).toEqual(picked.map((alertId) => ({ alertId })).sort(byId).map(({ alertId }) => expect.objectContaining({ alertId, decision: 'false_positive', analyst: 'ana' })));
    await page.locator('#results tr.result-row .status.false_positive').nth(1).waitFor({ timeout: 20_000 });
    expect(violations).toEqual([]);
  });

  it('shows an assignment made in one session in another analyst’s session, and refuses to take it from them', async () => {
    const device = uniqueId('dev');
    const account = uniqueId('acc');
    const signal = testSignal({ ruleId: 'card-testing', subjectId: account, evidence: { deviceId: device } });
    await publisher.publish([{ topic: topicNames(config.VIGIL_TOPIC_PREFIX).signals, key: account, value: JSON.stringify(signal) }]);

    const ana = await openSession('ana');
    const bo = await openSession('bo');
    for (const page of [ana, bo]) {
      for (let attempt = 0; attempt < 50; attempt++) {
        await searchDevice(page, device);
        if ((await page.locator('#results tr.result-row').count()) === 1) break;
        await page.waitForTimeout(200);
      }
      await page.locator('#results tr.result-row', { hasText: 'unassigned' }).waitFor();
    }

    await ana.locator('#results tr.result-row', { hasText: account }).locator('td', { hasText: account }).click();
    await ana.locator('#detail-assignee', { hasText: 'unassigned' }).waitFor();
    await ana.click('#assign-me');
    const [event] = await probe.waitFor(1, (m) => m.value.decision === 'assigned' && m.value.analyst === 'ana');
    expect(event.value).toMatchObject({ assignee: 'ana', previousAssignee: '' });
    await ana.locator('#detail-assignee', { hasText: 'ana' }).waitFor({ timeout: 20_000 });

    // bo's page, no reload: the lock arrives over the live feed into his search results
    await bo.locator('#results tr.result-row', { hasText: account }).locator('.assignee', { hasText: 'ana' }).waitFor({ timeout: 20_000 });
    await bo.locator('#results tr.result-row', { hasText: account }).locator('td', { hasText: account }).click();
    await bo.locator('#detail-assignee', { hasText: 'ana' }).waitFor();
    await bo.click('#assign-me');
    await bo.locator('#assign-result', { hasText: 'assigned to ana' }).waitFor();

    // "Next unassigned" gives bo another alert of the queue, never ana's
    await bo.click('#next-button');
    await bo.locator('#next-result', { hasText: 'assigned to you' }).waitFor();
    await bo.locator('#detail-assignee', { hasText: 'bo' }).waitFor({ timeout: 20_000 });
    expect(await bo.locator('#detail-id').textContent()).not.toBe(event.value.alertId);
    if (process.env.VIGIL_CASEWORK_SCREENSHOT) await bo.screenshot({ path: process.env.VIGIL_CASEWORK_SCREENSHOT, fullPage: true });
    expect(violations).toEqual([]);
  });
});
