#!/usr/bin/env node
// Browser tests of the dashboard against a real server: builds a programme with the
// aidtrace command (programme.mjs), serves it with `aidtrace serve --web web/dist` on a
// free port, and drives Debian's Chromium (headless, fresh user-data-dir) with
// playwright-core. Prints one line per check and "N passed, N failed"; exit 0 only when
// every check passed, 77 (ctest's skip) when a prerequisite is missing and
// AIDTRACE_REQUIRE_E2E is not 1.
//
// Environment: AIDTRACE_BIN (default build/release/src/cli/aidtrace, then build/debug),
// CHROMIUM (default /usr/bin/chromium), AIDTRACE_E2E_ARTIFACTS (screenshots; default
// build/e2e-artifacts), AIDTRACE_E2E_UPDATE_SCREENSHOTS=1 (also copy them to
// docs/screenshots/).
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeLog, PLANTED } from './programme.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(REPO, 'web', 'package.json'));

function skip(why) {
  if (process.env.AIDTRACE_REQUIRE_E2E === '1') {
    console.error(`e2e: FAILED: ${why} (AIDTRACE_REQUIRE_E2E=1)`);
    process.exit(1);
  }
  console.error(`\n*** E2E SKIPPED: ${why} -- these browser tests did NOT run ***\n`);
  process.exit(77);
}

function findBin() {
  const candidates = process.env.AIDTRACE_BIN
    ? [process.env.AIDTRACE_BIN]
    : ['build/release/src/cli/aidtrace', 'build/debug/src/cli/aidtrace'].map((p) => join(REPO, p));
  for (const c of candidates) if (existsSync(c)) return resolve(c);
  return null;
}

const bin = findBin();
if (!bin) skip('no aidtrace binary (set AIDTRACE_BIN or build it)');
const help = execFileSync(bin, ['--help'], { encoding: 'utf8' });
if (!/\bserve\b/.test(help) || !/\btoken\b/.test(help)) skip(`${bin} has no serve/token command`);
const webDist = join(REPO, 'web', 'dist');
if (!existsSync(join(webDist, 'index.html'))) skip('web/dist is not built (make web)');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) skip(`no Chromium at ${chromiumPath} (apt-get install chromium)`);
let playwright;
try {
  playwright = require('playwright-core');
} catch {
  skip('playwright-core is not installed (cd web && npm ci)');
}

const artifacts = resolve(process.env.AIDTRACE_E2E_ARTIFACTS ?? join(REPO, 'build', 'e2e-artifacts'));
rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'aidtrace-e2e-'));

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const results = [];
async function check(name, f) {
  const t0 = Date.now();
  try {
    await f();
    results.push([name, true]);
    console.log(`PASS ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 4).join('\n     ') : e}`);
    // What each open tab showed when the check failed.
    for (const [i, p] of (context ? context.pages() : []).entries()) {
      await p.screenshot({ path: join(artifacts, `FAILED-${results.length}-${i}.png`), fullPage: true }).catch(() => {});
    }
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

let server;
let context;
let exitCode = 1;
try {
  console.log(`e2e: aidtrace ${bin}; chromium ${chromiumPath}; work ${work}`);
  const t0 = Date.now();
  const log = makeLog(bin, work);
  console.log(`e2e: programme of ${log.events} events built in ${Date.now() - t0} ms`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['serve', '--db', log.db, '--listen', `127.0.0.1:${port}`, '--web', webDist], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let serverErr = '';
  server.stderr.on('data', (d) => {
    serverErr = (serverErr + d).slice(-4000);
  });
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 100 || server.exitCode !== null) throw new Error(`the server did not start: ${serverErr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const api = async (token, path) => {
    const r = await fetch(base + path, { headers: { Authorization: `Bearer ${token}` } });
    return { status: r.status, body: await r.json() };
  };

  context = await playwright.chromium.launchPersistentContext(join(work, 'chromium-profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1400, height: 1000 },
  });

  // A tab signed in with one token; console errors and page errors are collected.
  async function tab(tokenName) {
    const page = await context.newPage();
    page.consoleErrors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') page.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => page.consoleErrors.push(`pageerror: ${e.message}`));
    await page.goto(`${base}/#/signin`);
    await page.fill('[data-testid=token]', log.tokens[tokenName]);
    await page.fill('[data-testid=log-key]', log.logVkey);
    await page.click('[data-testid=signin]');
    await page.waitForSelector('[data-testid=whoami]');
    return page;
  }
  async function visit(page, hash, pageName, at = base) {
    await page.goto(`${at}/${hash}`);
    await page.waitForSelector(`.page[data-page="${pageName}"]`, { timeout: 20000 });
    await page.waitForLoadState('networkidle');
    const errors = await page.locator('#main .error').allTextContents();
    assert(errors.length === 0, `${hash} shows errors: ${errors.join(' | ')}`);
  }
  // The page from the top, at most 1600 px of it (long tables are cut).
  async function shot(page, name) {
    await page.waitForTimeout(300); // charts draw on the next frame
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({
      path: join(artifacts, `${name}.png`),
      fullPage: true,
      clip: { x: 0, y: 0, width: 1400, height: Math.min(height, 1600) },
    });
  }
  // Waits for an action's receipt; fails with the error the page shows instead.
  async function receipt(page) {
    await page.waitForSelector('[data-testid=receipt], [data-testid=action-result] .error');
    const errs = await page.locator('[data-testid=action-result] .error').allTextContents();
    assert(errs.length === 0, `action refused: ${errs.join(' | ')}`);
  }
  async function rows(page, testid) {
    return page.locator(`[data-testid=${testid}] tbody tr`).count();
  }
  async function loadKey(page, party) {
    await page.setInputFiles('[data-testid=signer-key-file]', log.keyFile(party));
    await page.waitForSelector(`[data-testid=signers] >> text=${party}+`);
  }

  const monitor = await tab('un-mmu/monitor');

  await check('sign-in page renders and rejects a bad token visibly', async () => {
    const p = await context.newPage();
    await p.goto(`${base}/#/signin`);
    await shot(p, '00-signin');
    await p.fill('[data-testid=token]', 'aidt_not-a-token');
    await p.click('[data-testid=signin]');
    await p.waitForSelector('[data-error-code=unauthorized]');
    await p.close();
  });

  await check('every page renders with data and no console errors (monitor)', async () => {
    await visit(monitor, '#/overview', 'overview');
    assert((await rows(monitor, 'funds-table')) === 2, 'funds table has 2 currencies');
    assert((await rows(monitor, 'items-table')) === 3, 'items table has 3 items');
    assert((await rows(monitor, 'alerts-by-kind')) >= 3, 'open alerts by kind');
    await monitor.waitForSelector('[data-testid=weekly-chart][data-rendered=true]');
    await shot(monitor, '01-overview');
    await visit(monitor, '#/flows', 'flows');
    await monitor.waitForSelector('[data-testid=money-sankey][data-rendered=true]');
    await monitor.waitForSelector('[data-testid=materials-sankey][data-rendered=true]');
    await shot(monitor, '02-flows');
    await visit(monitor, '#/projects', 'projects');
    assert((await rows(monitor, 'projects-table')) === 7, 'projects table has 7 projects');
    await monitor.waitForSelector('[data-testid=projects-map][data-rendered=true]');
    await shot(monitor, '03-projects');
    await visit(monitor, '#/projects/school-rafah-07', 'projects');
    assert((await rows(monitor, 'boq-table')) === 2, 'bill of quantities has 2 lines');
    assert((await rows(monitor, 'timeline')) >= 5, 'timeline has events');
    await shot(monitor, '04-project-detail');
    await visit(monitor, '#/projects/clinic-north-04', 'projects');
    const round = await monitor.textContent('[data-testid=approval-round]');
    assert(/Awaited: cogat, pa-mopwh/.test(round), `approval round shows who is awaited: ${round}`);
    await visit(monitor, '#/vendors', 'vendors');
    assert((await rows(monitor, 'stock-table')) >= 6, 'stock table');
    assert((await rows(monitor, 'releases-table')) === 6, 'releases table has 6 releases');
    await shot(monitor, '05-vendors');
    await visit(monitor, '#/households', 'households');
    assert((await rows(monitor, 'households-table')) === 4, 'households');
    await shot(monitor, '06-households');
    await visit(monitor, '#/alerts', 'alerts');
    assert((await rows(monitor, 'alerts-table')) === 4, 'alerts');
    assert((await rows(monitor, 'cases-table')) === 1, 'cases');
    await shot(monitor, '07-alerts');
    await visit(monitor, '#/screening', 'screening');
    assert((await rows(monitor, 'hits-table')) === 3, 'hits');
    const hitsText = await monitor.textContent('[data-testid=hits-table]');
    assert(hitsText.includes('Company name and address match'), 'hits show their explanations');
    await shot(monitor, '08-screening');
    await visit(monitor, '#/ledger', 'ledger');
    assert((await rows(monitor, 'events-table')) === 50, 'a page of 50 events');
    assert((await monitor.textContent('[data-testid=checkpoint]')).includes('signed by e2e.aidtrace.example/log+'), 'checkpoint signature verified');
    await shot(monitor, '09-ledger');
    assert(monitor.consoleErrors.length === 0, `console errors: ${monitor.consoleErrors.join(' | ')}`);
  });

  await check('filters work (projects by area and status; alerts by kind; stock by vendor)', async () => {
    await visit(monitor, '#/projects', 'projects');
    await monitor.selectOption('[data-testid=project-filters] select[name=area]', 'ps0265');
    await monitor.waitForFunction(() => document.querySelector('[data-testid=project-count]')?.textContent?.startsWith('2 of 7'));
    const text = await monitor.textContent('[data-testid=projects-table]');
    assert(text.includes('housing-dab-05') && text.includes('road-3') && !text.includes('school-rafah-07'), 'area filter');
    await monitor.selectOption('[data-testid=project-filters] select[name=status]', 'rejected');
    await monitor.waitForFunction(() => document.querySelector('[data-testid=project-count]')?.textContent?.startsWith('1 of 7'));
    assert(monitor.url().includes('area=ps0265') && monitor.url().includes('status=rejected'), 'filters are kept in the URL');
    await visit(monitor, '#/alerts', 'alerts');
    await monitor.selectOption('[data-testid=alert-filters] select[name=kind]', 'stock_mismatch');
    assert((await rows(monitor, 'alerts-table')) === 1, 'alert kind filter');
    await visit(monitor, '#/vendors', 'vendors');
    await monitor.selectOption('[data-testid=vendor-filters] select[name=vendor]', 'vendor-c');
    assert((await rows(monitor, 'releases-table')) === 1, 'vendor filter on releases');
    assert(monitor.consoleErrors.length === 0, `console errors: ${monitor.consoleErrors.join(' | ')}`);
  });

  await check('a case is opened, noted and closed from the UI (signed in the browser)', async () => {
    await loadKey(monitor, 'un-mmu');
    await visit(monitor, '#/alerts', 'alerts');
    await monitor.check('[data-alert=al-0001]');
    await monitor.check('[data-alert=al-0002]');
    await monitor.fill('[data-testid=case-id]', 'case-e2e-1');
    await monitor.click('[data-testid=open-case]');
    await receipt(monitor);
    await monitor.waitForSelector('[data-testid=cases-table] >> text=case-e2e-1');
    let c = (await api(log.tokens['un-mmu/monitor'], '/v1/cases')).body.items.find((x) => x.case === 'case-e2e-1');
    assert(c && c.status === 'open' && c.alerts.join() === 'al-0001,al-0002', `case opened: ${JSON.stringify(c)}`);
    await monitor.fill('[data-testid=note-case-e2e-1]', 'Count repeated with the vendor present');
    await monitor.click('[data-testid=add-note-case-e2e-1]');
    await monitor.waitForSelector('[data-testid=cases-table] >> text=Count repeated with the vendor present');
    await monitor.selectOption('[data-testid=finding-case-e2e-1]', 'substantiated');
    await monitor.click('[data-testid=close-case-e2e-1]');
    await receipt(monitor);
    await monitor.waitForFunction(() => !document.querySelector('[data-testid="close-case-e2e-1"]'));
    c = (await api(log.tokens['un-mmu/monitor'], '/v1/cases')).body.items.find((x) => x.case === 'case-e2e-1');
    assert(c.status === 'closed' && c.finding === 'substantiated' && c.notes.length === 1, `case closed: ${JSON.stringify(c)}`);
    const alerts = (await api(log.tokens['un-mmu/monitor'], '/v1/alerts?case=case-e2e-1')).body.items;
    assert(alerts.length === 2 && alerts.every((a) => a.status === 'closed'), 'its alerts are closed');
    await shot(monitor, '10-case-closed');
    assert(monitor.consoleErrors.length === 0, `console errors: ${monitor.consoleErrors.join(' | ')}`);
  });

  await check('a strong screening hit needs two monitors to clear', async () => {
    await visit(monitor, '#/screening', 'screening');
    await monitor.fill('[data-testid=reason-h-2]', 'Different company: registration numbers differ');
    await monitor.click('[data-testid=clear-h-2]');
    await monitor.waitForSelector('[data-testid=handover]');
    const envelope = await monitor.inputValue('[data-testid=handover-text]');
    // Alone, the server refuses it.
    await monitor.click('[data-testid=submit-alone]');
    await monitor.waitForSelector('[data-testid=handover] [data-error-code=quorum_not_met]');
    // The refusal is an HTTP 403 the browser logs as a console error: expected, and the only one.
    const unexpected = monitor.consoleErrors.filter((e) => !/status of 403/.test(e));
    assert(unexpected.length === 0, `console errors: ${unexpected.join(' | ')}`);
    monitor.consoleErrors.length = 0;
    await shot(monitor, '11-four-eyes-refused');
    let hit = (await api(log.tokens['un-mmu/monitor'], '/v1/screening/hits')).body.items.find((x) => x.hit === 'h-2');
    assert(hit.status === 'open', 'one monitor cannot clear a strong hit');
    // The same monitor cannot be the second pair of eyes.
    await monitor.fill('[data-testid=cosign-text]', envelope);
    await monitor.click('[data-testid=cosign-submit]');
    await monitor.waitForSelector('text=already signed this envelope');
    // A second monitor co-signs in their own browser tab with their own key.
    const qa = await tab('un-mmu-qa/monitor');
    await loadKey(qa, 'un-mmu-qa');
    await visit(qa, '#/screening', 'screening');
    await qa.fill('[data-testid=cosign-text]', envelope);
    await qa.click('[data-testid=cosign-submit]');
    await receipt(qa);
    hit = (await api(log.tokens['un-mmu/monitor'], '/v1/screening/hits')).body.items.find((x) => x.hit === 'h-2');
    assert(hit.status === 'cleared', `cleared with four eyes: ${JSON.stringify(hit)}`);
    await qa.waitForSelector('[data-testid=decided-h-2]');
    const shown = await qa.textContent('[data-testid=decided-h-2]');
    assert(/cleared by un-mmu \+ un-mmu-qa/.test(shown) && shown.includes('four eyes'), `the two monitors are shown: ${shown}`);
    await shot(qa, '12-four-eyes-cleared');
    // The weak hit (below four_eyes_at) needs one monitor only.
    await qa.fill('[data-testid=reason-h-1]', 'Alias shared by many traders; registration checked');
    await qa.click('[data-testid=confirm-h-1]');
    await receipt(qa);
    hit = (await api(log.tokens['un-mmu/monitor'], '/v1/screening/hits')).body.items.find((x) => x.hit === 'h-1');
    assert(hit.status === 'confirmed', 'a weak hit is decided by one monitor');
    await qa.waitForSelector('[data-testid=decided-h-1]');
    const one = await qa.textContent('[data-testid=decided-h-1]');
    assert(/confirmed by un-mmu-qa\s/.test(one) && !one.includes('four eyes'), `one monitor shown: ${one}`);
    assert(qa.consoleErrors.length === 0, `console errors (second monitor): ${qa.consoleErrors.join(' | ')}`);
    assert(monitor.consoleErrors.length === 0, `console errors: ${monitor.consoleErrors.join(' | ')}`);
    await qa.close();
  });

  await check('the in-browser verifier passes a real proof and fails a tampered one', async () => {
    await visit(monitor, '#/ledger?seq=5', 'ledger');
    await monitor.waitForSelector('[data-testid=verify-result][data-result=pass]');
    const pass = await monitor.textContent('[data-testid=verify-result]');
    assert(/checkpoint signature: Ed25519 signature by e2e\.aidtrace\.example\/log\+/.test(pass), `pass says why: ${pass}`);
    await shot(monitor, '13-verify-pass');
    // Tamper with one hash of the audit path.
    const proof = await monitor.inputValue('[data-testid=proof-text]');
    const lines = proof.split('\n');
    const c = lines[2][0] === 'A' ? 'B' : 'A';
    lines[2] = c + lines[2].slice(1);
    await monitor.fill('[data-testid=proof-text]', lines.join('\n'));
    await monitor.click('[data-testid=reverify]');
    await monitor.waitForSelector('[data-testid=verify-result][data-result=fail]');
    const fail = await monitor.textContent('[data-testid=verify-result]');
    assert(/inclusion: inclusion proof leads to a different root/.test(fail), `fail says why: ${fail}`);
    await shot(monitor, '14-verify-tampered');
    // A server that serves a tampered proof is caught as well.
    await monitor.route('**/v1/proof/inclusion*', async (route) => {
      const res = await route.fetch();
      const text = await res.text();
      await route.fulfill({ response: res, body: text.replace(/^(index \d+\n)(.)/m, (_m, a, b) => a + (b === 'A' ? 'B' : 'A')) });
    });
    await monitor.click('[data-testid=verify-7]');
    await monitor.waitForSelector('[data-testid=verify-result][data-result=fail]');
    await monitor.unroute('**/v1/proof/inclusion*');
    // Evidence links resolve event ids to their events.
    const evidence = (await api(log.tokens['un-mmu/monitor'], '/v1/alerts')).body.items.find((a) => a.alert === 'al-0004').evidence[0];
    await visit(monitor, `#/ledger?id=${encodeURIComponent(evidence)}`, 'ledger');
    await monitor.waitForSelector('[data-testid=verify-result][data-result=pass]');
    assert((await monitor.textContent('[data-testid=verify-result]')).includes(evidence), 'evidence resolved to its event');
    assert(monitor.consoleErrors.length === 0, `console errors: ${monitor.consoleErrors.join(' | ')}`);
  });

  await check('a donor token sees no personal data', async () => {
    const donor = await tab('donor-group/donor');
    const navText = await donor.textContent('nav');
    assert(!/Households|Alerts|Screening/.test(navText), `donor nav: ${navText}`);
    const seen = [];
    for (const [hash, name] of [['#/overview', 'overview'], ['#/flows', 'flows'], ['#/projects', 'projects'], ['#/projects/school-rafah-07', 'projects'], ['#/ledger', 'ledger']]) {
      await visit(donor, hash, name);
      seen.push(await donor.content());
    }
    await donor.goto(`${base}/#/households`);
    await donor.waitForSelector('.page[data-page=overview]');
    seen.push(await donor.content());
    for (const html of seen) for (const n of PLANTED) assert(!html.includes(n), `donor page shows ${n}`);
    const r = await donor.evaluate(async () => (await fetch('/v1/beneficiaries', { headers: { Authorization: `Bearer ${sessionStorage.getItem('aidtrace.token')}` } })).status);
    assert(r === 403, `donor /v1/beneficiaries is ${r}`);
    await visit(donor, '#/flows', 'flows');
    await shot(donor, '15-donor-flows');
    // Positive control: a monitor does see the planted names.
    await visit(monitor, '#/households', 'households');
    assert((await monitor.content()).includes('Zubaida'), 'the monitor sees personal data');
    const errs = donor.consoleErrors.filter((e) => !/status of 403/.test(e));
    assert(errs.length === 0, `console errors: ${errs.join(' | ')}`);
  });

  await check('role views: inspector and vendor see only what they may', async () => {
    const vendor = await tab('vendor-al-amal/vendor');
    const navText = await vendor.textContent('nav');
    assert(/Vendors/.test(navText) && !/Households|Alerts|Screening/.test(navText), `vendor nav: ${navText}`);
    await visit(vendor, '#/vendors', 'vendors');
    const stock = await vendor.textContent('[data-testid=stock-table]');
    assert(stock.includes('wh-gaza-01') && !stock.includes('wh-khy-01'), 'a vendor sees its own warehouses only');
    await visit(vendor, '#/overview', 'overview');
    assert(vendor.consoleErrors.length === 0, `console errors: ${vendor.consoleErrors.join(' | ')}`);
    await vendor.close();
  });

  // A larger programme from the scenario generator, with the detectors' alerts, when the
  // binary has `scenario`: every page must render it without errors.
  if (/\bscenario\b/.test(help) && /\bdetect\b/.test(help)) {
    await check('a generated programme (aidtrace scenario + detect run --raise) renders on every page', async () => {
      const dir = join(work, 'scenario');
      const run = (args) => execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      run(['scenario', '--households', '120', '--projects', '12', '--vendors', '5', '--days', '42', '--seed', '3', '--out', dir]);
      const sdb = join(dir, 'log.db');
      const slog = run(['init', '--db', sdb, '--origin', 'scenario.aidtrace.example/log', '--log-key', join(dir, 'keys', 'log.key')]);
      const svkey = slog.match(/log verifier key: (\S+)/)[1];
      const out = execFileSync(bin, ['append', '--db', sdb, join(dir, 'events.jsonl')], { encoding: 'utf8' });
      assert(!out.includes('"error"'), 'every scenario event is accepted');
      run(['detect', 'run', '--db', sdb, '--raise', '--detector-key', join(dir, 'keys', 'detector.key')]);
      const token = run(['token', 'create', '--db', sdb, '--party', 'un-mmu', '--role', 'monitor']).trim().split(/\s+/).pop();
      const sport = await freePort();
      const sbase = `http://127.0.0.1:${sport}`;
      const s2 = spawn(bin, ['serve', '--db', sdb, '--listen', `127.0.0.1:${sport}`, '--web', webDist], { stdio: 'ignore' });
      try {
        for (let i = 0; ; i++) {
          try {
            if ((await fetch(`${sbase}/healthz`)).ok) break;
          } catch {
            /* not up yet */
          }
          assert(i < 100 && s2.exitCode === null, 'the scenario server starts');
          await new Promise((r) => setTimeout(r, 100));
        }
        const p = await context.newPage();
        const errs = [];
        p.on('console', (m) => m.type() === 'error' && errs.push(m.text()));
        p.on('pageerror', (e) => errs.push(`pageerror: ${e.message}`));
        await p.goto(`${sbase}/#/signin`);
        await p.fill('[data-testid=token]', token);
        await p.fill('[data-testid=log-key]', svkey);
        await p.click('[data-testid=signin]');
        await p.waitForSelector('[data-testid=whoami]');
        const pages = [['overview', 'overview'], ['flows', 'flows'], ['projects', 'projects'], ['vendors', 'vendors'], ['households', 'households'], ['alerts', 'alerts'], ['screening', 'screening'], ['ledger', 'ledger']];
        for (const [hash, name] of pages) {
          await visit(p, `#/${hash}`, name, sbase);
          await shot(p, `scenario-${hash}`);
        }
        await visit(p, '#/alerts', 'alerts', sbase);
        assert((await rows(p, 'alerts-table')) > 0, 'the detectors raised alerts');
        await visit(p, '#/projects', 'projects', sbase);
        assert((await rows(p, 'projects-table')) === 12, 'twelve projects');
        const first = await p.locator('[data-testid=projects-table] tbody tr a').first().getAttribute('href');
        await visit(p, first, 'projects', sbase);
        assert((await rows(p, 'boq-table')) > 0, 'a bill of quantities');
        await shot(p, 'scenario-project-detail');
        await visit(p, '#/ledger?seq=100', 'ledger', sbase);
        await p.waitForSelector('[data-testid=verify-result][data-result=pass]');
        assert(errs.length === 0, `console errors: ${errs.join(' | ')}`);
        await p.close();
      } finally {
        s2.kill('SIGTERM');
        await new Promise((r) => (s2.exitCode !== null ? r() : s2.once('exit', r)));
      }
    });
  } else {
    console.log(`e2e: ${bin} has no scenario/detect command: the generated-programme check did not run`);
  }

  if (process.env.AIDTRACE_E2E_UPDATE_SCREENSHOTS === '1') {
    const dest = join(REPO, 'docs', 'screenshots');
    mkdirSync(dest, { recursive: true });
    for (const f of readdirSync(artifacts)) if (f.endsWith('.png')) copyFileSync(join(artifacts, f), join(dest, f));
    console.log(`e2e: screenshots copied to ${dest}`);
  }
  console.log(`e2e: screenshots in ${artifacts}`);
} catch (e) {
  results.push(['set-up', false]);
  console.log(`FAIL set-up: ${e && e.stack ? e.stack : e}`);
} finally {
  if (context) await context.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        server.kill('SIGKILL');
        r();
      }, 10000);
      server.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
  }
  rmSync(work, { recursive: true, force: true });
  const passed = results.filter(([, ok]) => ok).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  exitCode = failed === 0 && passed > 0 ? 0 : 1;
}
process.exit(exitCode);
