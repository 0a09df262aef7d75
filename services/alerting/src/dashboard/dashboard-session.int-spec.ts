import { INestApplication } from '@nestjs/common';
import { appUrl, startTestApp, testConfig } from '@vigil/testing';
import { AppModule } from '../app.module';
import { AlertingConfig } from '../config';

const TOKEN = 'session-test-token-4d1c';

/** The dashboard session over HTTP: HttpOnly cookie, CSRF defence, security headers. */
describe('dashboard session and its defences (real stack)', () => {
  let app: INestApplication;
  let url: string;
  let host: string;

  beforeAll(async () => {
    const config = testConfig(AlertingConfig, { ALERTING_DASHBOARD_TOKEN: TOKEN });
    app = await startTestApp(AppModule.register(config), config);
    url = appUrl(app);
    host = new URL(url).host;
  });
  afterAll(() => app?.close());

  const login = (token: string, origin = url) =>
    fetch(`${url}/v1/session`, { method: 'POST', headers: { authorization: `Bearer ${token}`, origin } });
  const cookie = `vigil_dashboard_token=${TOKEN}`;
  const decide = (headers: Record<string, string>) =>
    fetch(`${url}/v1/alerts/al-unknown/decisions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ decision: 'false_positive' }),
    });

  it('sets an HttpOnly, SameSite=Strict session cookie for the right token only', async () => {
    expect((await login('wrong')).status).toBe(401);
    expect((await login(TOKEN, 'https://evil.example')).status).toBe(403); // login CSRF
    const ok = await login(TOKEN);
    expect(ok.status).toBe(204);
    const setCookie = ok.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^vigil_dashboard_token=session-test-token-4d1c; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(setCookie).not.toMatch(/Secure/); // plain HTTP here; Secure is added over TLS
    expect((await fetch(`${url}/v1/session/delete`, { method: 'POST', headers: { origin: url } })).status).toBe(401); // guarded
    const out = await fetch(`${url}/v1/session/delete`, { method: 'POST', headers: { origin: url, cookie } });
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
  });

  it('refuses a state change carried by the cookie from another origin, not one from the dashboard or with a bearer token', async () => {
    expect((await fetch(`${url}/v1/alerts`, { headers: { cookie } })).status).toBe(200);
    expect((await decide({ cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await decide({ cookie })).status).toBe(403); // no Origin, no Sec-Fetch-Site: a form post from elsewhere
    // the same origin and a bearer token pass the guard (the unknown alert is then a 404)
    expect((await decide({ cookie, origin: `http://${host}` })).status).toBe(404);
    expect((await decide({ cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(404);
    expect((await decide({ authorization: `Bearer ${TOKEN}` })).status).toBe(404);
  });

  it('serves the dashboard with a Content-Security-Policy and the security headers', async () => {
    const page = await fetch(`${url}/dashboard`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'unsafe-inline'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect((await fetch(`${url}/health`)).headers.get('x-content-type-options')).toBe('nosniff');
  });
});
