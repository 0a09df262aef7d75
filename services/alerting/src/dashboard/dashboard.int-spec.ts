import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { AlertDecision, FraudAlert, topicNames } from '@vigil/contracts';
import { createKafka, KafkaPublisher } from '@vigil/kafka';
import { appUrl, startTestApp, testConfig, TopicProbe, uniqueId, CHROMIUM_LAUNCH_OPTIONS } from '@vigil/testing';
import { testSignal } from '../../test-support/signals';
import { AppModule } from '../app.module';
import { AlertingConfig } from '../config';
import { tokenDigest } from '../users/analyst-users';
import YAML from 'yaml';

// ana, an analyst of the tenant the test signals belong to (her token is in the users file, hashed)
const TOKEN = 'browser-test-token-of-ana';

/**
 * The ops dashboard in a real headless Chromium (Debian's /usr/bin/chromium, installed by
 * deploy/local/ensure-chromium.sh): a signal published to Kafka shows up on the open page
 * without a reload, and a click on "False positive" publishes an AlertDecision.
 */
describe('ops dashboard in headless Chromium', () => {
  let config: AlertingConfig;
  let app: INestApplication;
  let probe: TopicProbe<FraudAlert | AlertDecision>;
  let publisher: KafkaPublisher;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    profile = mkdtempSync(path.join(tmpdir(), 'vigil-chromium-'));
    const usersFile = path.join(profile, 'users.yaml');
    writeFileSync(usersFile, YAML.stringify({ users: [{ name: 'ana', role: 'analyst', tenants: ['demo-market'], tokenSha256: tokenDigest(TOKEN) }] }));
    config = testConfig(AlertingConfig, { ALERTING_USERS_FILE: usersFile });
    app = await startTestApp(AppModule.register(config), config);
    publisher = new KafkaPublisher(createKafka(config.KAFKA_BROKERS, 'dashboard-int-spec'));
    const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
    probe = await TopicProbe.start(config.KAFKA_BROKERS, [topics.decisions]);
    context = await chromium.launchPersistentContext(profile, {
      ...CHROMIUM_LAUNCH_OPTIONS,
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await probe?.stop();
    await publisher?.disconnect();
    await app?.close();
  });

  it('asks for the token, shows alerts live, and publishes a decision made by a click', async () => {
    // The page runs under its Content-Security-Policy: any blocked script or style shows here.
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${appUrl(app)}/dashboard`);
    await page.locator('#login-form').waitFor();
    await page.fill('#token', 'wrong-token');
    await page.click('#login-button');
    await page.locator('#login-error', { hasText: 'refused' }).waitFor();

    await page.fill('#token', TOKEN);
    await page.click('#login-button');
    await page.locator('#live.on').waitFor();
    await page.locator('#analyst', { hasText: 'ana (analyst, demo-market)' }).waitFor();

    const topics = topicNames(config.VIGIL_TOPIC_PREFIX);
    const subjectId = uniqueId('acc');
    const other = uniqueId('seller');
    const signals = [
      testSignal({ ruleId: 'card-testing', subjectId, severity: 'high' }),
      testSignal({ ruleId: 'new-device-login', subjectId, severity: 'medium' }),
      testSignal({ ruleId: 'review-burst', subjectId: other, subjectType: 'seller', severity: 'critical' }),
    ];
    await publisher.publish(signals.map((s) => ({ topic: topics.signals, key: s.subject.id, value: JSON.stringify(s) })));

    // No reload: the rows arrive over Server-Sent Events.
    const row = page.locator('#alerts tr.alert-row', { hasText: subjectId });
    await row.waitFor({ timeout: 20_000 });
    await page.locator('#alerts tr.alert-row', { hasText: other }).waitFor({ timeout: 20_000 });
    await row.locator('td', { hasText: 'card-testing, new-device-login' }).waitFor({ timeout: 20_000 });

    await row.click();
    await page.locator('#detail table.events', { hasText: signals[0].triggeringEvents[0].eventId }).waitFor();
    await page.fill('#comment', 'test order by the seller');
    const alertId = await page.locator('#detail-id').textContent();

    await page.click('button[data-decision="false_positive"]');
    const [published] = await probe.waitFor(1, (m) => (m.value as AlertDecision).alertId === alertId);
    expect(published.value).toMatchObject({ alertId, decision: 'false_positive', analyst: 'ana', comment: 'test order by the seller' });
    expect(published.key).toBe(alertId);

    // The decision comes back through the decisions topic into the read model and the page.
    await page.locator('#detail-status', { hasText: 'false_positive' }).waitFor({ timeout: 20_000 });
    await page.locator('#fp-chart', { hasText: 'card-testing' }).waitFor({ timeout: 20_000 });

    // The session cookie is HttpOnly: scripts on the page cannot read the token.
    expect(await page.evaluate('document.cookie')).not.toContain(TOKEN);
    const [cookie] = await context.cookies(appUrl(app));
    expect(cookie).toMatchObject({ name: 'vigil_dashboard_token', httpOnly: true, sameSite: 'Strict' });
    expect(violations).toEqual([]);
  });
});
