import { loadConfig } from '@vigil/config';
import { AlertingConfig } from './config';

describe('AlertingConfig', () => {
  it('refuses webhooks without a signing secret of at least 16 characters', () => {
    expect(() => loadConfig(AlertingConfig, { ALERTING_WEBHOOK_URLS: 'https://hooks.example.com/x' })).toThrow(
      /ALERTING_WEBHOOK_SECRET: must be at least 16 characters when ALERTING_WEBHOOK_URLS is set/,
    );
    expect(() => loadConfig(AlertingConfig, { ALERTING_WEBHOOK_URLS: 'https://hooks.example.com/x', ALERTING_WEBHOOK_SECRET: 'short' })).toThrow(/at least 16/);
    const ok = loadConfig(AlertingConfig, { ALERTING_WEBHOOK_URLS: 'https://hooks.example.com/x', ALERTING_WEBHOOK_SECRET: 'a-long-enough-secret' });
    expect(ok.ALERTING_WEBHOOK_URLS).toEqual(['https://hooks.example.com/x']);
    // no webhooks: no secret needed
    expect(loadConfig(AlertingConfig, {}).ALERTING_WEBHOOK_SECRET).toBe('');
  });

  it('refuses the demo dashboard token outside demo mode', () => {
    expect(() => loadConfig(AlertingConfig, { ALERTING_DASHBOARD_TOKEN: 'demo-token' })).toThrow(/ALERTING_DASHBOARD_TOKEN: uses the public demo credential/);
    expect(loadConfig(AlertingConfig, { ALERTING_DASHBOARD_TOKEN: 'demo-token', VIGIL_DEMO_MODE: '1' }).ALERTING_DASHBOARD_TOKEN).toBe('demo-token');
  });
});
