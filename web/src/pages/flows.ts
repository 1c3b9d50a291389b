// Flows: Sankey diagrams of money (donors → projects → payees) and of materials
// (crossings → vendors → projects and households), one currency / one item at a time.
import { getAll } from '../api';
import { chart } from '../charts';
import { may } from '../session';
import { card, clear, h, money, num, routeParams, select, unique } from '../ui';
import type { Commitment, Consignment, Release } from './types';

interface Link {
  source: string;
  target: string;
  value: number;
}

function sankey(links: Link[], fmt: (v: number) => string, testid: string): HTMLElement {
  const merged = new Map<string, Link>();
  for (const l of links) {
    if (l.value <= 0) continue;
    const k = `${l.source}\u0000${l.target}`;
    const m = merged.get(k);
    if (m) m.value += l.value;
    else merged.set(k, { ...l });
  }
  const data = [...merged.values()];
  const names = unique(data.flatMap((l) => [l.source, l.target]));
  if (data.length === 0) return h('p', { class: 'empty', 'data-testid': testid }, 'No flows for this selection.');
  return chart(
    {
      tooltip: {
        trigger: 'item',
        formatter: (p: { dataType: string; data: Link & { name?: string }; name: string; value: number }) =>
          p.dataType === 'edge'
            ? `${strip(p.data.source)} → ${strip(p.data.target)}: ${fmt(p.data.value)}`
            : `${strip(p.name)}: ${fmt(p.value)}`,
      },
      series: [
        {
          type: 'sankey',
          data: names.map((name) => ({ name })),
          links: data,
          emphasis: { focus: 'adjacency' },
          nodeAlign: 'justify',
          label: { formatter: (p: { name: string }) => strip(p.name) },
          lineStyle: { color: 'gradient', curveness: 0.5 },
        },
      ],
    },
    { height: Math.max(320, names.length * 22), testid },
  );
}

// Node names carry their column ("1 donor-x") so one party can appear in two columns.
function strip(name: string): string {
  return name.replace(/^\d /, '');
}

export async function flowsPage(el: HTMLElement): Promise<void> {
  const params = routeParams();
  const [projects, commitments, consignments, releases] = await Promise.all([
    getAll<{ project: string }>('/v1/projects'),
    may('commitments') ? getAll<Commitment>('/v1/funds/commitments') : Promise.resolve(null),
    may('consignments') ? getAll<Consignment>('/v1/consignments') : Promise.resolve(null),
    may('releases') ? getAll<Release>('/v1/releases') : Promise.resolve(null),
  ]);
  const projectIds = new Set(projects.map((p) => p.project));
  el.append(h('h2', null, 'Flows'));

  if (commitments) {
    const currencies = unique(commitments.map((c) => c.currency));
    let currency = params.get('currency') ?? currencies[0] ?? '';
    const body = h('div');
    const draw = (): void => {
      const links: Link[] = [];
      const paid = new Map<string, { project: string; payee: string; amount: number }>();
      let committed = 0;
      let paidTotal = 0;
      for (const c of commitments) {
        if (c.currency !== currency) continue;
        links.push({ source: `1 ${c.donor}`, target: `2 ${c.project}`, value: c.amount });
        committed += c.amount;
        for (const p of c.project_payments) {
          if (p.amount.currency === currency) paid.set(p.payment, { project: c.project, payee: p.payee, amount: p.amount.amount });
        }
      }
      for (const p of paid.values()) {
        links.push({ source: `2 ${p.project}`, target: `3 ${p.payee}`, value: p.amount });
        paidTotal += p.amount;
      }
      clear(
        body,
        h('p', { class: 'muted' }, `Committed ${money(committed, currency)} by donors to projects; paid ${money(paidTotal, currency)} by implementers to payees.`),
        sankey(links, (v) => money(v, currency), 'money-sankey'),
      );
    };
    draw();
    el.append(
      card(
        'Money: donors → projects → payees',
        h('div', { class: 'filters' }, 'Currency ', select('currency', currencies, currency, (v) => { currency = v || currencies[0] || ''; draw(); }, currencies[0] ?? 'all')),
        body,
      ),
    );
  } else {
    el.append(card('Money', h('p', { class: 'muted' }, 'Your role does not see commitments.')));
  }

  if (consignments || releases) {
    const items = unique([
      ...(consignments ?? []).flatMap((c) => Object.keys(c.entered)),
      ...(releases ?? []).flatMap((r) => Object.keys(r.lines)),
    ]);
    let item = params.get('item') ?? items[0] ?? '';
    const body = h('div');
    const draw = (): void => {
      const links: Link[] = [];
      for (const c of consignments ?? []) {
        if (c.crossings) {
          for (const [crossing, q] of Object.entries(c.crossings)) {
            links.push({ source: `1 ${crossing}`, target: `2 ${c.vendor}`, value: q[item] ?? 0 });
          }
        } else {
          links.push({ source: `1 ${c.crossing ?? 'entered (crossing not listed)'}`, target: `2 ${c.vendor}`, value: c.entered[item] ?? 0 });
        }
      }
      const households = new Set<string>();
      for (const r of releases ?? []) {
        const q = r.lines[item] ?? 0;
        if (!q) continue;
        const isProject = projectIds.has(r.to);
        if (!isProject) households.add(r.to);
        links.push({ source: `2 ${r.vendor}`, target: isProject ? `3 ${r.to}` : '3 households', value: q });
      }
      const released = (releases ?? []).reduce((s, r) => s + (r.lines[item] ?? 0), 0);
      clear(
        body,
        h('p', { class: 'muted' }, `${num(released)} released of ${item}; ${households.size} households received it.`),
        sankey(links, (v) => num(v), 'materials-sankey'),
      );
    };
    draw();
    el.append(
      card(
        'Materials: crossings → vendors → projects and households',
        h('div', { class: 'filters' }, 'Item ', select('item', items, item, (v) => { item = v || items[0] || ''; draw(); }, items[0] ?? 'all')),
        body,
      ),
    );
  }
}
