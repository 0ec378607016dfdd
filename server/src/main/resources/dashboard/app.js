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

const main = document.getElementById('main');
const path = location.pathname;

const pages = [
  { match: /^\/$/, nav: 'overview', draw: () => overview(main) },
  { match: /^\/runs$/, nav: 'runs', draw: () => runs(main) },
  { match: /^\/runs\/([A-Za-z0-9_-]+)$/, nav: 'runs', draw: (m) => run(main, m[1]) },
  { match: /^\/costs$/, nav: 'costs', draw: () => costs(main) },
  { match: /^\/library$/, nav: 'library', draw: () => library(main) },
  { match: /^\/agents$/, nav: 'agents', draw: () => agents(main) },
  { match: /^\/providers$/, nav: 'providers', draw: () => providers(main) },
  { match: /^\/alerts$/, nav: 'alerts', draw: () => alerts(main) },
  { match: /^\/logs$/, nav: 'logs', draw: () => logs(main) },
  { match: /^\/workers$/, nav: 'workers', draw: () => workers(main) },
];

for (const page of pages) {
  const m = path.match(page.match);
  if (!m) continue;
  document.querySelector(`nav a[data-page="${page.nav}"]`)?.setAttribute('aria-current', 'page');
  page.draw(m);
  break;
}
