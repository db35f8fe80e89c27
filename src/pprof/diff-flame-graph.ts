import type { DiffFrame, ProfileDiff } from './profile-diff';

/** Frames narrower than this share of both profiles together are left out of the page. */
const MIN_FRAME_SHARE = 0.0005;

/** How many of the top rows (by |flat| change) the page lists above the graph. */
const TOP_ROWS = 15;

type Packed = [number, number, number, Packed[]];

/** The call tree as nested arrays with a name table, frames under the size floor pruned. */
function pack(tree: DiffFrame): { names: string[]; tree: Packed } {
  const names: string[] = [];
  const index = new Map<string, number>();
  const floor = (tree.base + tree.new) * MIN_FRAME_SHARE;
  const walk = (f: DiffFrame): Packed => {
    let i = index.get(f.name);
    if (i === undefined) {
      i = names.length;
      names.push(f.name);
      index.set(f.name, i);
    }
    const kids = f.children
      .filter((c) => c.base + c.new >= floor && c.base + c.new > 0)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [i, f.base, f.new, kids.map(walk)];
  };
  return { names, tree: walk(tree) };
}

/** JSON safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A self-contained HTML page (inline CSS and JS, no network) with the differential flame graph
 * of `diff`: one frame per call path, root at the top; a frame's width is its time in BASE and
 * NEW together (so code that disappeared shows as well as code that appeared), its colour its
 * change `(new − base) / (new + base)`: red grew, blue shrank, white unchanged, stronger the
 * larger the change. Hovering a frame shows its numbers; clicking zooms into it (the zoom is the
 * URL's `#frame=ID`, so it survives a reload and can be linked). Above the graph, the top
 * functions by flat change, as in `pprof -top -diff_base`.
 */
export function diffFlameGraphHtml(diff: ProfileDiff, title: string): string {
  const data = {
    unit: diff.sampleType.unit,
    type: diff.sampleType.type,
    baseTotal: diff.baseTotal,
    newTotal: diff.newTotal,
    total: diff.total,
    top: diff.rows.slice(0, TOP_ROWS).map((r) => [r.name, r.flat, r.cum]),
    ...pack(diff.tree),
  };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(`pgobuild pgo diff: ${title}`)}</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 16px; margin: 0 0 8px; }
#summary { margin-bottom: 8px; }
table#top { border-collapse: collapse; margin-bottom: 12px; }
#top td, #top th { padding: 1px 8px; text-align: right; font-variant-numeric: tabular-nums; }
#top td.name, #top th.name { text-align: left; font-family: ui-monospace, monospace; }
#details { min-height: 2.8em; margin: 8px 0; padding: 4px 8px; background: #f4f4f4;
  font-family: ui-monospace, monospace; white-space: pre; }
#flame { position: relative; width: 100%; }
.frame { position: absolute; height: 17px; box-sizing: border-box; border: 1px solid #fff;
  overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font: 11px/15px ui-monospace,
  monospace; padding: 0 3px; cursor: pointer; }
.frame:hover { border-color: #222; }
.frame.ancestor { opacity: 0.6; }
.legend span { display: inline-block; padding: 0 6px; margin-right: 4px; border: 1px solid #ccc; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div id="summary"></div>
<div class="legend"><span style="background:rgb(255,51,51)">grew</span><span style="background:rgb(255,255,255)">unchanged</span><span style="background:rgb(51,51,255);color:#fff">shrank</span> width: time in base + new; click a frame to zoom, the top frame to zoom out</div>
<table id="top"><thead><tr><th>flat Δ</th><th>cum Δ</th><th class="name">function</th></tr></thead><tbody></tbody></table>
<div id="details">hover over a frame</div>
<div id="flame"></div>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('data').textContent);
  var nodes = [];
  function build(a, parent, depth) {
    var n = { id: nodes.length, name: D.names[a[0]] || 'all', base: a[1], next: a[2],
      parent: parent, depth: depth, kids: [] };
    nodes.push(n);
    for (var i = 0; i < a[3].length; i++) n.kids.push(build(a[3][i], n, depth + 1));
    return n;
  }
  var root = build(D.tree, null, 0);
  var SCALES = { nanoseconds: [['s', 1e9], ['ms', 1e6], ['us', 1e3], ['ns', 1]] };
  function fmt(v) {
    var scales = SCALES[D.unit];
    if (!scales) return String(v);
    for (var i = 0; i < scales.length; i++) {
      if (Math.abs(v) >= scales[i][1] || i === scales.length - 1)
        return (v / scales[i][1]).toFixed(2).replace(/\\.00$/, '') + scales[i][0];
    }
  }
  function signed(v) { return (v > 0 ? '+' : '') + fmt(v); }
  function pct(v, t) { return t ? (100 * v / t).toFixed(2) + '%' : '-'; }
  function color(n) {
    var t = n.base + n.next;
    var r = t > 0 ? (n.next - n.base) / t : 0;
    var k = Math.round(255 * (1 - 0.8 * Math.abs(r)));
    if (r > 0) return 'rgb(255, ' + k + ', ' + k + ')';
    if (r < 0) return 'rgb(' + k + ', ' + k + ', 255)';
    return 'rgb(255, 255, 255)';
  }
  function details(n) {
    return n.name + '\\nbase ' + fmt(n.base) + '   new ' + fmt(n.next) + '   change ' +
      signed(n.next - n.base) + ' (' + pct(n.next - n.base, D.total) + ' of base total)';
  }
  var flame = document.getElementById('flame');
  var info = document.getElementById('details');
  function frame(n, x, w, depth, ancestor) {
    var d = document.createElement('div');
    d.setAttribute('class', ancestor ? 'frame ancestor' : 'frame');
    d.setAttribute('data-id', String(n.id));
    d.setAttribute('data-name', n.name);
    d.setAttribute('data-base', String(n.base));
    d.setAttribute('data-new', String(n.next));
    d.setAttribute('data-delta', String(n.next - n.base));
    d.style.left = x.toFixed(4) + '%';
    d.style.width = w.toFixed(4) + '%';
    d.style.top = (depth * 18) + 'px';
    d.style.background = color(n);
    d.title = details(n);
    d.textContent = n.name;
    flame.appendChild(d);
    return depth;
  }
  function layout(n, x, w, depth) {
    if (w < 0.05) return depth - 1;
    var deepest = frame(n, x, w, depth, false);
    var t = n.base + n.next;
    var cx = x;
    for (var i = 0; i < n.kids.length; i++) {
      var k = n.kids[i];
      var kw = t > 0 ? w * (k.base + k.next) / t : 0;
      deepest = Math.max(deepest, layout(k, cx, kw, depth + 1));
      cx += kw;
    }
    return deepest;
  }
  function render(focus) {
    flame.textContent = '';
    var chain = [];
    for (var a = focus.parent; a; a = a.parent) chain.unshift(a);
    for (var i = 0; i < chain.length; i++) frame(chain[i], 0, 100, i, true);
    var deepest = layout(focus, 0, 100, chain.length);
    flame.style.height = ((deepest + 1) * 18) + 'px';
    flame.setAttribute('data-focus', String(focus.id));
  }
  function fromHash() {
    var m = /^#frame=(\\d+)$/.exec(location.hash);
    var n = m ? nodes[Number(m[1])] : undefined;
    render(n || root);
  }
  flame.addEventListener('mouseover', function (e) {
    var id = e.target && e.target.getAttribute && e.target.getAttribute('data-id');
    if (id !== null && id !== undefined) info.textContent = details(nodes[Number(id)]);
  });
  flame.addEventListener('click', function (e) {
    var id = e.target && e.target.getAttribute && e.target.getAttribute('data-id');
    if (id === null || id === undefined) return;
    var n = nodes[Number(id)];
    var focus = Number(flame.getAttribute('data-focus'));
    location.hash = n.id === focus && n.parent ? 'frame=' + n.parent.id : 'frame=' + n.id;
  });
  window.addEventListener('hashchange', fromHash);

  document.getElementById('summary').textContent = D.type + ': base ' + fmt(D.baseTotal) +
    ', new ' + fmt(D.newTotal) + ', change ' + signed(D.newTotal - D.baseTotal);
  var tbody = document.querySelector('#top tbody');
  for (var r = 0; r < D.top.length; r++) {
    var row = D.top[r];
    var tr = document.createElement('tr');
    tr.setAttribute('class', 'top-row');
    tr.setAttribute('data-name', row[0]);
    var cells = [signed(row[1]), signed(row[2]), row[0]];
    for (var c = 0; c < 3; c++) {
      var td = document.createElement('td');
      if (c === 2) td.setAttribute('class', 'name');
      td.textContent = cells[c];
      tr.appendChild(td);
    }
    tbody.appendChild(tr);
  }
  fromHash();
})();
</script>
</body>
</html>
`;
}
