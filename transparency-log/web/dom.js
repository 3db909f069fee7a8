// A tiny DOM builder. Log data only ever reaches the page as text nodes or
// attribute values set through the DOM API: never through innerHTML, so an entry
// cannot inject markup or script (and the server's Content-Security-Policy
// forbids inline script anyway).

// h('a', { href: '#/x', class: 'c' }, 'text', child, [more children])
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// A table with a caption and column headers. rows: arrays of cells (string,
// Node, or { cell, header: true, class }). labels double as data-label for the
// stacked phone layout.
export function table(caption, headers, rows, { className = '' } = {}) {
  const thead = h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x))));
  const tbody = h(
    'tbody',
    {},
    rows.map((r) => {
      const cls = r.className;
      const cells = r.cells ?? r;
      return h(
        'tr',
        { class: cls },
        cells.map((c, i) => {
          if (c && typeof c === 'object' && 'cell' in c) {
            return h(c.header ? 'th' : 'td', {
              scope: c.header ? 'row' : null,
              'data-label': headers[i],
              class: c.class,
            }, c.cell);
          }
          return h('td', { 'data-label': headers[i] }, c);
        }),
      );
    }),
  );
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: className }, h('caption', {}, caption), thead, tbody),
  );
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
}
