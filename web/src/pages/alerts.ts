// Alerts and cases: the alert queue with its evidence (links to the events that prove
// it), opening a case on selected alerts, adding notes and closing a case. Actions are
// signed in the browser with the loaded signer key and posted to /v1/events.
import { getAll } from '../api';
import { receiptNote, requireKey, signAndSubmit } from '../keys';
import { badge, card, clear, errorBox, h, routeParams, select, shortId, table, time, unique } from '../ui';
import type { Alert, Case } from './types';

function newId(prefix: string): string {
  return `${prefix}-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}

function sevBadge(s: string): HTMLElement {
  return badge(s, s === 'critical' || s === 'high' ? 'bad' : s === 'medium' ? 'warn' : '');
}

export async function alertsPage(el: HTMLElement): Promise<void> {
  const params = routeParams();
  const result = h('div', { class: 'action-result', 'data-testid': 'action-result' });
  const body = h('div');
  const filter = { status: params.get('status') ?? '', kind: params.get('kind') ?? '', severity: params.get('severity') ?? '' };
  let alerts: Alert[] = [];
  let cases: Case[] = [];

  const act = async (f: () => Promise<HTMLElement | void>): Promise<void> => {
    clear(result);
    try {
      const out = await f();
      if (out) clear(result, out);
      await reload();
    } catch (e) {
      clear(result, errorBox(e, 'Action refused'));
    }
  };

  const reload = async (): Promise<void> => {
    [alerts, cases] = await Promise.all([getAll<Alert>('/v1/alerts'), getAll<Case>('/v1/cases')]);
    draw();
  };

  const draw = (): void => {
    const shown = alerts.filter(
      (a) => (!filter.status || a.status === filter.status) && (!filter.kind || a.kind === filter.kind) && (!filter.severity || a.severity === filter.severity),
    );
    const selected = new Set<string>();
    const caseId = h('input', { type: 'text', name: 'case-id', value: newId('case'), 'data-testid': 'case-id', size: 24 }) as HTMLInputElement;
    const filters = h(
      'div',
      { class: 'filters', 'data-testid': 'alert-filters' },
      (['status', 'kind', 'severity'] as const).map((f) =>
        h('label', null, `${f} `, select(f, unique(alerts.map((a) => a[f])), filter[f], (v) => { filter[f] = v; draw(); })),
      ),
    );
    const alertTable = table(
      shown,
      [
        {
          title: '',
          cell: (a) =>
            a.status === 'open'
              ? h('input', {
                  type: 'checkbox',
                  'aria-label': `select ${a.alert}`,
                  'data-alert': a.alert,
                  onchange: ((e: Event) => {
                    if ((e.target as HTMLInputElement).checked) selected.add(a.alert);
                    else selected.delete(a.alert);
                  }) as EventListener,
                })
              : null,
        },
        { title: 'alert', cell: (a) => a.alert },
        { title: 'kind', cell: (a) => a.kind },
        { title: 'severity', cell: (a) => sevBadge(a.severity) },
        { title: 'subject', cell: (a) => a.subject },
        { title: 'detail', cell: (a) => a.detail },
        {
          title: 'evidence',
          cell: (a) =>
            a.evidence.length
              ? h('ul', { class: 'evidence' }, a.evidence.map((id) => h('li', null, h('a', { href: `#/ledger?id=${encodeURIComponent(id)}`, title: id }, shortId(id)))))
              : h('span', { class: 'muted' }, 'none'),
        },
        { title: 'status', cell: (a) => [badge(a.status, a.status === 'open' ? 'warn' : ''), a.case ? ` ${a.case}` : ''] },
      ],
      { empty: 'No alerts match.', testid: 'alerts-table' },
    );
    const openCase = h(
      'div',
      { class: 'actions' },
      'Open a case on the selected alerts: ',
      caseId,
      h(
        'button',
        {
          'data-testid': 'open-case',
          onclick: () =>
            void act(async () => {
              const key = requireKey();
              if (!caseId.value.trim()) throw new Error('a case needs an id');
              const { receipt } = await signAndSubmit('case.open', { case: caseId.value.trim(), alerts: [...selected] }, [key]);
              return receiptNote(receipt);
            }),
        },
        'Open case',
      ),
    );

    const caseTable = table(
      cases,
      [
        { title: 'case', cell: (c) => c.case },
        { title: 'alerts', cell: (c) => c.alerts.join(', ') || h('span', { class: 'muted' }, 'tip') },
        { title: 'status', cell: (c) => badge(c.status, c.status === 'open' ? 'warn' : 'ok') },
        { title: 'finding', cell: (c) => c.finding || '' },
        { title: 'notes', cell: (c) => h('ul', { class: 'notes' }, c.notes.map((n) => h('li', null, `${time(n.logged)} ${n.actor}: ${n.text}`))) },
        { title: 'actions decided', cell: (c) => c.actions.map((a) => `${a.action} ${a.party}`).join('; ') },
        { title: '', cell: (c) => (c.status === 'open' ? caseActions(c) : null) },
      ],
      { empty: 'No cases yet.', testid: 'cases-table' },
    );
    clear(body, filters, card(`Alerts (${shown.length} of ${alerts.length})`, alertTable, openCase), card(`Cases (${cases.length})`, caseTable));
  };

  const caseActions = (c: Case): HTMLElement => {
    const note = h('input', { type: 'text', placeholder: 'note (no personal data)', 'data-testid': `note-${c.case}` }) as HTMLInputElement;
    const finding = h(
      'select',
      { 'data-testid': `finding-${c.case}`, 'aria-label': 'finding' },
      h('option', { value: 'unfounded' }, 'unfounded'),
      h('option', { value: 'substantiated' }, 'substantiated'),
    ) as HTMLSelectElement;
    return h(
      'div',
      { class: 'case-actions' },
      note,
      h('button', {
        'data-testid': `add-note-${c.case}`,
        onclick: () =>
          void act(async () => {
            if (!note.value.trim()) throw new Error('write the note first');
            const { receipt } = await signAndSubmit('case.note', { case: c.case, text: note.value.trim() }, [requireKey()]);
            return receiptNote(receipt);
          }),
      }, 'Add note'),
      finding,
      h('button', {
        'data-testid': `close-${c.case}`,
        onclick: () =>
          void act(async () => {
            const { receipt } = await signAndSubmit('case.close', { case: c.case, finding: finding.value, actions: [] }, [requireKey()]);
            return receiptNote(receipt);
          }),
      }, 'Close case'),
    );
  };

  el.append(h('h2', null, 'Alerts & cases'), result, body);
  await reload();
}
