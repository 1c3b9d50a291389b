// Projects: a filterable table (filters run on the server), a map of the programme's
// areas, and a detail page with bill-of-quantities progress, the approval round and its
// deadline, funds, commitments and the project's event timeline.
import { getAll, getJson, getLeaves } from '../api';
import { chart } from '../charts';
import { areaName, AREA_NAMES } from '../data/areas';
import { card, clear, h, isOverdue, money, num, progress, routeParams, select, table, time, unique, badge } from '../ui';
import type { Project, ProjectDetail } from './types';

const FILTERS = ['status', 'area', 'sector', 'implementer', 'category'] as const;

function statusBadge(s: string): HTMLElement {
  const kind = s === 'approved' || s === 'completed' ? 'ok' : s === 'rejected' || s === 'suspended' ? 'bad' : s === 'proposed' ? 'warn' : '';
  return badge(s, kind);
}

export function projectMap(projects: Project[], testid = 'projects-map'): HTMLElement {
  const perArea = new Map<string, number>();
  for (const p of projects) perArea.set(p.area, (perArea.get(p.area) ?? 0) + 1);
  const max = Math.max(1, ...perArea.values());
  return chart(
    {
      tooltip: {
        trigger: 'item',
        formatter: (p: { seriesType: string; name: string; value: unknown; data?: { title?: string; status?: string } }) =>
          p.seriesType === 'scatter'
            ? `${p.name}: ${p.data?.title ?? ''} (${p.data?.status ?? ''})`
            : `${AREA_NAMES[p.name] ?? p.name}: ${num(Number(p.value) || 0)} project(s)`,
      },
      visualMap: { min: 0, max, left: 10, bottom: 10, text: ['more', 'fewer'], calculable: false, seriesIndex: 0, inRange: { color: ['#eef3f8', '#5b8fc7'] } },
      geo: {
        map: 'gaza',
        roam: true,
        aspectScale: 0.86,
        label: { show: true, fontSize: 11, color: '#34495e', formatter: (p: { name: string }) => AREA_NAMES[p.name] ?? p.name },
        itemStyle: { borderColor: '#7890a8' },
      },
      series: [
        {
          type: 'map',
          map: 'gaza',
          geoIndex: 0,
          data: Object.keys(AREA_NAMES).map((a) => ({ name: a, value: perArea.get(a) ?? 0 })),
        },
        {
          type: 'scatter',
          coordinateSystem: 'geo',
          symbolSize: 9,
          itemStyle: { color: '#c0392b' },
          data: projects
            .filter((p) => p.location)
            .map((p) => ({ name: p.project, title: p.title, status: p.status, value: [p.location.lon_e6 / 1e6, p.location.lat_e6 / 1e6] })),
        },
      ],
    },
    { height: 440, testid },
  );
}

export async function projectsPage(el: HTMLElement): Promise<void> {
  const params = routeParams();
  const all = await getAll<Project>('/v1/projects');
  const current: Record<string, string> = {};
  for (const f of FILTERS) current[f] = params.get(f) ?? '';
  const body = h('div', { class: 'cols' });
  const count = h('span', { class: 'muted', 'data-testid': 'project-count' });

  const draw = async (): Promise<void> => {
    const q: Record<string, string> = {};
    for (const f of FILTERS) if (current[f]) q[f] = current[f]!;
    const hash = new URLSearchParams(q).toString();
    history.replaceState(null, '', `#/projects${hash ? '?' + hash : ''}`);
    const rows = await getAll<Project>('/v1/projects', q);
    count.textContent = `${rows.length} of ${all.length} projects`;
    clear(
      body,
      card(
        'Projects',
        table(
          rows,
          [
            { title: 'project', cell: (r) => h('a', { href: `#/projects/${encodeURIComponent(r.project)}` }, r.project) },
            { title: 'title', cell: (r) => r.title },
            { title: 'area', cell: (r) => areaName(r.area) },
            { title: 'category', cell: (r) => r.category },
            { title: 'sector', cell: (r) => r.sector },
            { title: 'implementer', cell: (r) => r.implementer },
            { title: 'status', cell: (r) => [statusBadge(r.status), r.pending_round ? badge('round open', 'warn') : null] },
            { title: 'budget', cell: (r) => money(r.budget || r.proposed_budget, r.currency), cls: 'num' },
          ],
          { empty: 'No project matches these filters.', testid: 'projects-table' },
        ),
      ),
      card('Map', projectMap(rows)),
    );
  };

  const filters = h(
    'div',
    { class: 'filters', 'data-testid': 'project-filters' },
    FILTERS.map((f) =>
      h('label', null, `${f} `, select(f, unique(all.map((p) => p[f])), current[f]!, (v) => { current[f] = v; void draw(); })),
    ),
    count,
  );
  el.append(h('h2', null, 'Projects'), filters, body);
  await draw();
}

export async function projectDetailPage(el: HTMLElement, id: string): Promise<void> {
  const p = await getJson<ProjectDetail>(`/v1/projects/${encodeURIComponent(id)}`);
  el.append(
    h('p', null, h('a', { href: '#/projects' }, '← all projects')),
    h('h2', null, `${p.title} `, h('small', { class: 'muted' }, p.project), ' ', statusBadge(p.status)),
    h(
      'div',
      { class: 'stats' },
      h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, areaName(p.area)), h('div', { class: 'stat-label' }, 'area')),
      h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, p.implementer), h('div', { class: 'stat-label' }, 'implementer')),
      h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, `${p.category} / ${p.sector}`), h('div', { class: 'stat-label' }, 'category / sector')),
      h('div', { class: 'stat' }, h('div', { class: 'stat-value' }, money(p.budget || p.proposed_budget, p.currency)), h('div', { class: 'stat-label' }, p.budget ? 'approved budget' : 'proposed budget')),
    ),
  );
  el.append(
    card(
      'Bill of quantities',
      table(
        p.boq ?? [],
        [
          { title: 'item', cell: (r) => r.item },
          { title: 'proposed', cell: (r) => num(r.proposed), cls: 'num' },
          { title: 'approved', cell: (r) => num(r.approved), cls: 'num' },
          { title: 'allocated', cell: (r) => num(r.allocated), cls: 'num' },
          { title: 'released', cell: (r) => num(r.released), cls: 'num' },
          { title: 'verified', cell: (r) => num(r.verified), cls: 'num' },
          { title: 'progress (verified / approved)', cell: (r) => progress(r.progress_permille) },
        ],
        { empty: 'No bill of quantities.', testid: 'boq-table' },
      ),
    ),
  );
  const r = p.approval ?? p.round;
  el.append(
    card(
      'Approvals and deadlines',
      r
        ? h(
            'div',
            { 'data-testid': 'approval-round' },
            h('p', null, `Open ${r.kind} round since ${time(r.opened)}; deadline `, h('span', { class: isOverdue(r.deadline) ? 'overdue' : '' }, time(r.deadline)), isOverdue(r.deadline) ? badge('overdue', 'bad') : null),
            h('p', null, `Quorum: ${r.quorum.k} of ${r.quorum.of.join(', ')}`),
            h('p', null, `Approved by: ${r.approvals.join(', ') || 'nobody yet'}; rejected by: ${r.rejections.join(', ') || 'nobody'}`),
            h('p', null, `Awaited: ${r.waiting_for.join(', ') || 'nobody'}`),
          )
        : h('p', { class: 'muted', 'data-testid': 'approval-round' }, `No open approval round (status ${p.status}).`),
    ),
  );
  el.append(
    h(
      'div',
      { class: 'cols' },
      card(
        'Funds',
        table(p.funds ?? [], [
          { title: 'currency', cell: (f) => f.currency },
          { title: 'committed', cell: (f) => money(f.committed, f.currency), cls: 'num' },
          { title: 'disbursed', cell: (f) => money(f.disbursed, f.currency), cls: 'num' },
          { title: 'paid', cell: (f) => money(f.paid, f.currency), cls: 'num' },
        ], { empty: 'No funds yet.', testid: 'project-funds' }),
        table(p.commitments ?? [], [
          { title: 'commitment', cell: (c) => c.commitment },
          { title: 'donor', cell: (c) => c.donor },
          { title: 'amount', cell: (c) => money(c.amount.amount, c.amount.currency), cls: 'num' },
          { title: 'disbursed', cell: (c) => money(c.disbursed, c.amount.currency), cls: 'num' },
        ], { empty: 'No commitments visible.' }),
      ),
      card('Event timeline', await timeline(p.timeline ?? [])),
    ),
  );
}

// The project's events; rows without type/actor are completed from the public leaves.
async function timeline(rows: ProjectDetail['timeline']): Promise<HTMLElement> {
  const need = rows.filter((r) => !r.type).slice(-50);
  await Promise.all(
    need.map(async (r) => {
      try {
        const page = await getLeaves(r.seq, 1);
        const leaf = JSON.parse(page.lines[0] ?? '{}');
        r.type = leaf.event?.type;
        r.actor = leaf.event?.actor;
        r.logged = leaf.logged;
      } catch {
        /* shown without details */
      }
    }),
  );
  return table(
    rows.slice().reverse(),
    [
      { title: 'seq', cell: (r) => h('a', { href: `#/ledger?seq=${r.seq}` }, String(r.seq)) },
      { title: 'type', cell: (r) => r.type ?? '' },
      { title: 'actor', cell: (r) => r.actor ?? '' },
      { title: 'logged', cell: (r) => time(r.logged) },
    ],
    { empty: 'No events.', testid: 'timeline' },
  );
}
