import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { FraudAlert, topicNames } from '@vigil/contracts';
import { sendEvents, simulate } from '@vigil/simulator';
import { appUrl, testStack, TopicProbe, uniqueId, waitFor, CHROMIUM_LAUNCH_OPTIONS } from '@vigil/testing';
import { RunningSystem, startSystem } from './system';

const SCREENSHOTS = path.resolve(__dirname, '../../docs/screenshots');
const TENANT = 'tenant-demo';
const TOKEN = 'e2e-token';

/**
 * The README's dashboard screenshots, from the demo's real alerts: the four services on the
 * demo's simulated hour (seed 42, every fraud pattern, as `npm start` sends it), then the
 * dashboard in headless Chromium. Run by `npm run screenshots` (VIGIL_SCREENSHOTS=1); it checks
 * that what the pictures show is the API's (each signal's own reason, the same counts). Left out
 * of `npm test` (test/jest.config.js): it rewrites docs/screenshots.
 */

describe('dashboard screenshots of the demo', () => {
  let system: RunningSystem;
  let alerts: TopicProbe<FraudAlert>;
  let browser: Browser;
  let page: Page;
  const velocityKey = uniqueId('vkey');

  beforeAll(async () => {
    system = await startSystem(TENANT, {
      shared: { VELOCITY_ADMIN_KEYS: `${TENANT}:${velocityKey}` },
      alerting: (velocityUrl) => ({ ALERTING_VELOCITY_URL: velocityUrl, ALERTING_VELOCITY_ADMIN_KEYS: `${TENANT}:${velocityKey}` }),
    });
    alerts = await TopicProbe.start<FraudAlert>(testStack().brokers, [topicNames(system.topicPrefix).alerts]);
    const { events } = simulate({ seed: 42, minutes: 60, inject: ['all'], tenantId: TENANT });
    const sent = await sendEvents(events, { url: system.ingestionUrl, apiKey: system.apiKey, batchSize: 500, rate: 'max' });
    expect(sent.rejected).toBe(0);
    let seen = -1;
    let quietSince = Date.now();
    await waitFor('the alert stream to settle', () => {
      if (alerts.messages.length !== seen) [seen, quietSince] = [alerts.messages.length, Date.now()];
      return seen > 0 && Date.now() - quietSince > 8000;
    }, 300_000, 250);
    browser = await chromium.launch({
      ...CHROMIUM_LAUNCH_OPTIONS,
    });
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 480_000);

  afterAll(async () => {
    await browser?.close();
    await alerts?.stop();
    await system?.stop();
  });

  it('takes the README screenshots from the demo’s alerts, each showing what the API says', async () => {
    const alerting = appUrl(system.apps[system.apps.length - 1]);
    await page.goto(`${alerting}/dashboard`);
    await page.fill('#token', TOKEN);
    await page.click('#login-button');
    await page.locator('#live.on').waitFor();
    const get = async <T>(url: string): Promise<T> => JSON.parse(await page.evaluate(async (u) => (await fetch(u)).text(), url)) as T;

    // the feed: the count it shows is the API's
    const { alerts: listed } = await get<{ alerts: (FraudAlert & { score: number })[] }>('/v1/alerts?limit=300');
    await page.locator('#count', { hasText: `(${Math.min(listed.length, 300)})` }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-feed.png') });

    // the most urgent account alert with two or more rules: every signal with its own reason
    const pick = [...listed].filter((a) => a.subject.type === 'account' && a.signals.length >= 2).sort((a, b) => b.score - a.score || a.alertId.localeCompare(b.alertId))[0] ?? listed[0];
    await page.locator(`#alerts tr[data-alert-id="${pick.alertId}"]`).click();
    await page.locator('#detail-id', { hasText: pick.alertId }).waitFor();
    const full = await get<FraudAlert>(`/v1/alerts/${pick.alertId}`);
    const signalTexts = await page.locator('#detail .signal').allTextContents();
    expect(signalTexts).toHaveLength(full.signals.length);
    full.signals.forEach((s, i) => {
      expect(signalTexts[i]).toContain(`${s.ruleId} v${s.ruleVersion}`);
      expect(signalTexts[i]).toContain(s.reason);
    });
    await page.fill('#comment', 'checked with the seller: a test order');
    await page.locator('#detail').screenshot({ path: path.join(SCREENSHOTS, 'dashboard-detail.png') });
    await page.click('button[data-decision="false_positive"]');
    await page.locator('#detail-status', { hasText: 'false_positive' }).waitFor({ timeout: 20_000 });
    await page.locator('#detail').screenshot({ path: path.join(SCREENSHOTS, 'dashboard-decided.png') });

    // the subject's entity page
    await page.click('#open-entity');
    await page.locator('#e-title', { hasText: pick.subject.id }).waitFor();
    await page.locator('#entity').screenshot({ path: path.join(SCREENSHOTS, 'dashboard-entity.png') });

    // lists: the subject put on the allow list for its first rule
    await page.fill('#l-tenant', TENANT);
    await page.click('#tab-lists');
    await page.fill('#l-entityId', pick.subject.id);
    await page.fill('#l-rules', full.signals[0].ruleId);
    await page.fill('#l-reason', 'known reseller, checked by phone');
    await page.click('#l-add');
    await page.locator('#l-entries tr.list-row', { hasText: pick.subject.id }).waitFor();
    await page.locator('#lists').screenshot({ path: path.join(SCREENSHOTS, 'dashboard-lists.png') });

    // rules: the threshold of the rule with the most alerts, doubled and previewed on the stored hour
    const { rules } = await get<{ rules: { id: string; alerts24h: number; thresholds: unknown[] }[] }>(`/v1/rules?tenantId=${TENANT}`);
    const rule = [...rules].filter((r) => r.thresholds.length > 0).sort((a, b) => b.alerts24h - a.alerts24h || a.id.localeCompare(b.id))[0].id;
    expect(rules.find((r) => r.id === rule)!.alerts24h).toBeGreaterThan(0);
    await page.click('#tab-rules');
    const row = page.locator(`#r-rows tr.rule-row[data-rule="${rule}"]`);
    await row.waitFor();
    const threshold = row.locator('.r-threshold').first();
    await threshold.fill(String(Number(await threshold.inputValue()) * 2));
    await row.locator('button.r-preview').click();
    await page.locator('#r-proposed').waitFor({ timeout: 150_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\nthe preview panel said: ${await page.locator('#r-preview').textContent()}`);
    });
    expect(Number(await page.locator('#r-events').textContent())).toBeGreaterThan(0);
    await page.locator('#rules').screenshot({ path: path.join(SCREENSHOTS, 'dashboard-rules.png') });
  }, 400_000);
});
