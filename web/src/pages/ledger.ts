// Ledger: browse the public log (events and the latest checkpoint) and verify an event
// in the browser with the project's own verifier: the leaf's bytes, its C2SP tlog-proof
// and the checkpoint's Ed25519 signature by the trusted log key. The leaf and proof text
// stay editable, so anyone can see a tampered copy fail and why.
import { getBytes, getLeaves, getText } from '../api';
import { getLogKey } from '../session';
import {
  eventId,
  keyIdHex,
  openNote,
  parseCheckpointNote,
  utf8,
  utf8Decode,
  verifyEventInclusion,
  base64Encode,
  type Envelope,
} from '../verify';
import { badge, card, clear, errorBox, h, routeParams, shortId, table, time } from '../ui';

interface Leaf {
  seq: number;
  logged: string;
  event: Envelope;
}

const PAGE = 50;

export async function ledgerPage(el: HTMLElement): Promise<void> {
  const params = routeParams();
  const cpBox = h('div');
  const list = h('div');
  const panel = h('div', { 'data-testid': 'verify-panel' });
  el.append(h('h2', null, 'Ledger'), cpBox, panel, list);

  // The latest checkpoint, and whether the trusted key signed it.
  const note = await getText('/v1/checkpoint');
  const cp = parseCheckpointNote(note);
  const key = getLogKey();
  let sigState: HTMLElement;
  try {
    if (!key) throw new Error('no trusted log key is set (Sign-in page)');
    openNote(note, [key]);
    sigState = badge(`signed by ${key.name}+${keyIdHex(key.id)}`, 'ok');
  } catch (e) {
    sigState = h('span', null, badge('signature not verified', 'bad'), ' ', (e as Error).message);
  }
  const size = Number(cp.size);
  clear(
    cpBox,
    card(
      'Latest checkpoint',
      h('p', { 'data-testid': 'checkpoint' }, `${cp.origin} · size ${size} · root ${base64Encode(cp.root)} `, sigState),
      h('pre', { class: 'mono small' }, note),
    ),
  );

  const showPage = async (from: number): Promise<void> => {
    clear(list, h('div', { class: 'loading' }, 'Loading events…'));
    const page = await getLeaves(from, PAGE);
    const leaves = page.lines.map((l) => JSON.parse(l) as Leaf);
    const total = page.size ?? size;
    const nav = h(
      'div',
      { class: 'filters' },
      h('button', { disabled: from === 0, onclick: () => void showPage(Math.max(0, from - PAGE)) }, '← older'),
      ` events ${from}–${from + leaves.length - 1} of ${total} `,
      h('button', { disabled: from + PAGE >= total, onclick: () => void showPage(from + PAGE) }, 'newer →'),
      h('button', { onclick: () => void showPage(Math.max(0, total - PAGE)) }, 'newest'),
      h('label', null, ' go to seq ', h('input', {
        type: 'number',
        min: 0,
        'data-testid': 'goto-seq',
        onchange: ((e: Event) => {
          const n = Number((e.target as HTMLInputElement).value);
          if (Number.isInteger(n) && n >= 0) void showPage(Math.floor(n / PAGE) * PAGE);
        }) as EventListener,
      })),
    );
    clear(
      list,
      card(
        'Events',
        nav,
        table(
          leaves,
          [
            { title: 'seq', cell: (l) => String(l.seq) },
            { title: 'type', cell: (l) => l.event.type },
            { title: 'actor', cell: (l) => l.event.actor },
            { title: 'signers', cell: (l) => l.event.sigs.map((s) => s.signer).join(', ') },
            { title: 'logged', cell: (l) => time(l.logged) },
            { title: 'event id', cell: (l) => h('code', { title: eventId(l.event) }, shortId(eventId(l.event))) },
            { title: '', cell: (l) => h('button', { 'data-testid': `verify-${l.seq}`, onclick: () => void verify(l.seq) }, 'Verify') },
          ],
          { empty: 'The log is empty.', testid: 'events-table' },
        ),
      ),
    );
  };

  const verify = async (seq: number): Promise<void> => {
    clear(panel, h('div', { class: 'loading' }, `Fetching leaf ${seq} and its inclusion proof…`));
    let leafText = '';
    let proofText = '';
    try {
      const [leafBytes, proof] = await Promise.all([getBytes(`/v1/events/${seq}`), getText('/v1/proof/inclusion', { index: seq })]);
      leafText = utf8Decode(leafBytes) ?? '';
      proofText = proof;
    } catch (e) {
      clear(panel, errorBox(e, `Fetching the proof of event ${seq}`));
      return;
    }
    const leafArea = h('textarea', { rows: 4, class: 'mono', 'data-testid': 'leaf-text', 'aria-label': 'leaf bytes' }, leafText) as HTMLTextAreaElement;
    const proofArea = h('textarea', { rows: 9, class: 'mono', 'data-testid': 'proof-text', 'aria-label': 'tlog-proof' }, proofText) as HTMLTextAreaElement;
    const outcome = h('div');
    const run = (): void => {
      const r = verifyEventInclusion(seq, utf8(leafArea.value), proofArea.value, getLogKey());
      clear(
        outcome,
        h(
          'div',
          { class: r.ok ? 'ok-box' : 'error', 'data-testid': 'verify-result', 'data-result': r.ok ? 'pass' : 'fail' },
          h('strong', null, r.ok ? `PASS: event ${seq} is in the log` : `FAIL: event ${seq} does not verify`),
          h('ol', null, r.steps.map((s) => h('li', { class: s.ok ? 'step-ok' : 'step-fail' }, `${s.ok ? '✓' : '✗'} ${s.name}: ${s.detail}`))),
        ),
      );
    };
    clear(
      panel,
      card(
        `Verify event ${seq} in this browser`,
        h('p', { class: 'muted' }, 'Checked here with aidtrace\'s TypeScript verifier (RFC 6962 with SHA-256, C2SP signed note with Ed25519); edit the text to see a tampered copy fail.'),
        outcome,
        h('label', null, 'Leaf bytes (GET /v1/events/' + seq + ')'),
        leafArea,
        h('label', null, 'tlog-proof (GET /v1/proof/inclusion?index=' + seq + ')'),
        proofArea,
        h('button', { 'data-testid': 'reverify', onclick: run }, 'Verify again'),
      ),
    );
    run();
  };

  const wantSeq = params.get('seq');
  const wantId = params.get('id');
  if (wantSeq !== null && /^\d+$/.test(wantSeq)) {
    const n = Number(wantSeq);
    await showPage(Math.floor(n / PAGE) * PAGE);
    await verify(n);
  } else if (wantId) {
    // Event ids are not indexed by the API: find it by hashing the leaves, newest first.
    let found = -1;
    for (let from = Math.max(0, size - 1000); from >= 0 && found < 0; from = from === 0 ? -1 : Math.max(0, from - 1000)) {
      const page = await getLeaves(from, 1000);
      for (const line of page.lines) {
        const l = JSON.parse(line) as Leaf;
        if (eventId(l.event) === wantId) found = l.seq;
      }
      if (from === 0) break;
    }
    if (found >= 0) {
      await showPage(Math.floor(found / PAGE) * PAGE);
      await verify(found);
    } else {
      clear(panel, errorBox(new Error(`no event with id ${wantId} in the log`), 'Evidence'));
      await showPage(Math.max(0, size - PAGE));
    }
  } else {
    await showPage(Math.max(0, size - PAGE));
  }
}
