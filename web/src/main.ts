// The dashboard: a hash-routed single page. What is shown follows the token's role
// (GET /v1/whoami); pages a role may not read are not offered.
import './style.css';
import { getJson } from './api';
import { disposeCharts } from './charts';
import { keyPanel } from './keys';
import { getToken, getWhoami, may, onSessionChange, setToken, setWhoami, type WhoAmI } from './session';
import { clear, errorBox, h, loading } from './ui';
import { signInPage } from './pages/signin';
import { overviewPage } from './pages/overview';
import { flowsPage } from './pages/flows';
import { projectsPage, projectDetailPage } from './pages/projects';
import { vendorsPage } from './pages/vendors';
import { alertsPage } from './pages/alerts';
import { screeningPage } from './pages/screening';
import { ledgerPage } from './pages/ledger';
import { householdsPage } from './pages/households';

export interface PageDef {
  path: string;
  title: string;
  render: (main: HTMLElement, arg: string) => Promise<void> | void;
  visible: () => boolean;
}

const PAGES: PageDef[] = [
  { path: 'overview', title: 'Overview', render: overviewPage, visible: () => true },
  { path: 'flows', title: 'Flows', render: flowsPage, visible: () => may('flows') || may('releases') },
  { path: 'projects', title: 'Projects', render: (m, a) => (a ? projectDetailPage(m, a) : projectsPage(m)), visible: () => true },
  { path: 'vendors', title: 'Vendors & warehouses', render: vendorsPage, visible: () => may('warehouses') },
  { path: 'households', title: 'Households', render: householdsPage, visible: () => may('beneficiaries') },
  { path: 'alerts', title: 'Alerts & cases', render: alertsPage, visible: () => may('enforcement') },
  { path: 'screening', title: 'Screening', render: screeningPage, visible: () => may('enforcement') },
  { path: 'ledger', title: 'Ledger', render: ledgerPage, visible: () => true },
];

const app = document.getElementById('app')!;
const nav = h('nav', { class: 'nav', 'aria-label': 'pages' });
const who = h('div', { class: 'who' });
const keys = h('div', { class: 'keys' });
const main = h('main', { id: 'main' });
clear(
  app,
  h('header', { class: 'top' }, h('a', { class: 'brand', href: '#/overview' }, 'aidtrace'), nav, who),
  keys,
  main,
);

function currentRoute(): { path: string; arg: string } {
  const hash = location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  const [path = '', ...rest] = hash.split('/');
  return { path, arg: decodeURIComponent(rest.join('/')) };
}

function renderChrome(): void {
  const w = getWhoami();
  const { path } = currentRoute();
  clear(
    nav,
    w
      ? PAGES.filter((p) => p.visible()).map((p) =>
          h('a', { href: `#/${p.path}`, class: p.path === path ? 'active' : '', 'data-page': p.path }, p.title),
        )
      : [],
  );
  clear(
    who,
    w
      ? [
          h('span', { 'data-testid': 'whoami' }, `${w.name || w.party} · ${w.role}`),
          w.personal_data ? h('span', { class: 'badge warn', title: 'this token may read personal data' }, 'personal data') : null,
          h('button', { class: 'link', onclick: () => signOut() }, 'Sign out'),
        ]
      : [h('a', { href: '#/signin' }, 'Sign in')],
  );
  clear(keys, w ? keyPanel() : null);
}

function signOut(): void {
  setToken(null);
  setWhoami(null);
  location.hash = '#/signin';
}

export async function loadWhoami(): Promise<WhoAmI> {
  const w = await getJson<WhoAmI>('/v1/whoami');
  setWhoami(w);
  return w;
}

let renderSeq = 0;
async function route(): Promise<void> {
  const seq = ++renderSeq;
  disposeCharts();
  const { path, arg } = currentRoute();
  if (path === 'signin' || !getToken()) {
    renderChrome();
    signInPage(main);
    return;
  }
  if (!getWhoami()) {
    clear(main, loading('Checking the token…'));
    try {
      await loadWhoami();
    } catch (e) {
      clear(main, errorBox(e, 'Sign-in'), h('p', null, h('a', { href: '#/signin' }, 'Sign in again')));
      return;
    }
  }
  renderChrome();
  const page = PAGES.find((p) => p.path === path && p.visible()) ?? PAGES[0]!;
  if (page.path !== path) {
    location.replace(`#/${page.path}`);
    return;
  }
  document.title = `${page.title} · aidtrace`;
  clear(main, loading());
  try {
    const el = h('div', { class: 'page', 'data-page': page.path });
    await page.render(el, arg);
    if (seq === renderSeq) clear(main, el);
  } catch (e) {
    if (seq === renderSeq) clear(main, errorBox(e, page.title));
  }
}

onSessionChange(() => renderChrome());
window.addEventListener('hashchange', () => void route());
if (!location.hash) location.replace(getToken() ? '#/overview' : '#/signin');
void route();
