// The web UI end to end, in headless chromium (run by run.sh, which sets
// up the workspace, the users and the server and passes them in the
// environment).  Each step waits on a selector, never on a clock.  Any
// console error, page error or CSP violation fails the test, except the
// 401s a log-in page expects (GET /api/v1/me before logging in, a wrong
// password).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`ui.test.mjs: ${k} is not set (run tests/browser/run.sh)`);
  return v;
};
const URL_ = env('AIGOV_URL');
const ART = env('AIGOV_ARTEFACTS');
const OWNER = env('OWNER'), OWNER_PW = env('OWNER_PW');
const RISK = env('RISK'), RISK_PW = env('RISK_PW');
const AUDITOR = env('AUDITOR'), AUDITOR_PW = env('AUDITOR_PW');
const BOARD = env('BOARD'), BOARD_PW = env('BOARD_PW');
const SYSTEM = 'branch-queue-forecast-ui';
const EVIDENCE_URL = 'https://wiki.example/aigov/branch-queue-inventory';
const NEW_PURPOSE = 'Forecasts branch queues an hour ahead to plan counter staffing; no customer decisions (edited).';
const DECISION = 'QUEUE-2026-0042';

const started = Date.now();
let passed = 0;
const problems = [];
function ok(what) { passed += 1; console.log(`ok ${passed} - ${what}`); }
function check(cond, what) {
  if (!cond) throw new Error(`not ok: ${what}`);
  ok(what);
}

const browser = await chromium.launch({
  executablePath: process.env.AIGOV_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
  headless: true
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  // What the steps below provoke on purpose: 401 before logging in and for
  // wrong passwords, 429 when throttled, 403 for another unit's system.
  const expected = [[401, `${URL_}/api/v1/me`], [401, `${URL_}/api/v1/session`],
    [429, `${URL_}/api/v1/session`], [403, `${URL_}/api/v1/systems`],
    [403, `${URL_}/api/v1/systems/${SYSTEM}/stage`]];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const loc = m.location().url || '';
    if (expected.some(([code, url]) => m.text().includes(`status of ${code}`) && loc === url)) return;
    problems.push(`console error: ${m.text()} (${loc})`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
  let shot = 0;
  const screenshot = async (name) => {
    shot += 1;
    await page.screenshot({ path: join(ART, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
  const message = async (kind, text) => {
    const loc = page.locator(`#messages .msg.${kind} > span`, { hasText: text });
    await loc.waitFor();
    return loc.textContent();
  };
  const login = async (name, password, wait = true) => {
    await page.waitForSelector('#login-name');
    await page.fill('#login-name', name);
    await page.fill('#login-password', password);
    await page.click('#login-submit');
    if (wait) await page.locator('#who', { hasText: name }).waitFor();
  };
  const logout = async () => {
    await page.click('#logout');
    await page.waitForSelector('#login-name');
    await message('ok', 'Logged out');
  };

  // ---- the log-in page; a wrong password ----
  await page.goto(`${URL_}/`);
  await page.waitForSelector('#login-name');
  check(await page.getAttribute('html', 'lang') === 'en', 'the page is in English for an en-US browser');
  const missing = await page.evaluate(`(() => {
    const en = Object.keys(AIGOV_STRINGS.en), zh = Object.keys(AIGOV_STRINGS['zh-TW']);
    return en.filter((k) => !zh.includes(k)).concat(zh.filter((k) => !en.includes(k)));
  })()`);
  check(missing.length === 0, 'both dictionaries have the same keys' + (missing.length ? ': ' + missing.join(', ') : ''));
  const csp = (await page.request.get(`${URL_}/`)).headers()['content-security-policy'] || '';
  check(csp.includes("default-src 'self'"), 'the page is served with its CSP');
  await screenshot('login');
  // The watch works: an inline script is refused and reported.
  const refused = page.waitForEvent('console', (m) => m.type() === 'error' && /CSP violation|Refused/.test(m.text()));
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.inlineRan = true;';
    document.head.appendChild(s);
  });
  await refused;
  check(!(await page.evaluate(() => window.inlineRan)) && problems.some((p) => /CSP violation|Refused/.test(p)),
    'an inline script is refused by the CSP and the refusal is caught');
  problems.length = 0;
  await login(OWNER, 'not-the-password', false);
  const wrong = await message('error', 'Log-in failed');
  check(/password|name/i.test(wrong), `a wrong password shows the server's reason: ${wrong.trim()}`);
  check(await page.isVisible('#login-name'), 'still on the log-in form');
  // Throttled: after 5 failures for one name the server says how long to wait.
  for (let i = 0; i < 6; i++) {
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/session'));
    await login('nobody-here', `wrong-password-${i}`, false);
    await answer;
  }
  const throttled = await message('error', 'Too many failed log-ins');
  check(/Wait \d+ seconds/.test(throttled), `a throttled log-in says how long to wait: ${throttled.trim()}`);

  // ---- the owner registers a system of their unit and attaches evidence ----
  await login(OWNER, OWNER_PW);
  await page.waitForSelector('ul.stats');
  await page.waitForSelector('#verify-summary.ok');
  check((await page.textContent('#who')).includes(OWNER), 'logged in as the owner');
  check(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'page-title',
    'focus is on the main heading');
  await screenshot('dashboard-owner');

  await page.click('nav a[href="#/systems"]');
  await page.waitForSelector('table.inventory tbody tr');
  const allRows = await page.locator('table.inventory tbody tr').count();
  await page.selectOption('#filter-tier', 'high');
  await page.waitForFunction((n) => document.querySelectorAll('table.inventory tbody tr').length < n, allRows);
  ok('the tier filter narrows the inventory');
  await page.selectOption('#filter-tier', '');
  await page.fill('#filter-q', 'credit');
  await page.waitForSelector('table.inventory tbody tr a[href="#/systems/retail-credit-scoring"]');
  await page.fill('#filter-q', '');
  await screenshot('systems');

  await page.click('nav a[href="#/register"]');
  await page.waitForSelector('#register-form');
  check(await page.inputValue('#reg-owner-unit') === env('OWNER_UNIT'), "the owner unit is the owner's own");
  await page.fill('#reg-id', SYSTEM);
  await page.fill('#reg-name-en', 'Branch queue forecast (UI test)');
  await page.fill('#reg-name-zh', '分行等候人數預測（介面測試）');
  await page.fill('#reg-purpose', 'Forecasts branch queues to plan counter staffing; no customer decisions.');
  await page.selectOption('#reg-use-case', 'internal_admin');
  await page.selectOption('#reg-f-stakeholder_impact', 'low');
  await screenshot('register');
  // The server is the authority: another unit, forced past the fixed field, is refused.
  await page.evaluate(() => { const u = document.getElementById('reg-owner-unit'); u.readOnly = false; });
  await page.fill('#reg-owner-unit', 'Wealth Management Dept.');
  await page.click('#register-submit');
  const refused403 = await message('error', 'Not allowed');
  check(/owns systems of unit/.test(refused403), `the server's 403 is shown: ${refused403.trim().slice(0, 90)}`);
  await page.fill('#reg-owner-unit', env('OWNER_UNIT'));
  await page.click('#register-submit');
  await page.waitForURL(`**/#/systems/${SYSTEM}`);
  await message('ok', `Registered ${SYSTEM}`);
  await page.waitForSelector('#evidence-form');
  check((await page.textContent('#page-title')).includes('Branch queue forecast'), 'the fact sheet of the new system');

  const control = await page.inputValue('#ev-control');
  await page.fill('#ev-url', EVIDENCE_URL);
  await page.fill('#ev-note', 'inventory entry');
  await page.click('#evidence-form button[type="submit"]');
  await message('ok', `Evidence added to ${control}`);
  await page.waitForSelector(`table.controls a[href="${EVIDENCE_URL}"]`);
  ok(`the link is listed as evidence of ${control}`);

  const fileControl = await page.locator('#evf-control option').nth(1).getAttribute('value');
  await page.selectOption('#evf-control', fileControl);
  await page.setInputFiles('#evf-file', { name: 'queue-model-review.txt', mimeType: 'text/plain',
    buffer: Buffer.from('Review of the branch queue forecast: approved for planning.\n') });
  await page.click('#evidence-file-form button[type="submit"]');
  const up = await message('ok', 'File queue-model-review.txt');
  check(/SHA-256/.test(up), `the file upload answers with its hash: ${up.trim()}`);
  await page.locator('table.controls li', { hasText: 'queue-model-review.txt' }).first().waitFor();
  check(!(await page.isVisible('#approve-form')) && !(await page.isVisible('#assess-form')),
    'the owner is offered no assessment or approval');
  await screenshot('system-owner');

  // The checklist names the controls by their catalog titles.
  const catalog = await (await page.request.get(`${URL_}/api/v1/catalog`)).json();
  const title = catalog.controls.find((c) => c.id === control).title.en;
  await page.locator('table.controls th', { hasText: title }).first().waitFor();
  ok(`the checklist shows the catalog title of ${control}: ${title}`);
  // The uploaded file is a download link that gives its bytes back.
  const link = page.locator('table.controls a.evidence-file', { hasText: 'queue-model-review.txt' }).first();
  const download = await page.request.get(new URL(await link.getAttribute('href'), URL_).href);
  check(download.status() === 200 && /attachment/.test(download.headers()['content-disposition'] || '') &&
    (await download.text()).startsWith('Review of the branch queue forecast'),
  'the uploaded file downloads from its link, as an attachment');

  // The stage gate refuses while controls are missing; its reason is shown.
  await page.click('#stage-next');
  const gate = await page.locator('#stage-refused .msg.error').textContent();
  check(/gate refused/i.test(gate) && gate.length > 30, `the gate's refusal is shown: ${gate.trim().slice(0, 100)}`);
  await message('error', 'Not allowed');
  await screenshot('system-stage-refused');

  // The owner edits the purpose: the form is prefilled from the descriptor.
  await page.click('#edit-link');
  await page.waitForSelector('#edit-form');
  check((await page.inputValue('#reg-purpose')).startsWith('Forecasts branch queues to plan'),
    'the edit form is prefilled from the descriptor');
  check(await page.getAttribute('#reg-id', 'readonly') !== null, 'the id cannot be edited');
  await page.fill('#reg-purpose', NEW_PURPOSE);
  await screenshot('system-edit');
  await page.click('#edit-submit');
  await page.waitForURL(`**/#/systems/${SYSTEM}`);
  await message('ok', `Saved a new revision of ${SYSTEM}`);
  await page.locator('dl.facts dd', { hasText: NEW_PURPOSE }).first().waitFor();
  ok('the new purpose is on the fact sheet');

  // The owner records a shutdown drill (human oversight).
  await page.selectOption('#ov-kind', 'drill');
  await page.fill('#ov-reason', 'quarterly shutdown drill (UI test)');
  await page.click('#ov-submit');
  await message('ok', 'Recorded: drill');
  await page.locator('table.history td', { hasText: 'oversight.drill' }).first().waitFor();
  ok('the drill is in the history');
  // An emergency shutdown: the form then offers only the resumption.
  check((await page.textContent('#ov-state')).includes('running'), 'the system is shown running');
  await page.selectOption('#ov-kind', 'shutdown');
  await page.fill('#ov-reason', 'forecasts off by half (UI test)');
  await page.click('#ov-submit');
  await message('ok', 'Recorded: emergency shutdown');
  await page.locator('#ov-state', { hasText: 'shut down' }).waitFor();
  check(JSON.stringify(await page.$$eval('#ov-kind option', (o) => o.map((x) => x.value))) === '["resume"]',
    'shut down: only the resumption is offered');
  await page.fill('#ov-reason', 'retrained and checked (UI test)');
  await page.click('#ov-submit');
  await message('ok', 'Recorded: resumption');
  await page.locator('#ov-state', { hasText: 'running' }).waitFor();
  ok('resumed: running again');

  // The owner records a customer's appeal of their unit's system.
  await page.click('nav a[href="#/cases"]');
  await page.waitForSelector('#appeal-form');
  check(!(await page.isVisible('#incident-form')) && !(await page.isVisible('#appeal-resolve-form')),
    'the owner is offered no incident form and no resolution');
  await page.selectOption('#app-system', SYSTEM);
  await page.fill('#app-decision', DECISION);
  await page.fill('#app-reason', 'The customer says the branch staffing plan delayed her loan signing.');
  await page.click('#app-submit');
  const appealMsg = await message('ok', 'Appeal #');
  const appealId = /#(\d+)/.exec(appealMsg)[1];
  await page.locator('table.appeals td', { hasText: DECISION }).first().waitFor();
  ok(`appeal #${appealId} recorded and listed`);
  await screenshot('cases-owner');
  await logout();

  // ---- risk assesses and approves ----
  await login(RISK, RISK_PW);
  await page.goto(`${URL_}/#/systems/${SYSTEM}`);
  await page.waitForSelector('#assess-form');
  await page.click('#assess-submit');
  const assessed = await message('ok', 'Assessed');
  ok(`assessed: ${assessed.trim()}`);
  // The page renders again after the assessment; the approve form of the
  // earlier render is already there, so wait for the new page (its history
  // shows the assessment) before filling the form, or the fill is lost.
  await page.locator('table.history td', { hasText: 'assess.record' }).first().waitFor();
  await page.waitForSelector('#approve-form');
  await page.selectOption('#ap-control', control);
  await page.fill('#ap-note', 'checked by the 2nd line');
  await page.click('#approve-submit');
  await message('ok', `Approved ${control}`);
  await page.locator('table.history td', { hasText: 'approval.grant' }).first().waitFor();
  ok('the approval is in the history');
  await screenshot('system-risk');

  // Risk opens an incident, updates it and closes it.
  await page.click('nav a[href="#/cases"]');
  await page.waitForSelector('#incident-form');
  await page.selectOption('#inc-system', SYSTEM);
  await page.fill('#inc-title', 'Forecast feed stale for a morning (UI test)');
  await page.selectOption('#inc-severity', 'high');
  await page.click('#inc-submit');
  const incMsg = await message('ok', 'Incident #');
  const incId = /#(\d+)/.exec(incMsg)[1];
  ok(`incident #${incId} opened`);
  await page.waitForSelector('#incident-update-form');
  await page.selectOption('#incu-id', incId);
  await page.fill('#incu-root-cause', 'The upstream batch job ran late.');
  await page.click('#incu-submit');
  await message('ok', `Incident #${incId} updated`);
  await page.locator('table.incidents td', { hasText: 'The upstream batch job ran late.' }).first().waitFor();
  ok('the root cause is listed');
  await page.selectOption('#incc-id', incId);
  await page.fill('#incc-resolution', 'The batch job now runs an hour earlier.');
  await page.click('#incc-submit');
  await message('ok', `Incident #${incId} closed`);
  const incRow = page.locator('table.incidents tbody tr', { has: page.locator('th', { hasText: new RegExp(`^${incId}$`) }) });
  await incRow.filter({ hasText: 'Closed:' }).waitFor();
  ok(`incident #${incId} is listed as closed, with when`);

  // Risk resolves the owner's appeal.
  await page.selectOption('#appr-id', appealId);
  await page.selectOption('#appr-outcome', 'amended');
  await page.fill('#appr-note', 'signing rebooked; plan redone by hand');
  await page.click('#appr-submit');
  await message('ok', `Appeal #${appealId} resolved`);
  const appRow = page.locator('table.appeals tbody tr', { has: page.locator('th', { hasText: new RegExp(`^${appealId}$`) }) });
  await appRow.filter({ hasText: 'amended' }).waitFor();
  ok(`appeal #${appealId} is listed as amended`);
  await screenshot('cases-risk');

  // Risk records a vendor review.
  await page.click('nav a[href="#/vendors"]');
  await page.waitForSelector('#review-form');
  await page.selectOption('#rev-vendor', 'acme-analytics');
  await page.selectOption('#rev-result', 'conditional');
  await page.fill('#rev-note', 'exit plan pending (UI test)');
  await page.click('#rev-submit');
  await message('ok', 'Review of');
  await page.locator('table.vendors td', { hasText: 'exit plan pending (UI test)' }).first().waitFor();
  ok('the review is listed with the vendor');
  // Risk registers a new vendor with the form.
  await page.fill('#ven-id', 'queue-sensors-ui');
  await page.fill('#ven-name-en', 'Queue Sensors Ltd. (UI test)');
  await page.fill('#ven-name-zh', '排隊感測公司');
  await page.fill('#ven-services', 'Branch footfall sensors');
  await page.fill('#ven-competence', 'Two banks as references; ISO/IEC 27001 certified');
  await page.fill('#ven-dd-date', '2026-11-30');
  await page.check('#ven-clause-liability');
  await page.check('#ven-clause-exit_plan');
  await page.click('#ven-submit');
  await message('ok', 'registered');
  await page.locator('table.vendors tr', { hasText: 'Queue Sensors Ltd. (UI test)' }).first().waitFor();
  ok('the new vendor is listed');
  await screenshot('vendors-risk');
  await logout();

  // ---- the auditor verifies the ledger; no forms for them ----
  await login(AUDITOR, AUDITOR_PW);
  await page.goto(`${URL_}/#/systems/${SYSTEM}`);
  await page.waitForSelector('table.controls');
  check(await page.locator('main form').count() === 0, 'the auditor is offered no form on a system');
  await page.click('nav a[href="#/ledger"]');
  await page.waitForSelector('#verify-button');
  await page.click('#verify-button');
  const verified = await page.locator('#verify-result .verify.ok').textContent();
  check(/Intact/.test(verified), `the ledger verifies: ${verified.trim().slice(0, 80)}`);
  await page.waitForSelector('table.ledger tbody tr');
  ok('the auditor reads the ledger entries');
  await screenshot('ledger-auditor');
  // The auditor proves an entry (the form offers the last signed one).
  await page.fill('#proof-seq', '3');
  await page.press('#proof-seq', 'Enter');   // the keyboard submits it
  const proof = await page.locator('#proof-summary.ok').textContent();
  check(/Entry 3 is proved/.test(proof) && /hashes/.test(proof), `entry 3 is proved: ${proof.trim().slice(0, 90)}`);
  await page.click('#consistency-form-submit');
  await page.locator('#consistency-summary.ok').waitFor();
  ok('the later checkpoint extends the earlier one');
  await screenshot('ledger-proof');

  // ---- zh-TW, remembered across a reload; the session resumes ----
  await page.selectOption('#lang', 'zh-TW');
  await page.waitForSelector('html[lang="zh-TW"]');
  await page.locator('#page-title', { hasText: '帳本' }).first().waitFor();
  check((await page.textContent('nav')).includes('總覽'), 'the navigation is in Traditional Chinese');
  await page.click('#verify-button');
  await page.locator('#verify-result .verify.ok', { hasText: '完整無誤' }).first().waitFor();
  ok('the verification reads in Traditional Chinese');
  await screenshot('ledger-zh');
  await page.click('#proof-form-submit');
  await page.locator('#proof-summary.ok', { hasText: '已證明' }).first().waitFor();
  ok('the proof reads in Traditional Chinese');
  await page.reload();
  await page.locator('#page-title', { hasText: '帳本' }).first().waitFor();
  check(await page.getAttribute('html', 'lang') === 'zh-TW', 'the language is remembered');
  check((await page.textContent('#who')).includes(AUDITOR), 'the session resumes after a reload (GET /me)');
  await page.goto(`${URL_}/#/cases`);
  await page.locator('table.appeals td', { hasText: DECISION }).first().waitFor();
  await screenshot('cases-zh');
  check(await page.locator('main form').count() === 0, 'the auditor is offered no form on incidents and appeals');
  await page.click('nav a[href="#/vendors"]');
  await page.locator('table.vendors td', { hasText: 'exit plan pending (UI test)' }).first().waitFor();
  check(await page.locator('main form').count() === 0, 'the auditor reads the last vendor review and is offered no form');
  await page.click('nav a[href="#/dashboard"]');
  await page.waitForSelector('ul.stats');
  await screenshot('dashboard-zh');
  await page.emulateMedia({ media: 'print' });
  await page.goto(`${URL_}/#/systems/${SYSTEM}`);
  await page.waitForSelector('table.controls');
  check(!(await page.isVisible('nav#nav')), 'print hides the navigation');
  await screenshot('system-print');
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${URL_}/#/systems`);
  await page.waitForSelector('table.inventory');
  await screenshot('systems-zh-narrow');
  await page.click('#logout');
  await page.waitForSelector('#login-name');

  // ---- the board (+1), by the keyboard alone: the dashboard; no forms ----
  await page.setViewportSize({ width: 1280, height: 900 });
  const focused = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  for (let i = 0; i < 15 && await focused() !== 'login-name'; i++) await page.keyboard.press('Tab');
  check(await focused() === 'login-name', 'Tab reaches the log-in name');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(BOARD);
  await page.keyboard.press('Tab');
  check(await focused() === 'login-password', 'Tab moves on to the password');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(BOARD_PW);
  await page.keyboard.press('Enter');
  await page.locator('#who', { hasText: BOARD }).waitFor();
  ok('the board logs in by keyboard');
  await page.goto(`${URL_}/#/dashboard`);
  await page.waitForSelector('ul.stats');
  ok('the board sees the dashboard');
  await screenshot('dashboard-board');
  for (const [route, sel] of [[`#/systems/${SYSTEM}`, 'table.controls'], ['#/cases', 'table.appeals'],
    ['#/vendors', 'table.vendors'], ['#/ledger', '#verify-button']]) {
    await page.goto(`${URL_}/${route}`);
    await page.waitForSelector(sel);
    check(await page.locator('main form').count() === 0, `the board is offered no form on ${route}`);
  }
  check(await page.locator('table.ledger').count() === 0, 'the board is not shown the ledger entries');
  await page.click('#logout');
  await page.waitForSelector('#login-name');

  // ---- the ledger names the right people (over the API, as the auditor) ----
  const login_ = await fetch(`${URL_}/api/v1/session`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: AUDITOR, password: AUDITOR_PW }) });
  check(login_.status === 201, 'the auditor logs in over the API');
  const cookie = (login_.headers.get('set-cookie') || '').split(';')[0];
  const res = await fetch(`${URL_}/api/v1/ledger/log?limit=1000&subject=system:${SYSTEM}`, { headers: { Cookie: cookie } });
  const entries = await res.json();
  writeFileSync(join(ART, 'ledger-entries.json'), JSON.stringify(entries, null, 2));
  const by = (action) => entries.filter((e) => e.action === action).map((e) => e.actor);
  check(JSON.stringify(by('system.register')) === JSON.stringify([`user:${OWNER}`]), `registration by user:${OWNER}`);
  check(by('evidence.add').length === 2 && by('evidence.add').every((a) => a === `user:${OWNER}`),
    `both pieces of evidence by user:${OWNER}`);
  check(by('assess.record').length >= 1 && by('assess.record').every((a) => a === `user:${RISK}`),
    `assessment by user:${RISK}`);
  check(JSON.stringify(by('approval.grant')) === JSON.stringify([`user:${RISK}`]), `approval by user:${RISK}`);
  const approval = entries.find((e) => e.action === 'approval.grant');
  check(approval.payload.maker === `user:${OWNER}` && approval.payload.control === control,
    'the approval names the owner as maker (maker-checker)');
  check(JSON.stringify(by('system.update')) === JSON.stringify([`user:${OWNER}`]) &&
    entries.find((e) => e.action === 'system.update').payload.descriptor.purpose === NEW_PURPOSE,
  `the edit by user:${OWNER}, with the new purpose`);
  check(by('system.stage').length === 0, 'the refused stage move left no entry');
  check(JSON.stringify(by('oversight.drill')) === JSON.stringify([`user:${OWNER}`]), `the drill by user:${OWNER}`);
  check(JSON.stringify(by('appeal.add')) === JSON.stringify([`user:${OWNER}`]), `the appeal by user:${OWNER}`);
  check(JSON.stringify(by('appeal.resolve')) === JSON.stringify([`user:${RISK}`]), `its resolution by user:${RISK}`);
  for (const a of ['incident.open', 'incident.update', 'incident.close'])
    check(JSON.stringify(by(a)) === JSON.stringify([`user:${RISK}`]), `${a} by user:${RISK}`);
  const vres = await fetch(`${URL_}/api/v1/ledger/log?limit=1000&subject=vendor:acme-analytics`, { headers: { Cookie: cookie } });
  const reviews = (await vres.json()).filter((e) => e.action === 'vendor.review');
  check(reviews.length === 1 && reviews[0].actor === `user:${RISK}` && reviews[0].payload.result === 'conditional',
    `the vendor review by user:${RISK}`);
  const nres = await fetch(`${URL_}/api/v1/ledger/log?limit=1000&subject=vendor:queue-sensors-ui`, { headers: { Cookie: cookie } });
  const registered = (await nres.json()).filter((e) => e.action === 'vendor.register');
  check(registered.length === 1 && registered[0].actor === `user:${RISK}` &&
    JSON.stringify(registered[0].payload.contract_clauses) === '["liability","exit_plan"]',
  `the vendor's registration by user:${RISK}, with its clauses`);
  // The CLI agrees.
  const cli = execFileSync(env('AIGOV_BINARY'), ['-C', env('AIGOV_WS'), 'ledger', 'verify'], { encoding: 'utf8' });
  check(/intact/i.test(cli), 'aigov ledger verify: intact');

  check(problems.length === 0, 'no console error, page error or CSP violation' +
    (problems.length ? ':\n  ' + problems.join('\n  ') : ''));
} catch (e) {
  failed = true;
  console.error(e && e.stack ? e.stack : e);
  if (problems.length) console.error('also:\n  ' + problems.join('\n  '));
} finally {
  await browser.close();
}
console.log(`${failed ? 'FAILED' : 'passed'}: ${passed} checks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
