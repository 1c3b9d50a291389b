// Households (beneficiaries): shown to roles that may read them; the private record
// (names, id numbers) only comes back for roles the policy allows personal data.
import { getAll } from '../api';
import { areaName } from '../data/areas';
import { getWhoami } from '../session';
import { card, clear, h, num, routeParams, select, table, unique } from '../ui';
import type { Beneficiary } from './types';

function privateText(p: Record<string, unknown> | undefined): string {
  if (!p) return '';
  const { salt: _salt, ...rest } = p;
  return JSON.stringify(rest);
}

export async function householdsPage(el: HTMLElement): Promise<void> {
  const params = routeParams();
  const rows = await getAll<Beneficiary>('/v1/beneficiaries');
  const w = getWhoami();
  let area = params.get('area') ?? '';
  let damage = params.get('damage') ?? '';
  const body = h('div');
  const draw = (): void => {
    const shown = rows.filter((r) => (!area || r.area === area) && (!damage || r.damage === damage));
    clear(
      body,
      card(
        `Households (${shown.length})`,
        w?.personal_data
          ? h('p', { class: 'warn-text' }, 'Your role may read personal data: handle it under the programme\'s data-protection rules.')
          : h('p', { class: 'muted' }, 'Personal data is not shown to your role.'),
        table(
          shown.slice(0, 500),
          [
            { title: 'household', cell: (r) => r.beneficiary },
            { title: 'area', cell: (r) => areaName(r.area) },
            { title: 'size', cell: (r) => num(r.household_size), cls: 'num' },
            { title: 'damage', cell: (r) => r.damage },
            { title: 'entitlement', cell: (r) => Object.entries(r.entitlement).map(([i, q]) => `${i} ${num(q)}`).join(', ') },
            { title: 'released', cell: (r) => Object.entries(r.released).map(([i, q]) => `${i} ${num(q)}`).join(', ') },
            { title: 'verified', cell: (r) => Object.entries(r.verified).map(([i, q]) => `${i} ${num(q)}`).join(', ') },
            ...(w?.personal_data ? [{ title: 'private record', cell: (r: Beneficiary) => h('code', null, privateText(r.private)) }] : []),
          ],
          { empty: 'No households.', testid: 'households-table' },
        ),
      ),
    );
  };
  el.append(
    h('h2', null, 'Households'),
    h(
      'div',
      { class: 'filters' },
      h('label', null, 'area ', select('area', unique(rows.map((r) => r.area)), area, (v) => { area = v; draw(); })),
      h('label', null, 'damage ', select('damage', unique(rows.map((r) => r.damage)), damage, (v) => { damage = v; draw(); })),
    ),
    body,
  );
  draw();
}
