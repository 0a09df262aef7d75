import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import YAML from 'yaml';
import { FraudSignal } from '@vigil/contracts';
import { appUrl, startTestApp, testConfig, testStack, TopicProbe, uniqueId, CHROMIUM_LAUNCH_OPTIONS } from '@vigil/testing';
import { AppModule as AlertingModule } from '../../services/alerting/src/app.module';
import { AlertingConfig } from '../../services/alerting/src/config';
import { tokenDigest } from '../../services/alerting/src/users/analyst-users';
import { order, TrafficProducer } from '../../services/velocity/test-support/traffic';
import { AppModule as VelocityModule } from '../../services/velocity/src/app.module';
import { VelocityConfig } from '../../services/velocity/src/config';

const TOKENS = { ana: 'workbench-browser-token-of-ana', vic: 'workbench-browser-token-of-vic', boss: 'workbench-browser-token-of-boss' } as const;

/** One rule that fires on every order of 100 or more, so each test event's outcome is known. */
const RULES = {
  version: 1,
  rules: [
    { id: 'big-order', version: 1, subject: 'account', events: ['order.placed'], mode: 'enforce', severity: 'high', window: '1h', when: { metric: 'order.amount', op: '>=', value: 100 }, reason: 'order of {order.amount}' },
  ],
};

/**
 * The analyst workbench across services, in headless Debian Chromium: velocity and alerting in this
 * process, wired through the real Kafka and Redis of the test stack (shared topic and key prefix),
 * alerting forwarding the dashboard's list changes to velocity's lists API.
 */
describe('workbench in headless Chromium: lists, snoozes and rules (velocity + alerting)', () => {
  const tenant = uniqueId('tenant');
  const tuned = uniqueId('tuned'); // the rules test's tenant: its stored events are its own
  const velocityKey = uniqueId('vkey');
  const tunedKey = uniqueId('vkey');
  const prefix = uniqueId('wb');
  let dir: string;
  let velocity: INestApplication;
  let alerting: INestApplication;
  let producer: TrafficProducer;
  let signals: TopicProbe<FraudSignal>;
  let browser: Browser;
  const violations: string[] = [];
  const at = Date.now();

  const openSession = async (who: keyof typeof TOKENS): Promise<Page> => {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${appUrl(alerting)}/dashboard`);
    await page.fill('#token', TOKENS[who]);
    await page.click('#login-button');
    await page.locator('#live.on').waitFor();
    return page;
  };
  const fetchIn = (page: Page, url: string, init?: { method: string; body: string }) =>
    page.evaluate(async ([u, i]) => {
      const r = await fetch(u, i ? { ...i, headers: { 'content-type': 'application/json' } } : undefined);
      return { status: r.status, text: await r.text() };
    }, [url, init] as const);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-workbench-'));
    const rulesFile = path.join(dir, 'rules.yaml');
    writeFileSync(rulesFile, YAML.stringify(RULES));
    const usersFile = path.join(dir, 'users.yaml');
    const roles = { ana: 'analyst', vic: 'viewer', boss: 'admin' } as const;
    writeFileSync(usersFile, YAML.stringify({ users: Object.entries(TOKENS).map(([name, token]) => ({ name, role: roles[name as keyof typeof roles], tenants: name === 'boss' ? [tenant, tuned] : [tenant], tokenSha256: tokenDigest(token) })) }));
    const shared = { VIGIL_TOPIC_PREFIX: prefix, REDIS_KEY_PREFIX: `vigil-test:${prefix}` };
    const velocityConfig = testConfig(VelocityConfig, { ...shared, RULES_FILE: rulesFile, VELOCITY_ADMIN_KEYS: `${tenant}:${velocityKey},${tuned}:${tunedKey}` });
    velocity = await startTestApp(VelocityModule.register(velocityConfig), velocityConfig);
    const alertingConfig = testConfig(AlertingConfig, { ...shared, ALERTING_USERS_FILE: usersFile, ALERTING_VELOCITY_URL: appUrl(velocity), ALERTING_VELOCITY_ADMIN_KEYS: `${tenant}:${velocityKey},${tuned}:${tunedKey}` });
    alerting = await startTestApp(AlertingModule.register(alertingConfig), alertingConfig);
    producer = await TrafficProducer.connect(testStack().brokers, prefix);
    signals = await TopicProbe.start<FraudSignal>(testStack().brokers, [`${prefix}.fraud.signals`]);
    browser = await chromium.launch({
      ...CHROMIUM_LAUNCH_OPTIONS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await signals?.stop();
    await producer?.close();
    await alerting?.close();
    await velocity?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a list entry added in the UI suppresses the rule on the next event', async () => {
    const device = uniqueId('dev');
    const [first, second, control] = [uniqueId('acc'), uniqueId('acc'), uniqueId('acc')];
    const page = await openSession('ana');

    // the rule fires for an order from the device
    await producer.send([order(tenant, at, { buyer: first, device, amount: 500 })]);
    await page.locator('#alerts tr.alert-row', { hasText: first }).waitFor({ timeout: 30_000 });
    // the search panel follows new alerts without a click
    await page.locator('#results tr.result-row', { hasText: first }).waitFor({ timeout: 10_000 });

    await page.click('#tab-lists');
    await page.locator('#l-empty', { hasText: 'Add one with the form above' }).waitFor();
    await page.selectOption('#l-list', 'allow');
    await page.selectOption('#l-entityType', 'device');
    await page.fill('#l-entityId', device);
    await page.fill('#l-rules', 'big-order');
    await page.fill('#l-ttlDays', '7');
    await page.fill('#l-reason', 'office device, shared by staff');
    await page.click('#l-add');
    await page.locator('#l-result', { hasText: 'added to the allow list until' }).waitFor();
    const row = page.locator('#l-entries tr.list-row', { hasText: device });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/allow.*office device, shared by staff.*big-order.*ana/s);
    await page.locator('#l-changes li', { hasText: 'put allow device' }).filter({ hasText: 'by ana: office device' }).waitFor();

    // the next order from the listed device is not flagged; the control order (another device) is
    await producer.send([order(tenant, at + 1000, { buyer: second, device, amount: 500 }), order(tenant, at + 2000, { buyer: control, amount: 500 })]);
    await signals.waitFor(1, (m) => m.value.subject.id === control, 30_000);
    // one tenant's events are evaluated in event-time order: `second` was evaluated before `control`
    expect(signals.messages.filter((m) => m.value.subject.id === second)).toEqual([]);
    expect(signals.messages.filter((m) => m.value.subject.id === first)).toHaveLength(1);
    await page.click('#tab-alerts');
    await page.locator('#alerts tr.alert-row', { hasText: control }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#alerts tr.alert-row', { hasText: second }).count()).toBe(0);

    // the device's entity page: its list entry, counters (as the API gives them), the accounts seen on it, the alert naming it
    await page.click('#tab-entity');
    await page.locator('#e-empty', { hasText: 'Open an entity' }).waitFor();
    await page.selectOption('#e-type', 'device');
    await page.fill('#e-id', device);
    await page.click('#e-open');
    await page.locator('#e-list', { hasText: 'on the allow list: office device, shared by staff (by ana, until' }).waitFor();
    const api = JSON.parse((await fetchIn(page, `/v1/entities/device/${device}`)).text) as { state: { counters: Record<string, number> }; alerts: { subject: { id: string } }[] };
    expect(api.state.counters['device.order.count@1h']).toBe(2);
    const shown = Object.fromEntries((await page.locator('#e-counters tr').allTextContents()).map((t) => [t.replace(/\d+$/, ''), Number(/(\d+)$/.exec(t)?.[1])]));
    expect(shown).toEqual(api.state.counters);
    expect(await page.locator('#e-links li').allTextContents()).toEqual([expect.stringMatching(new RegExp(`^account ${second} via accounts.distinct, `)), expect.stringMatching(new RegExp(`^account ${first} via accounts.distinct, `))]);
    expect(api.alerts.map((a) => a.subject.id)).toEqual([first]);
    await page.locator('#e-alerts .e-alert', { hasText: first }).locator('table.events tr', { hasText: 'order.placed' }).waitFor();
    // a linked entity opens its own page
    await page.locator('#e-links a.e-link', { hasText: first }).click();
    await page.locator('#e-title', { hasText: `account ${first}` }).waitFor();
    expect(await page.locator('#e-list').textContent()).toBe('on no list');

    // CSV export of the list, imported back (a second entity added through the file)
    await page.click('#tab-lists');
    await page.selectOption('#l-csv-list', 'allow');
    const csv = (await fetchIn(page, (await page.locator('#l-export').getAttribute('href'))!)).text;
    expect(csv.split('\r\n')[1]).toMatch(new RegExp(`^device,${device},"office device, shared by staff",big-order,`));
    const other = uniqueId('dev');
    await page.setInputFiles('#l-import-file', { name: 'allow.csv', mimeType: 'text/csv', buffer: Buffer.from(`${csv}device,${other},imported,,,,\nplanet,x,bad,,,,\n`) });
    await page.click('#l-import');
    await page.locator('#l-import-result', { hasText: 'imported 2 onto the allow list; skipped 1: line 4: entityType must be one of' }).waitFor();
    await page.locator('#l-entries tr.list-row', { hasText: other }).waitFor();
    expect(await page.locator('#l-count').textContent()).toMatch(/of 2, both lists/);

    // removing needs a reason, and is logged with it
    const otherRow = page.locator('#l-entries tr.list-row', { hasText: other });
    await otherRow.locator('button').click();
    await page.locator('#l-result', { hasText: 'say why' }).waitFor();
    await otherRow.locator('.l-why').fill('test entry');
    await otherRow.locator('button').click();
    await page.locator('#l-changes li', { hasText: 'remove allow device' }).filter({ hasText: 'by ana: test entry' }).waitFor();
    await page.locator('#l-entries tr.list-row', { hasText: other }).waitFor({ state: 'detached' });
    expect(violations).toEqual([]);
  });

  it('keeps list and snooze writes to their roles and tenants, and lists snoozes with who and why', async () => {
    const viewer = await openSession('vic');
    await viewer.click('#tab-lists');
    await viewer.locator('#l-empty, #l-entries tr.list-row').first().waitFor();
    expect(await viewer.locator('#l-form').isVisible()).toBe(false); // viewers get no write controls
    const body = JSON.stringify({ list: 'deny', entityType: 'device', entityId: 'd-1', reason: 'x' });
    expect((await fetchIn(viewer, '/v1/lists/entries', { method: 'POST', body })).status).toBe(403);
    const ana = await openSession('ana');
    expect((await fetchIn(ana, '/v1/lists/entries', { method: 'POST', body: JSON.stringify({ list: 'deny', entityType: 'device', entityId: 'd-1', reason: 'x', tenantId: 'someone-else' }) })).status).toBe(403);
    expect((await fetchIn(ana, '/v1/lists/entries', { method: 'POST', body: JSON.stringify({ list: 'deny', entityType: 'device', entityId: 'd-1', reason: '' }) })).status).toBe(400);
    // a snooze needs an admin
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await fetchIn(ana, '/v1/snoozes', { method: 'POST', body: JSON.stringify({ ruleId: 'big-order', until, reason: 'x' }) })).status).toBe(403);

    const boss = await openSession('boss');
    await boss.click('#tab-lists');
    await boss.locator('#z-empty', { hasText: 'No snooze in force' }).waitFor();
    await boss.fill('#z-rule', 'big-order');
    await boss.selectOption('#z-subjectType', 'account');
    await boss.fill('#z-subjectId', 'acc-noisy');
    await boss.fill('#z-until', '2099-01-01T10:00');
    await boss.fill('#z-reason', 'known reseller');
    await boss.click('#z-add');
    await boss.locator('#z-result', { hasText: 'big-order muted for account:acc-noisy until' }).waitFor();
    const snooze = boss.locator('#z-rows tr.snooze-row', { hasText: 'acc-noisy' });
    expect(await snooze.textContent()).toMatch(/big-order.*account acc-noisy.*2099.*known reseller.*boss/s);
    await snooze.locator('.z-why').fill('reseller left');
    await snooze.locator('button').click();
    await boss.locator('#z-empty').waitFor();
    expect(await boss.locator('#z-changes li').allTextContents()).toEqual([
      expect.stringMatching(/lifted big-order for account acc-noisy by boss: reseller left$/),
      expect.stringMatching(/snoozed big-order for account acc-noisy until .*2099.* by boss: known reseller$/),
    ]);
    expect(violations).toEqual([]);
  });

  it('a threshold change previewed and applied changes the next evaluation', async () => {
    const [seen, below, above] = ['seen', 'below', 'above'].map((l) => uniqueId(`acc-${l}`));
    await producer.send([order(tuned, at, { buyer: seen, amount: 150 })]);
    await signals.waitFor(1, (m) => m.value.subject.id === seen, 30_000);

    const boss = await openSession('boss');
    await boss.locator('#alerts tr.alert-row', { hasText: seen }).waitFor({ timeout: 20_000 });
    await boss.selectOption('#l-tenant', tuned);
    await boss.click('#tab-rules');
    const row = boss.locator('#r-rows tr.rule-row[data-rule="big-order"]');
    await row.waitFor();
    expect(await row.locator('.r-version').textContent()).toBe('1');
    expect(await row.locator('.r-alerts').textContent()).toBe('1'); // the API's count of the tenant's alerts
    expect(await row.locator('.r-fp').textContent()).toBe('no verdicts');
    expect(await boss.locator('#r-apply').isDisabled()).toBe(true);

    await row.locator('.r-threshold[data-metric="order.amount"]').fill('200');
    await row.locator('button.r-preview').click();
    await boss.locator('#r-proposed', { hasText: 'changed (version 1001, enforce): 0 signals on 0 subjects' }).waitFor({ timeout: 40_000 });
    expect(await boss.locator('#r-current').textContent()).toBe('as it is (version 1, enforce): 1 signal on 1 subject');
    expect(await boss.locator('#r-events').textContent()).toBe('1');
    expect(await boss.locator('#r-gone').textContent()).toBe(`account:${seen}`);
    // an edit after the preview needs a new preview before it can be applied
    await row.locator('.r-threshold').fill('300');
    expect(await boss.locator('#r-apply').isDisabled()).toBe(true);
    await row.locator('.r-threshold').fill('200');
    await row.locator('button.r-preview').click();
    await boss.locator('#r-apply:not([disabled])').waitFor({ timeout: 40_000 });
    await boss.click('#r-apply');
    await boss.locator('#r-result', { hasText: 'say why' }).waitFor();
    await boss.fill('#r-reason', 'orders of 100-200 are ordinary here');
    await boss.click('#r-apply');
    await boss.locator('#r-result', { hasText: 'applied: big-order is version 1001 (enforce)' }).waitFor();
    await boss.locator('#r-changes li', { hasText: 'big-order → version 1001' }).filter({ hasText: 'by boss: orders of 100-200 are ordinary here' }).waitFor();
    expect(await row.locator('.r-version').textContent()).toMatch(/^1001changed by boss/);

    // the next evaluation uses it: 150 no longer fires, 250 does (as version 1001); the other tenant keeps the file's rule
    await producer.send([order(tuned, at + 1000, { buyer: below, amount: 150 }), order(tuned, at + 2000, { buyer: above, amount: 250 })]);
    const [fired] = await signals.waitFor(1, (m) => m.value.subject.id === above, 30_000);
    expect(fired.value).toMatchObject({ ruleId: 'big-order', ruleVersion: 1001 });
    expect(signals.messages.filter((m) => m.value.subject.id === below)).toEqual([]);
    expect((await fetchIn(boss, `/v1/rules?tenantId=${tenant}`)).text).toMatch(/"id":"big-order","version":1,/);
    if (process.env.VIGIL_RULES_SCREENSHOT) await boss.screenshot({ path: process.env.VIGIL_RULES_SCREENSHOT, fullPage: true });
    expect(violations).toEqual([]);
  });
});
