// Small DOM helpers: element building, tables, numbers, money, visible errors.
import { ApiError } from './api';
import { VerifyError } from './verify';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function clear(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

const nf = new Intl.NumberFormat('en-GB');
export function num(n: number | undefined | null): string {
  return n === undefined || n === null ? '—' : nf.format(n);
}

// Money in minor units (2 decimals for the currencies the programme uses).
export function money(amount: number | undefined | null, currency: string): string {
  if (amount === undefined || amount === null) return '—';
  return `${currency} ${new Intl.NumberFormat('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(amount / 100)}`;
}

export function shortId(id: string): string {
  return id.startsWith('sha256:') ? id.slice(0, 15) + '…' : id;
}

export function time(t: string | undefined | null): string {
  if (!t) return '—';
  return t.replace('T', ' ').replace('Z', ' UTC');
}

export function isOverdue(deadline: string | undefined | null, now = Date.now()): boolean {
  return !!deadline && Date.parse(deadline) < now;
}

export function badge(text: string, kind = ''): HTMLElement {
  return h('span', { class: `badge ${kind}`.trim() }, text);
}

// An error as the user should see it: the API's code, message and path, or the
// verifier's reason.
export function errorBox(e: unknown, context = ''): HTMLElement {
  let title = 'Error';
  let detail = String(e);
  if (e instanceof ApiError) {
    title = `${e.code}${e.status ? ` (HTTP ${e.status})` : ''}`;
    detail = e.message + (e.path ? ` — at ${e.path}` : '');
  } else if (e instanceof VerifyError) {
    title = e.code;
    detail = e.message;
  } else if (e instanceof Error) {
    detail = e.message;
  }
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-error-code': e instanceof ApiError || e instanceof VerifyError ? e.code : 'error' },
    h('strong', null, context ? `${context}: ${title}` : title),
    h('div', null, detail),
  );
}

export function loading(text = 'Loading…'): HTMLElement {
  return h('div', { class: 'loading' }, text);
}

export interface Column<T> {
  title: string;
  cell: (row: T) => Child | Child[];
  cls?: string;
}

export function table<T>(rows: T[], cols: Column<T>[], opts: { empty?: string; testid?: string } = {}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty', 'data-testid': opts.testid }, opts.empty ?? 'Nothing to show.');
  return h(
    'table',
    { class: 'grid', 'data-testid': opts.testid },
    h('thead', null, h('tr', null, cols.map((c) => h('th', { class: c.cls }, c.title)))),
    h(
      'tbody',
      null,
      rows.map((r) => h('tr', null, cols.map((c) => h('td', { class: c.cls }, c.cell(r))))),
    ),
  );
}

export function card(title: string, ...body: (Child | Child[])[]): HTMLElement {
  return h('section', { class: 'card' }, h('h3', null, title), ...body);
}

export function stat(label: string, value: string, testid?: string): HTMLElement {
  return h('div', { class: 'stat', 'data-testid': testid }, h('div', { class: 'stat-value' }, value), h('div', { class: 'stat-label' }, label));
}

export function select(
  name: string,
  options: string[],
  value: string,
  onChange: (v: string) => void,
  allLabel = 'all',
): HTMLSelectElement {
  const s = h(
    'select',
    { name, 'aria-label': name, onchange: ((e: Event) => onChange((e.target as HTMLSelectElement).value)) as EventListener },
    h('option', { value: '' }, allLabel),
    options.map((o) => h('option', { value: o, selected: o === value }, o)),
  );
  return s;
}

export function progress(permille: number): HTMLElement {
  const p = Math.max(0, Math.min(1000, permille));
  return h(
    'div',
    { class: 'progress', title: `${(p / 10).toFixed(1)} %` },
    h('div', { class: 'progress-bar', style: `width:${p / 10}%` }),
    h('span', null, `${(p / 10).toFixed(1)} %`),
  );
}

export function unique(xs: (string | undefined | null)[]): string[] {
  return [...new Set(xs.filter((x): x is string => !!x))].sort();
}

// Query parameters of the hash route (#/page?x=1).
export function routeParams(): URLSearchParams {
  const hash = location.hash;
  const i = hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
}
