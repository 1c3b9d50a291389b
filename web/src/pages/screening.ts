// Screening: hits with their explanations; clear or confirm. A hit whose score is at or
// above the policy's four_eyes_at needs two distinct monitors on one envelope: the first
// signs here and passes the envelope on; the second pastes it, co-signs and submits.
import { getAll, getLeaves, postEvent } from '../api';
import { actingKey, receiptNote, requireKey } from '../keys';
import { getSigners } from '../session';
import { addSignature, buildEnvelope, canonicalize, type Envelope } from '../verify';
import { badge, card, clear, errorBox, h, routeParams, select, table, time, unique } from '../ui';
import type { Hit } from './types';

interface ScreeningPolicy {
  review_at: number;
  block_at: number;
  four_eyes_at: number;
}
const DEFAULTS: ScreeningPolicy = { review_at: 700, block_at: 850, four_eyes_at: 850 };

// The screening thresholds of the latest policy on the public log (genesis, then
// policy.set events), found while scanning for the hits' explanations.
interface Decision {
  type: string;
  signers: string[];
  seq: number;
}

async function scanLog(maxLeaves = 50000): Promise<{
  policy: ScreeningPolicy;
  explanations: Map<string, { text: string; seq: number }>;
  decisions: Map<string, Decision>;
}> {
  let policy = { ...DEFAULTS };
  const explanations = new Map<string, { text: string; seq: number }>();
  const decisions = new Map<string, Decision>();
  for (let from = 0; from < maxLeaves; ) {
    const page = await getLeaves(from, 1000);
    for (const line of page.lines) {
      const leaf = JSON.parse(line);
      const ev = leaf.event;
      if (ev?.type === 'mechanism.genesis' || ev?.type === 'policy.set') {
        policy = { ...DEFAULTS, ...(ev.body?.policy?.screening ?? {}) };
      } else if (ev?.type === 'screening.hit') {
        explanations.set(ev.body.hit, { text: ev.body.explanation, seq: leaf.seq });
      } else if (ev?.type === 'screening.clear' || ev?.type === 'screening.confirm') {
        decisions.set(ev.body.hit, { type: ev.type, signers: ev.sigs.map((x: { signer: string }) => x.signer), seq: leaf.seq });
      }
    }
    if (page.next === null || page.lines.length === 0 || (page.size !== null && page.next >= page.size)) break;
    from = page.next;
  }
  return { policy, explanations, decisions };
}

export async function screeningPage(el: HTMLElement): Promise<void> {
  const params = routeParams();
  const result = h('div', { class: 'action-result', 'data-testid': 'action-result' });
  const body = h('div');
  const filter = { status: params.get('status') ?? '', list: params.get('list') ?? '' };
  const scanned = await scanLog();
  const { policy, explanations } = scanned;
  let decisions = scanned.decisions;
  let hits: Hit[] = [];

  const show = (x: HTMLElement): void => clear(result, x);

  const decide = async (hit: Hit, type: 'screening.clear' | 'screening.confirm', reason: string): Promise<void> => {
    clear(result);
    try {
      if (!reason.trim()) throw new Error('give the reason for the decision');
      const me = requireKey();
      const fourEyes = hit.score >= policy.four_eyes_at;
      // Every distinct loaded key may sign (two monitors at one desk); the acting key first.
      const signers = [me, ...getSigners().filter((k) => k.name !== me.name)];
      const env = buildEnvelope(type, { hit: hit.hit, reason: reason.trim() }, fourEyes ? signers.slice(0, 2) : [me]);
      if (fourEyes && env.sigs.length < 2) {
        show(handOver(env));
        return;
      }
      show(receiptNote(await postEvent(env)));
      await reload();
    } catch (e) {
      show(errorBox(e, 'Decision refused'));
    }
  };

  // A partly signed envelope: text to pass to the second monitor, or submit alone (the
  // server then refuses it with quorum_not_met, as it must).
  const handOver = (env: Envelope): HTMLElement => {
    const text = canonicalize(env);
    const out = h('div', { class: 'four-eyes', 'data-testid': 'handover' });
    out.append(
      h('p', null, badge('four eyes', 'warn'), ` This hit needs a second monitor. Signed by ${env.sigs.map((s) => s.signer).join(', ')}; send this envelope to another monitor, who co-signs it below.`),
      h('textarea', { readonly: true, rows: 5, class: 'mono', 'data-testid': 'handover-text' }, text),
      h('button', {
        'data-testid': 'submit-alone',
        onclick: () =>
          void (async () => {
            try {
              out.append(receiptNote(await postEvent(env)));
            } catch (e) {
              out.append(errorBox(e, 'Submitted with one signature'));
            }
          })(),
      }, 'Submit with my signature only'),
    );
    return out;
  };

  const cosign = (): HTMLElement => {
    const ta = h('textarea', { rows: 5, class: 'mono', placeholder: 'paste the envelope another monitor signed', 'data-testid': 'cosign-text' }) as HTMLTextAreaElement;
    return card(
      'Co-sign a decision (four eyes)',
      ta,
      h('button', {
        'data-testid': 'cosign-submit',
        onclick: () =>
          void (async () => {
            clear(result);
            try {
              const env = JSON.parse(ta.value) as Envelope;
              if (env.type !== 'screening.clear' && env.type !== 'screening.confirm') {
                throw new Error(`this is a ${env.type} envelope, not a screening decision`);
              }
              const me = requireKey();
              if (env.sigs.some((s) => s.signer === me.name)) throw new Error(`${me.name} already signed this envelope: four eyes need another monitor`);
              const hit = hits.find((x) => x.hit === env.body.hit);
              const what = `${env.type} of hit ${String(env.body.hit)} (score ${hit?.score ?? '?'}) by ${env.actor}, co-signed by ${me.name}: “${String(env.body.reason)}”. `;
              const receipt = await postEvent(addSignature(env, me));
              show(h('div', null, h('p', null, what), receiptNote(receipt)));
              await reload();
            } catch (e) {
              show(errorBox(e, 'Co-signing refused'));
            }
          })(),
      }, 'Co-sign and submit'),
    );
  };

  const reload = async (first = false): Promise<void> => {
    hits = await getAll<Hit>('/v1/screening/hits');
    if (!first) decisions = (await scanLog()).decisions;
    draw();
  };

  const draw = (): void => {
    const shown = hits.filter((x) => (!filter.status || x.status === filter.status) && (!filter.list || x.list === filter.list));
    const me = actingKey();
    clear(
      body,
      h(
        'p',
        { class: 'muted' },
        `Policy: review at ${policy.review_at} ‰, block at ${policy.block_at} ‰, four eyes at ${policy.four_eyes_at} ‰. `,
        me ? `Acting as ${me.name}.` : 'Load a monitor\'s signer key to decide.',
      ),
      h(
        'div',
        { class: 'filters', 'data-testid': 'hit-filters' },
        h('label', null, 'status ', select('status', unique(hits.map((x) => x.status)), filter.status, (v) => { filter.status = v; draw(); })),
        h('label', null, 'list ', select('list', unique(hits.map((x) => x.list)), filter.list, (v) => { filter.list = v; draw(); })),
      ),
      card(
        `Hits (${shown.length} of ${hits.length})`,
        table(
          shown,
          [
            { title: 'hit', cell: (x) => x.hit },
            { title: 'subject', cell: (x) => x.subject },
            { title: 'list / entry', cell: (x) => `${x.list} / ${x.entry}` },
            {
              title: 'score',
              cls: 'num',
              cell: (x) => [
                `${x.score} ‰ `,
                x.score >= policy.block_at && x.status === 'open' ? badge('blocks', 'bad') : null,
                x.score >= policy.four_eyes_at ? badge('four eyes', 'warn') : null,
              ],
            },
            {
              title: 'explanation',
              cell: (x) => {
                const e = x.explanation ?? explanations.get(x.hit)?.text;
                const seq = x.seq ?? explanations.get(x.hit)?.seq;
                return [e ?? h('span', { class: 'muted' }, 'not found'), ' ', `(${x.algorithm})`, ' ', seq !== undefined ? h('a', { href: `#/ledger?seq=${seq}` }, `event ${seq}`) : null];
              },
            },
            { title: 'status', cell: (x) => badge(x.status, x.status === 'open' ? 'warn' : x.status === 'confirmed' ? 'bad' : 'ok') },
            {
              title: 'deadline / decision',
              cell: (x) => {
                if (x.status === 'open' || x.status === 'below_review') return time(x.deadline);
                const d = decisions.get(x.hit);
                if (!d) return x.decision ? `decided ${x.decision.slice(0, 19)}…` : '';
                return h(
                  'span',
                  { 'data-testid': `decided-${x.hit}` },
                  `${d.type === 'screening.clear' ? 'cleared' : 'confirmed'} by ${d.signers.join(' + ')} `,
                  d.signers.length >= 2 ? badge('four eyes', 'ok') : null,
                  ' ',
                  h('a', { href: `#/ledger?seq=${d.seq}` }, `event ${d.seq}`),
                );
              },
            },
            { title: 'decide', cell: (x) => (x.status === 'open' || x.status === 'below_review' ? decideCell(x) : null) },
          ],
          { empty: 'No hits.', testid: 'hits-table' },
        ),
      ),
      cosign(),
    );
  };

  const decideCell = (x: Hit): HTMLElement => {
    const reason = h('input', { type: 'text', placeholder: 'reason', 'data-testid': `reason-${x.hit}` }) as HTMLInputElement;
    return h(
      'div',
      { class: 'case-actions' },
      reason,
      h('button', { 'data-testid': `clear-${x.hit}`, onclick: () => void decide(x, 'screening.clear', reason.value) }, 'Clear'),
      h('button', { 'data-testid': `confirm-${x.hit}`, onclick: () => void decide(x, 'screening.confirm', reason.value) }, 'Confirm'),
    );
  };

  el.append(h('h2', null, 'Screening'), result, body);
  await reload(true);
}
