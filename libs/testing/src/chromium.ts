/**
 * How the browser tests start Debian's Chromium with playwright-core (installed by
 * deploy/local/ensure-chromium.sh): headless, no sandbox (CI containers), no background traffic.
 * Options only, so importing @vigil/testing does not load playwright.
 */
export const CHROMIUM_LAUNCH_OPTIONS = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};
