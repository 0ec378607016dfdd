// Building the page from data. Every string goes in as a text node or an attribute value, never
// as markup: a title such as <img src=x onerror=...> shows as those characters.

/** Control characters (other than tab and newline) shown as a visible replacement. */
export function visible(value) {
  return String(value).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}

/**
 * A new element: attrs are attributes (class, href, ...) or listeners (onclick: fn); children are
 * nodes or values shown as text. null, undefined and false are left out.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(visible(child)));
  }
  return el;
}

/** Replaces what an element shows. */
export function show(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c != null && c !== false));
}

/** A table with a header row; rows are arrays of cells (nodes or values). */
export function table(caption, headers, rows) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c))))));
}

/** A figure: a label and its value, with an optional explanation on hover. */
export function figure(label, value, title, id) {
  return h('div', { class: 'figure', title, id },
    h('div', { class: 'figure-value' }, value),
    h('div', { class: 'figure-label' }, label));
}

/** What an empty list says, with the next step. */
export function empty(text, command) {
  return h('p', { class: 'empty' }, text, command ? h('code', {}, command) : null);
}

/** An error, in words, where the data would have been. */
export function failure(error) {
  return h('p', { class: 'error', role: 'alert' }, 'Could not load: ', error.message ?? String(error));
}
