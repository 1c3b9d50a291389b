// Vendors and warehouses: stock per warehouse (book and last count, with the difference),
// counts against the book, releases (filterable) and releases over time.
import { getAll } from '../api';
import { chart } from '../charts';
import { areaName } from '../data/areas';
import { may } from '../session';
import { badge, card, clear, h, num, routeParams, select, table, time, unique } from '../ui';
import type { Release, Warehouse } from './types';

export async function vendorsPage(el: HTMLElement): Promise<void> {
  const params = routeParams();
  const warehouses = await getAll<Warehouse>('/v1/warehouses');
  const releases = may('releases') ? await getAll<Release>('/v1/releases') : [];
  let vendor = params.get('vendor') ?? '';
  let item = params.get('item') ?? '';
  const vendors = unique(warehouses.map((w) => w.vendor));
  const items = unique(warehouses.flatMap((w) => w.stock.map((s) => s.item)));
  const body = h('div');

  const draw = (): void => {
    const ws = warehouses.filter((w) => !vendor || w.vendor === vendor);
    const rows = ws.flatMap((w) => w.stock.filter((s) => !item || s.item === item).map((s) => ({ w, s })));
    const counted = rows.filter((r) => r.s.last_count);
    const rel = releases.filter((r) => (!vendor || r.vendor === vendor) && (!item || r.lines[item]));
    const weeks = unique(rel.map((r) => r.week));
    const relVendors = unique(rel.map((r) => r.vendor));
    clear(
      body,
      h(
        'div',
        { class: 'cols' },
        card(
          'Counts against the book',
          counted.length
            ? chart(
                {
                  tooltip: { trigger: 'axis' },
                  legend: {},
                  
                  xAxis: { type: 'category', data: counted.map((r) => `${r.w.warehouse}/${r.s.item}`), axisLabel: { rotate: 35 } },
                  yAxis: { type: 'value' },
                  series: [
                    { name: 'book at count', type: 'bar', data: counted.map((r) => r.s.last_count!.book) },
                    { name: 'counted', type: 'bar', data: counted.map((r) => r.s.last_count!.quantity) },
                  ],
                },
                { height: 300, testid: 'counts-chart' },
              )
            : h('p', { class: 'muted' }, 'No counts yet.'),
        ),
        card(
          'Releases per week',
          weeks.length
            ? chart(
                {
                  tooltip: { trigger: 'axis' },
                  legend: { type: 'scroll' },
                  xAxis: { type: 'category', data: weeks },
                  yAxis: { type: 'value', name: item || 'all items' },
                  series: relVendors.map((v) => ({
                    name: v,
                    type: 'bar',
                    stack: 'vendors',
                    data: weeks.map((wk) =>
                      rel.filter((r) => r.vendor === v && r.week === wk).reduce((s, r) => s + (item ? r.lines[item] ?? 0 : Object.values(r.lines).reduce((a, b) => a + b, 0)), 0),
                    ),
                  })),
                },
                { height: 300, testid: 'releases-chart' },
              )
            : h('p', { class: 'muted' }, 'No releases.'),
        ),
      ),
      card(
        `Stock (${ws.length} warehouses)`,
        table(
          rows,
          [
            { title: 'warehouse', cell: (r) => r.w.warehouse },
            { title: 'vendor', cell: (r) => r.w.vendor },
            { title: 'area', cell: (r) => areaName(r.w.area) },
            { title: 'item', cell: (r) => r.s.item },
            { title: 'book', cell: (r) => num(r.s.book), cls: 'num' },
            { title: 'last count', cell: (r) => (r.s.last_count ? num(r.s.last_count.quantity) : '—'), cls: 'num' },
            { title: 'book at count', cell: (r) => (r.s.last_count ? num(r.s.last_count.book) : '—'), cls: 'num' },
            {
              title: 'count − book',
              cls: 'num',
              cell: (r) => {
                if (!r.s.last_count) return '—';
                const d = r.s.last_count.quantity - r.s.last_count.book;
                return d === 0 ? badge('0', 'ok') : badge(num(d), d < 0 ? 'bad' : 'warn');
              },
            },
            { title: 'counted', cell: (r) => time(r.s.last_count?.logged) },
          ],
          { empty: 'No stock for this selection.', testid: 'stock-table' },
        ),
      ),
      card(
        `Releases (${rel.length})`,
        table(
          rel.slice(-200).reverse(),
          [
            { title: 'release', cell: (r) => r.release },
            { title: 'logged', cell: (r) => time(r.logged) },
            { title: 'warehouse', cell: (r) => r.warehouse },
            { title: 'vendor', cell: (r) => r.vendor },
            { title: 'to', cell: (r) => r.to },
            { title: 'lines', cell: (r) => Object.entries(r.lines).map(([i, q]) => `${i} ${num(q)}`).join(', ') },
          ],
          { empty: 'No releases.', testid: 'releases-table' },
        ),
        rel.length > 200 ? h('p', { class: 'muted' }, 'The newest 200 are shown.') : null,
      ),
    );
  };

  el.append(
    h('h2', null, 'Vendors & warehouses'),
    h(
      'div',
      { class: 'filters', 'data-testid': 'vendor-filters' },
      h('label', null, 'vendor ', select('vendor', vendors, vendor, (v) => { vendor = v; draw(); })),
      h('label', null, 'item ', select('item', items, item, (v) => { item = v; draw(); })),
    ),
    body,
  );
  draw();
}
