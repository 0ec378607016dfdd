// The dashboard's entry: marks the current page in the navigation and draws the page the path
// names. Every page reads the JSON API, the same documents the command line's --json prints.
import { overview } from './overview.js';
import { runs } from './runs.js';
import { run } from './run.js';
import { alerts } from './alerts.js';
import { logs } from './logs.js';
import { workers } from './workers.js';
import { costs } from './costs.js';
import { library } from './library.js';
import { agents } from './agents.js';
import { providers } from './providers.js';
import { follow, coalesce } from './live.js';

const main = document.getElementById('main');
const path = location.pathname;

const pages = [
  { match: /^\/$/, nav: 'overview', draw: () => overview(main) },
  { match: /^\/runs$/, nav: 'runs', draw: () => runs(main) },
  { match: /^\/runs\/([A-Za-z0-9_-]+)$/, nav: 'runs', draw: (m) => run(main, m[1]) },
  { match: /^\/costs$/, nav: 'costs', draw: () => costs(main), live: true },
  { match: /^\/library$/, nav: 'library', draw: () => library(main), live: true },
  { match: /^\/agents$/, nav: 'agents', draw: () => agents(main), live: true },
  { match: /^\/providers$/, nav: 'providers', draw: () => providers(main), live: true },
  { match: /^\/alerts$/, nav: 'alerts', draw: () => alerts(main) },
  { match: /^\/logs$/, nav: 'logs', draw: () => logs(main) },
  { match: /^\/workers$/, nav: 'workers', draw: () => workers(main) },
];

for (const page of pages) {
  const m = path.match(page.match);
  if (!m) continue;
  document.querySelector(`nav a[data-page="${page.nav}"]`)?.setAttribute('aria-current', 'page');
  page.draw(m);
  // The analytics pages draw from scratch on each call: redraw when runs move (a stage's calls are
  // in the rollups by then), at most every few seconds however busy the library is.
  if (page.live) follow({ onRun: coalesce(() => page.draw(m), 3000), onResync: () => page.draw(m) });
  break;
}
