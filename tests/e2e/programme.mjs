// Builds a small but complete programme for the browser tests with the real command:
// `aidtrace keygen` for every party and the log, envelopes signed by `aidtrace sign`,
// `aidtrace init` + `aidtrace append`, then `aidtrace token create` for each role.
// Deterministic in shape (ids, quantities); keys and times are fresh each run.
//
// The programme: four founders, a second monitor, vendors, implementers, an inspector, an
// auditor, a second donor; items; warehouses in the five governorates; projects (approved,
// pending, rejected); consignments through two crossings; releases to projects and
// households; inspections; a stock count short of the book; funds from pledge to payment;
// households with private records (planted names); a watch list with a weak, a
// below-review and a strong (four eyes) hit; alerts with evidence; a case.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ORIGIN = 'e2e.aidtrace.example/log';

// Personal data planted in private records: must never reach a role without permission.
export const PLANTED = ['Zubaida', 'Qasrawi-Haddad', '901234567', 'Marwan', 'Abu-Sitta', '801122334'];

function run(bin, args, opts = {}) {
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

export function buildProgramme(bin, dir) {
  mkdirSync(join(dir, 'keys'), { recursive: true });
  const key = (name) => join(dir, 'keys', `${name.replace(/[^a-z0-9._-]/g, '_')}.key`);
  const vkey = {};
  const keygen = (name) => {
    vkey[name] = run(bin, ['keygen', '--name', name, '--out', key(name)]).trim();
  };
  keygen(ORIGIN);
  const parties = [
    'un-mmu', 'pa-mopwh', 'cogat', 'donor-group', 'un-mmu-qa', 'vendor-al-amal', 'vendor-b', 'vendor-c',
    'undp', 'unrwa', 'insp-01', 'auditor-1', 'donor-eu',
  ];
  for (const p of parties) keygen(p);

  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const loc = (lat, lon) => ({ lat_e6: Math.round(lat * 1e6), lon_e6: Math.round(lon * 1e6) });
  const planned = []; // {type, actor, nonce, body, cosigners, private}
  const ev = (type, actor, nonce, body, cosigners = [], priv = null) =>
    planned.push({ type, actor, nonce, body, cosigners, priv });

  const gov = ['un-mmu', 'pa-mopwh', 'cogat', 'donor-group'];
  const founders = [
    ['un-mmu', 'UN monitoring unit', ['governor', 'monitor']],
    ['pa-mopwh', 'PA Ministry of Public Works and Housing', ['authority', 'governor']],
    ['cogat', 'COGAT', ['authority', 'governor']],
    ['donor-group', 'Donor coordination group', ['donor', 'governor']],
  ];
  ev('mechanism.genesis', 'un-mmu', 'genesis', {
    mechanism: 'gaza-recon-e2e',
    name: 'Gaza reconstruction mechanism (browser tests)',
    parties: founders.map(([party, name, roles]) => ({ party, name, roles, keys: [vkey[party]] })),
    policy: {
      governance: { of: gov, k: 3 },
      project_approval: { default: { of: ['cogat', 'pa-mopwh'], k: 2 } },
      consignment_approval: { of: ['cogat'], k: 1 },
      screening: { review_at: 700, block_at: 850, four_eyes_at: 850 },
    },
  }, ['pa-mopwh', 'cogat', 'donor-group']);
  const quorum = ['pa-mopwh', 'cogat'];
  for (const [item, name, unit, hs] of [
    ['cement', 'Portland cement', 'kg', '252329'],
    ['rebar', 'Reinforcing steel bar', 'kg', '721420'],
    ['glass', 'Float glass', 'm2', '700529'],
  ]) {
    ev('item.define', 'un-mmu', `i-${item}`, { item, name, unit, hs, controlled: item !== 'glass' }, quorum);
  }
  const admit = (party, name, roles, co = []) =>
    ev('party.admit', 'un-mmu', `admit-${party}`, {
      party, name, roles, keys: [vkey[party]], country: 'ps', registration: `r-${party}`,
    }, co);
  admit('un-mmu-qa', 'UN monitoring unit, quality assurance', ['monitor'], quorum);
  admit('auditor-1', 'Independent auditor', ['auditor'], quorum);
  admit('donor-eu', 'EU reconstruction fund', ['donor'], quorum);
  admit('vendor-al-amal', 'Al-Amal Building Materials', ['vendor']);
  admit('vendor-b', 'Beit Hanoun Supplies', ['vendor']);
  admit('vendor-c', 'Coastal Trading', ['vendor']);
  admit('undp', 'UNDP', ['implementer']);
  admit('unrwa', 'UNRWA', ['implementer']);
  admit('insp-01', 'Field inspector 01', ['inspector']);

  const warehouses = [
    ['wh-gaza-01', 'vendor-al-amal', 'ps0260', loc(31.505, 34.455)],
    ['wh-dab-01', 'vendor-al-amal', 'ps0265', loc(31.418, 34.370)],
    ['wh-khy-01', 'vendor-b', 'ps0270', loc(31.345, 34.305)],
    ['wh-rfh-01', 'vendor-c', 'ps0275', loc(31.290, 34.260)],
  ];
  for (const [wh, vendor, area, location] of warehouses) {
    ev('warehouse.register', 'un-mmu', `w-${wh}`, { warehouse: wh, vendor, area, location });
  }
  const projects = [
    // id, implementer, title, category, sector, area, location, cement, rebar, approve?
    ['school-rafah-07', 'undp', 'Rafah girls school 07', 'education', '11220', 'ps0275', loc(31.287, 34.250), 40000, 8000, 'approve'],
    ['clinic-khy-02', 'unrwa', 'Khan Younis clinic 02', 'health', '12230', 'ps0270', loc(31.340, 34.300), 20000, 4000, 'approve'],
    ['water-gaza-01', 'undp', 'Gaza City water network', 'water', '14020', 'ps0260', loc(31.510, 34.460), 30000, 6000, 'approve'],
    ['school-north-03', 'unrwa', 'Jabalia school 03', 'education', '11220', 'ps0255', loc(31.540, 34.500), 25000, 5000, 'approve'],
    ['housing-dab-05', 'undp', 'Deir al-Balah housing block 05', 'housing', '16030', 'ps0265', loc(31.420, 34.360), 50000, 12000, 'approve'],
    ['road-3', 'undp', 'Salah al-Din road section 3', 'transport', '21020', 'ps0265', loc(31.400, 34.390), 10000, 1000, 'reject'],
    ['clinic-north-04', 'unrwa', 'Beit Lahia clinic 04', 'health', '12230', 'ps0255', loc(31.555, 34.500), 8000, 1500, 'pending'],
  ];
  for (const [id, impl, title, category, sector, area, location, cement, rebar, fate] of projects) {
    ev('project.propose', impl, `p-${id}`, {
      project: id, title, category, sector, area, location,
      budget: { currency: id === 'housing-dab-05' || id === 'water-gaza-01' ? 'EUR' : 'USD', amount: (cement + rebar) * 1000 },
      boq: [{ item: 'cement', quantity: cement }, { item: 'rebar', quantity: rebar }],
    });
    if (fate === 'approve') {
      ev('project.approve', 'pa-mopwh', `a-pa-${id}`, { project: id, reason: 'meets the standard design' });
      ev('project.approve', 'cogat', `a-co-${id}`, { project: id, reason: 'dual-use items accounted' });
    } else if (fate === 'reject') {
      ev('project.reject', 'cogat', `rej-${id}`, { project: id, reason: 'dual use concerns on the bridge works' });
    }
  }
  // Households with private records.
  const households = [
    ['hh-0001', 'ps0275', 7, 'major', { given: 'Zubaida', family: 'Qasrawi-Haddad' }, '901234567'],
    ['hh-0002', 'ps0270', 5, 'destroyed', { given: 'Marwan', family: 'Abu-Sitta' }, '801122334'],
    ['hh-0003', 'ps0260', 4, 'minor', { given: 'Huda', family: 'Shawwa' }, '700000003'],
    ['hh-0004', 'ps0255', 6, 'major', { given: 'Yousef', family: 'Masri' }, '700000004'],
  ];
  for (const [id, area, size, damage, names, idn] of households) {
    const priv = { salt: Buffer.from(`salt-for-${id}-e2e!`).toString('base64'), names, id_number: idn };
    ev('beneficiary.register', 'un-mmu', `ben-${id}`, {
      beneficiary: id, area, household_size: size, damage,
      entitlement: [{ item: 'cement', quantity: 500 }, { item: 'glass', quantity: 6 }],
      pii: '__PII__',
    }, [], priv);
  }
  // Consignments: requests, approval, entry through the crossings.
  const consignments = [
    ['cons-0001', 'vendor-al-amal', 'wh-gaza-01', 'kerem-shalom', [['cement', 30000, 'water-gaza-01'], ['rebar', 6000, 'water-gaza-01'], ['cement', 1500, 'households'], ['glass', 24, 'households']]],
    ['cons-0002', 'vendor-al-amal', 'wh-dab-01', 'kerem-shalom', [['cement', 50000, 'housing-dab-05'], ['rebar', 12000, 'housing-dab-05']]],
    ['cons-0003', 'vendor-b', 'wh-khy-01', 'kerem-shalom', [['cement', 20000, 'clinic-khy-02'], ['rebar', 4000, 'clinic-khy-02']]],
    ['cons-0004', 'vendor-c', 'wh-rfh-01', 'zikim', [['cement', 40000, 'school-rafah-07'], ['rebar', 8000, 'school-rafah-07']]],
    ['cons-0005', 'vendor-b', 'wh-khy-01', 'zikim', [['cement', 25000, 'school-north-03']]],
  ];
  for (const [id, vendor, wh, crossing, lines] of consignments) {
    ev('consignment.request', vendor, `c-${id}`, {
      consignment: id, warehouse: wh, lines: lines.map(([item, quantity, f]) => ({ item, quantity, for: f })),
    });
    ev('consignment.approve', 'cogat', `ca-${id}`, { consignment: id });
    const entered = new Map();
    for (const [item, q] of lines) entered.set(item, (entered.get(item) ?? 0) + q);
    ev('consignment.enter', 'cogat', `ce-${id}`, {
      consignment: id, crossing, lines: [...entered].map(([item, quantity]) => ({ item, quantity })),
    });
  }
  // Releases and inspections.
  const releases = [
    ['rel-0001', 'vendor-al-amal', 'wh-gaza-01', 'water-gaza-01', [['cement', 12000], ['rebar', 3000]], 'installed'],
    ['rel-0002', 'vendor-al-amal', 'wh-dab-01', 'housing-dab-05', [['cement', 20000], ['rebar', 5000]], 'installed'],
    ['rel-0003', 'vendor-b', 'wh-khy-01', 'clinic-khy-02', [['cement', 8000]], null],
    ['rel-0004', 'vendor-c', 'wh-rfh-01', 'school-rafah-07', [['cement', 10000], ['rebar', 2000]], 'installed'],
    ['rel-0005', 'vendor-al-amal', 'wh-gaza-01', 'hh-0003', [['cement', 500], ['glass', 6]], 'installed'],
    ['rel-0006', 'vendor-al-amal', 'wh-gaza-01', 'hh-0004', [['cement', 500]], null],
  ];
  for (const [id, vendor, wh, to, lines, verified] of releases) {
    ev('material.release', vendor, `r-${id}`, {
      release: id, warehouse: wh, to, lines: lines.map(([item, quantity]) => ({ item, quantity })),
    });
    if (verified) {
      ev('material.verify', 'insp-01', `v-${id}`, {
        inspection: `ins-${id}`, recipient: to, lines: lines.map(([item, quantity]) => ({ item, quantity })),
        result: verified,
        photos: ['sha256:' + '1'.repeat(64)],
        location: loc(31.3, 34.3),
      });
    }
  }
  // Counts: wh-khy-01 short of the book (mass balance), wh-gaza-01 as booked.
  ev('stock.count', 'insp-01', 'count-khy-1', { count: 'cnt-khy-1', warehouse: 'wh-khy-01', lines: [{ item: 'cement', quantity: 30000 }] });
  ev('stock.count', 'insp-01', 'count-gaza-1', { count: 'cnt-gaza-1', warehouse: 'wh-gaza-01', lines: [{ item: 'rebar', quantity: 3000 }] });
  // Funds.
  ev('funds.pledge', 'donor-group', 'pl-1', { pledge: 'pl-1', amount: { currency: 'USD', amount: 300000000 }, purpose: 'schools and clinics' });
  ev('funds.pledge', 'donor-eu', 'pl-2', { pledge: 'pl-2', amount: { currency: 'EUR', amount: 200000000 }, purpose: 'housing and water' });
  const commits = [
    ['cm-1', 'donor-group', 'school-rafah-07', 'USD', 40000000],
    ['cm-2', 'donor-group', 'clinic-khy-02', 'USD', 20000000],
    ['cm-3', 'donor-eu', 'housing-dab-05', 'EUR', 60000000],
    ['cm-4', 'donor-eu', 'water-gaza-01', 'EUR', 30000000],
  ];
  for (const [id, donor, project, currency, amount] of commits) {
    ev('funds.commit', donor, `cm-${id}`, { commitment: id, project, amount: { currency, amount }, conditions: [] });
  }
  const disb = [
    ['d-1', 'cm-1', 'donor-group', 'undp', 'USD', 20000000],
    ['d-2', 'cm-2', 'donor-group', 'unrwa', 'USD', 10000000],
    ['d-3', 'cm-3', 'donor-eu', 'undp', 'EUR', 30000000],
    ['d-4', 'cm-4', 'donor-eu', 'undp', 'EUR', 15000000],
  ];
  for (const [id, cm, donor, to, currency, amount] of disb) {
    ev('funds.disburse', donor, `d-${id}`, { disbursement: id, commitment: cm, to, amount: { currency, amount } });
  }
  const pays = [
    ['pay-1', 'undp', 'school-rafah-07', 'vendor-c', 'USD', 6000000],
    ['pay-2', 'unrwa', 'clinic-khy-02', 'vendor-b', 'USD', 4000000],
    ['pay-3', 'undp', 'housing-dab-05', 'vendor-al-amal', 'EUR', 12000000],
    ['pay-4', 'undp', 'water-gaza-01', 'vendor-al-amal', 'EUR', 5000000],
  ];
  for (const [id, impl, project, payee, currency, amount] of pays) {
    ev('funds.pay', impl, `pay-${id}`, { payment: id, project, payee, amount: { currency, amount }, invoice: `inv-${id}` });
  }
  // Screening.
  ev('watchlist.load', 'un-mmu', 'wl-1', { list: 'un-sc', version: '2026-11', sha256: 'sha256:' + '0'.repeat(64), entries: 1000 });
  ev('screening.hit', 'un-mmu', 'hit-1', { hit: 'h-1', subject: 'vendor-b', list: 'un-sc', entry: 'QDi.001', score: 720, algorithm: 'name-match.v2', explanation: 'Alias match on the trading name; no registration number compared' });
  ev('screening.hit', 'un-mmu', 'hit-2', { hit: 'h-2', subject: 'vendor-c', list: 'un-sc', entry: 'QDe.154', score: 910, algorithm: 'name-match.v2', explanation: 'Company name and address match an entry after transliteration' });
  ev('screening.hit', 'un-mmu', 'hit-3', { hit: 'h-3', subject: 'hh-0002', list: 'un-sc', entry: 'QDi.077', score: 310, algorithm: 'name-match.v2', explanation: 'Family name only; below review' });
  return { dir, vkey, key, planned, now, parties };
}

// Signs every planned envelope with the CLI (actor first, then co-signers).
function signAll(bin, prog, events, startNonce = '') {
  const lines = [];
  const tmp = join(prog.dir, 'unsigned.json');
  for (const e of events) {
    const body = structuredClone(e.body);
    const priv = e.priv;
    if (priv) body.pii = 'sha256:' + sha256Hex(canonicalJson(priv));
    const env = { v: 1, type: e.type, actor: e.actor, time: prog.now, nonce: startNonce + e.nonce, body };
    writeFileSync(tmp, JSON.stringify(priv ? { envelope: env, private: priv } : env));
    const keys = [e.actor, ...e.cosigners].flatMap((p) => ['--key', prog.key(p)]);
    lines.push(run(bin, ['sign', ...keys, tmp]).trim());
  }
  return lines;
}

function sha256Hex(s) {
  return createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');
}
// RFC 8785 for the private records (strings, integers, objects, arrays).
function canonicalJson(v) {
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonicalJson(v[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}

function append(bin, db, lines, file) {
  writeFileSync(file, lines.join('\n') + '\n');
  let out;
  try {
    out = run(bin, ['append', '--db', db, file]);
  } catch (e) {
    out = e.stdout;
    const rejected = out.split('\n').map((l, i) => [l, i]).filter(([l]) => l.includes('"error"'));
    throw new Error(`aidtrace append rejected ${rejected.length} line(s):\n` +
      rejected.slice(0, 5).map(([l, i]) => `  line ${i + 1} (${lines[i].slice(0, 80)}…): ${l}`).join('\n'));
  }
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

// Builds the log and returns what the tests need.
export function makeLog(bin, dir) {
  const prog = buildProgramme(bin, dir);
  const db = join(dir, 'log.db');
  run(bin, ['init', '--db', db, '--origin', ORIGIN, '--log-key', prog.key(ORIGIN)]);
  const receipts = append(bin, db, signAll(bin, prog, prog.planned), join(dir, 'events-1.jsonl'));
  const idOf = (type, pred) => {
    const i = prog.planned.findIndex((e) => e.type === type && pred(e.body));
    return receipts[i].id;
  };
  // Alerts name their evidence by event id, so they follow the first batch.
  const later = [];
  const a = (type, actor, nonce, body) => later.push({ type, actor, nonce, body, cosigners: [], priv: null });
  a('alert.raise', 'un-mmu', 'al-1', {
    alert: 'al-0001', kind: 'stock_mismatch', subject: 'wh-khy-01', severity: 'high',
    evidence: [idOf('stock.count', (b) => b.count === 'cnt-khy-1'), idOf('consignment.enter', (b) => b.consignment === 'cons-0003')],
    detail: 'cement: book 37000 kg, counted 30000 kg, short 7000 kg (189 permille; tolerance 20)',
  });
  a('alert.raise', 'un-mmu', 'al-2', {
    alert: 'al-0002', kind: 'release_unverified', subject: 'clinic-khy-02', severity: 'medium',
    evidence: [idOf('material.release', (b) => b.release === 'rel-0003')],
    detail: 'rel-0003: 8000 kg cement released, no inspection yet',
  });
  a('alert.raise', 'un-mmu', 'al-3', {
    alert: 'al-0003', kind: 'other', subject: 'school-rafah-07', severity: 'low', evidence: [],
    detail: 'a tip from the site committee about night deliveries',
  });
  a('alert.raise', 'un-mmu', 'al-4', {
    alert: 'al-0004', kind: 'payment_without_delivery', subject: 'vendor-b', severity: 'high',
    evidence: [idOf('funds.pay', (b) => b.payment === 'pay-2')],
    detail: 'pay-2 paid before any verified delivery to clinic-khy-02',
  });
  a('case.open', 'un-mmu', 'case-1', { case: 'case-0001', alerts: ['al-0003'] });
  a('case.note', 'un-mmu', 'case-1-n1', { case: 'case-0001', text: 'Site visit planned with the inspector' });
  append(bin, db, signAll(bin, prog, later), join(dir, 'events-2.jsonl'));

  const tokens = {};
  for (const [party, role] of [
    ['un-mmu', 'monitor'], ['un-mmu-qa', 'monitor'], ['un-mmu', 'governor'], ['pa-mopwh', 'authority'],
    ['auditor-1', 'auditor'], ['insp-01', 'inspector'], ['donor-group', 'donor'], ['undp', 'implementer'],
    ['vendor-al-amal', 'vendor'],
  ]) {
    const out = run(bin, ['token', 'create', '--db', db, '--party', party, '--role', role]).trim();
    tokens[`${party}/${role}`] = out.split(/\s+/).pop();
  }
  return {
    db,
    logVkey: prog.vkey[ORIGIN],
    keyFile: prog.key,
    tokens,
    events: prog.planned.length + later.length,
  };
}

export function readKey(file) {
  return readFileSync(file, 'utf8');
}
