// Overview: funds pledged, committed, disbursed and paid; materials entered, released and
// verified by item; open alerts by kind; decisions overdue; weekly trends.
import { getAll, getJson } from '../api';
import { chart } from '../charts';
import { may } from '../session';
import { card, h, isOverdue, money, num, stat, table, time } from '../ui';
import type { Alert, Dashboard, FlowRow, Pending } from './types';

export async function overviewPage(el: HTMLElement): Promise<void> {
  const [dash, flows, alerts, pending] = await Promise.all([
    getJson<Dashboard>('/v1/dashboard'),
    may('flows') ? getAll<FlowRow>('/v1/funds/flows', { by: 'currency' }) : Promise.resolve(null),
    may('enforcement') ? getAll<Alert>('/v1/alerts', { status: 'open' }) : Promise.resolve(null),
    may('pending') ? getAll<Pending>('/v1/pending') : Promise.resolve(null),
  ]);

  const t = dash.totals;
  const totals = h(
    'div',
    { class: 'stats' },
    stat('projects', num(t.projects), 'total-projects'),
    stat('households', num(t.households)),
    stat('warehouses', num(t.warehouses)),
    stat('consignments', num(t.consignments)),
    stat('releases', num(t.releases)),
    stat('parties', num(t.parties)),
  );

  const funds = flows
    ? card(
        'Funds',
        table(
          flows,
          [
            { title: 'currency', cell: (r) => r.currency },
            { title: 'pledged', cell: (r) => money(r.pledged, r.currency), cls: 'num' },
            { title: 'committed', cell: (r) => money(r.committed, r.currency), cls: 'num' },
            { title: 'disbursed', cell: (r) => money(r.disbursed, r.currency), cls: 'num' },
            { title: 'paid', cell: (r) => money(r.paid, r.currency), cls: 'num' },
          ],
          { empty: 'No funds recorded yet.', testid: 'funds-table' },
        ),
        flows.length
          ? chart(
              {
                tooltip: { trigger: 'axis' },
                legend: {},
                xAxis: { type: 'category', data: ['pledged', 'committed', 'disbursed', 'paid'] },
                yAxis: { type: 'value', name: 'major units' },
                series: flows.map((r) => ({
                  name: r.currency,
                  type: 'bar',
                  data: [r.pledged, r.committed, r.disbursed, r.paid].map((x) => x / 100),
                })),
              },
              { height: 220, testid: 'funds-chart' },
            )
          : null,
      )
    : card('Funds', h('p', { class: 'muted' }, 'Your role does not see funds.'));

  const items = dash.by_item;
  const materials = card(
    'Materials by item',
    table(
      items,
      [
        { title: 'item', cell: (r) => r.item },
        { title: 'unit', cell: (r) => r.unit ?? '' },
        { title: 'approved', cell: (r) => num(r.approved), cls: 'num' },
        { title: 'entered', cell: (r) => num(r.entered), cls: 'num' },
        { title: 'in stock', cell: (r) => num(r.in_stock), cls: 'num' },
        { title: 'released', cell: (r) => num(r.released), cls: 'num' },
        { title: 'verified', cell: (r) => num(r.verified), cls: 'num' },
      ],
      { empty: 'No items yet.', testid: 'items-table' },
    ),
    items.length
      ? chart(
          {
            tooltip: { trigger: 'axis' },
            legend: {},
            
            xAxis: { type: 'category', data: items.map((i) => i.item), axisLabel: { rotate: 30 } },
            yAxis: { type: 'value' },
            series: (['entered', 'released', 'verified'] as const).map((k) => ({
              name: k,
              type: 'bar',
              data: items.map((i) => i[k]),
            })),
          },
          { height: 280, testid: 'items-chart' },
        )
      : null,
  );

  let alertsCard: HTMLElement;
  if (alerts) {
    const byKind = new Map<string, number>();
    for (const a of alerts) byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + 1);
    const rows = [...byKind.entries()].sort((a, b) => b[1] - a[1]);
    alertsCard = card(
      `Open alerts (${alerts.length})`,
      rows.length
        ? chart(
            {
              tooltip: {},
              series: [{ type: 'pie', radius: ['35%', '65%'], data: rows.map(([name, value]) => ({ name, value })) }],
            },
            { height: 220, testid: 'alerts-chart' },
          )
        : null,
      table(rows, [
        { title: 'kind', cell: (r) => h('a', { href: `#/alerts?kind=${encodeURIComponent(r[0])}` }, r[0]) },
        { title: 'open', cell: (r) => num(r[1]), cls: 'num' },
      ], { empty: 'No open alerts.', testid: 'alerts-by-kind' }),
    );
  } else {
    alertsCard = card('Open alerts', h('p', { class: 'muted' }, 'Your role does not see alerts.'));
  }

  let pendingCard: HTMLElement;
  if (pending) {
    const now = Date.now();
    const overdue = pending.filter((p) => isOverdue(p.deadline, now));
    pendingCard = card(
      `Decisions overdue (${overdue.length} of ${pending.length} pending)`,
      table(
        overdue,
        [
          { title: 'kind', cell: (r) => r.kind },
          { title: 'id', cell: (r) => r.id },
          { title: 'deadline', cell: (r) => h('span', { class: 'overdue' }, time(r.deadline)) },
          { title: 'waiting for', cell: (r) => r.waiting_for.join(', ') },
        ],
        { empty: 'No decision is overdue.', testid: 'overdue-table' },
      ),
    );
  } else {
    pendingCard = card('Decisions overdue', h('p', { class: 'muted' }, 'Your role does not see pending decisions.'));
  }

  const weeks = dash.by_week;
  const weekItems = [...new Set(weeks.flatMap((w) => Object.keys(w.released)))].sort();
  const trends = card(
    'Weekly trends: material released',
    weeks.length
      ? chart(
          {
            tooltip: { trigger: 'axis' },
            legend: {},
            xAxis: { type: 'category', data: weeks.map((w) => w.week) },
            yAxis: { type: 'value' },
            series: weekItems.map((item) => ({
              name: item,
              type: 'line',
              smooth: true,
              data: weeks.map((w) => w.released[item] ?? 0),
            })),
          },
          { height: 260, testid: 'weekly-chart' },
        )
      : h('p', { class: 'muted' }, 'No releases yet.'),
  );

  el.append(h('h2', null, 'Overview'), totals, h('div', { class: 'cols' }, funds, alertsCard), materials, h('div', { class: 'cols' }, pendingCard, trends));
}
