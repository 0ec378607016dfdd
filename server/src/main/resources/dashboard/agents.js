// Agents: not built yet.
import { h, show, empty } from './dom.js';

export function agents(main) {
  show(main, h('h1', {}, 'Agents'), empty('This page is not built yet.'));
}
