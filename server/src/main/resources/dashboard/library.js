// Library: not built yet.
import { h, show, empty } from './dom.js';

export function library(main) {
  show(main, h('h1', {}, 'Library'), empty('This page is not built yet.'));
}
