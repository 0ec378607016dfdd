// Providers: not built yet.
import { h, show, empty } from './dom.js';

export function providers(main) {
  show(main, h('h1', {}, 'Providers'), empty('This page is not built yet.'));
}
