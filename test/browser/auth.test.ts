// The dashboard outside demo mode (auth.mode token): the page loads without a token, the API's 401
// brings up the token prompt, the token is kept in sessionStorage for the tab, every API call and
// the WebSocket (subprotocol `bearer.<base64url>`) then authenticate, and a wrong token prompts again.
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardSuite } from './dashboard-suite.js';
import { droppedFlowLine, shiftedDemoLines } from './demo-lines.js';
import { hasChromium, launchChromium, startServe, writeConfig } from './harness.js';
import { skipWhenMissing } from '../ci-tools.js';

const TOKEN = 'dashboard-test-token-0123456789abcdef';

describe.skipIf(
  skipWhenMissing(hasChromium, 'Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)'),
)('dashboard with token authentication', () => {
  const suite = dashboardSuite({
    name: 'npa-browser-auth-',
    start: async (dir) => {
      const flowsFile = path.join(dir, 'flows.jsonl');
      writeFileSync(
        flowsFile,
        `${shiftedDemoLines(Date.now() - 60_000)
          .slice(0, 200)
          .join('\n')}\n`,
      );
      writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
      const config = path.join(dir, 'config.yaml');
      writeConfig(config, [
        'listen: "127.0.0.1:0"',
        `db: ${JSON.stringify(path.join(dir, 'advisor.db'))}`,
        'auth:',
        '  mode: token',
        `  tokenFile: ${JSON.stringify(path.join(dir, 'token'))}`,
        'sources:',
        '  - type: file',
        '    format: hubble',
        `    path: ${JSON.stringify(flowsFile)}`,
        'limits:',
        '  flushIntervalMs: 50',
      ]);
      return { daemon: await startServe(config), flowsFile };
    },
  });

  it('serves the page without a token but no data', async () => {
    expect((await fetch(`${suite.daemon.base}/`)).status).toBe(200);
    expect((await fetch(`${suite.daemon.base}/api/v1/namespaces`)).status).toBe(401);
  });

  it('asks for the token, then loads the data and the live stream with it', async () => {
    const page = await suite.context.newPage();
    await page.goto(`${suite.daemon.base}/#/overview`);
    const prompt = page.locator('form.token-dialog');
    await prompt.waitFor();
    await expect(page.locator('.page').getAttribute('data-ready')).resolves.toBe('error');
    // No token given yet: asked for, not "rejected".
    await expect(page.locator('form.token-dialog h2').textContent()).resolves.toBe('API token required');
    await expect(page.getByTestId('token-error').textContent()).resolves.toBe('');

    await page.locator('input[name="token"]').fill('wrong-token-wrong-token');
    await page.getByRole('button', { name: 'Use token' }).click();
    await prompt.waitFor();
    // A token was sent and refused: the prompt says so.
    await page.locator('form.token-dialog h2', { hasText: 'API token rejected' }).waitFor();
    await expect(page.getByTestId('token-error').textContent()).resolves.toMatch(
      /^The server rejected the token you gave/,
    );

    await page.locator('input[name="token"]').fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.locator('.page[data-ready="true"]').waitFor();
    expect(await page.locator('tr[data-namespace]').count()).toBeGreaterThan(0);
    await expect(page.evaluate('sessionStorage.getItem("netpol-advisor.token")')).resolves.toBe(TOKEN);

    await page.goto(`${suite.daemon.base}/#/drops`);
    await page.locator('.page[data-ready="true"]').waitFor();
    await page
      .getByTestId('stream-state')
      .filter({ hasText: /^live$/ })
      .waitFor({ timeout: 15_000 });
    appendFileSync(
      suite.started.flowsFile,
      `${droppedFlowLine({ timeMs: Date.now(), destinationPort: 7001, uuid: '5e1f0000-0000-4000-8000-000000007001' })}\n`,
    );
    await page
      .getByTestId('live-drops')
      .locator('tbody tr', { hasText: '7001/TCP' })
      .waitFor({ timeout: 20_000 });
    await page.close();
  });

  it('keeps the token to the tab: a new browser context asks again', async () => {
    const other = await launchChromium(path.join(suite.dir, 'profile-2'));
    try {
      const page = await other.newPage();
      await page.goto(`${suite.daemon.base}/#/flows`);
      await page.locator('form.token-dialog').waitFor();
    } finally {
      await other.close();
    }
  });
});
