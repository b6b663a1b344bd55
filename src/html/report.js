// The page script of `leakscope report`. It reads the data the binary embedded as JSON and builds
// the page with createElement and textContent only: no string from a snapshot is ever parsed as
// markup. Charts are uPlot (inlined beside this script). When done it sets window.__leakscopeReady
// (the browser tests wait for it).
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('leakscope-data').textContent);
  const root = document.getElementById('report');
  root.textContent = '';

  // el('td', {class: 'num'}, 'text', childNode, ...): strings become text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else node.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function bytes(n) {
    if (n === null || n === undefined || !Number.isFinite(n)) return '';
    const sign = n < 0 ? '-' : '';
    let v = Math.abs(n);
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return sign + (u === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[u];
  }
  const count = (n) => (n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'));
  const signed = (n, f) => (n > 0 ? '+' : '') + f(n);

  function section(title, ...children) {
    const s = el('section', {}, el('h2', {}, title), ...children);
    root.appendChild(s);
    return s;
  }

  // columns: one class per column ('num': right-aligned figures, 'nw': no wrapping, '').
  function table(headers, rows, columns) {
    const attrs = (i) => (columns[i] ? { class: columns[i] } : {});
    const head = el('tr', {}, ...headers.map((h, i) => el('th', attrs(i), h)));
    const body = el('tbody', {});
    for (const r of rows) body.appendChild(el('tr', {}, ...r.map((c, i) => el('td', attrs(i), c))));
    return el('table', { class: 'data' }, el('thead', {}, head), body);
  }

  // Series sampled at different times on one x axis: the union of the times, null elsewhere.
  function align(series) {
    const times = new Set();
    for (const s of series) for (const t of s.t) times.add(t);
    const xs = Array.from(times).sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const cols = series.map((s) => {
      const col = new Array(xs.length).fill(null);
      s.t.forEach((t, i) => { col[index.get(t)] = s.v[i]; });
      return col;
    });
    return [xs, ...cols];
  }

  const charts = [];
  function chart(container, title, series, opts) {
    const box = el('div', { class: 'chart' });
    container.appendChild(box);
    const width = Math.max(320, Math.min(1100, root.clientWidth - 24));
    const u = new uPlot({
      title,
      width,
      height: opts.height || 300,
      scales: { x: { time: false } },
      axes: [
        { label: 'seconds since start' },
        { label: opts.yLabel, size: 80, values: (self, ticks) => ticks.map(opts.format) },
      ],
      series: [{ label: 't (s)' }, ...series.map((s) => s.config)],
      bands: opts.bands || [],
      legend: { live: true },
    }, align(series), box);
    charts.push(u);
    return u;
  }

  const palette = {
    rss: '#7f7f7f', anon: '#8c564b', used: '#1f77b4', total: '#aec7e8', after: '#d62728',
    trend: '#2ca02c', external: '#9467bd', full: '#d62728', minor: '#ff7f0e',
  };
  function line(label, s, color, extra) {
    return { t: s.t, v: s.v, config: { label, stroke: color, width: 1.5, spanGaps: true, value: (u, v) => bytes(v), ...extra } };
  }
  function dots(label, s, color, format) {
    return {
      t: s.t, v: s.v,
      config: { label, stroke: color, fill: color, width: 0, paths: () => null, points: { show: true, size: 5, stroke: color, fill: color }, value: (u, v) => format(v) },
    };
  }

  function renderHeader() {
    root.appendChild(el('h1', {}, data.title || 'leakscope report'));
    const meta = ['generated ' + data.generated, 'charts: uPlot ' + data.uplot_version];
    if (data.redacted) meta.push('heap text redacted (--redact)');
    root.appendChild(el('p', { class: 'meta' }, meta.join(' · ')));
  }

  function renderVerdicts() {
    const items = [];
    if (data.leaks) items.push([data.leaks.leak ? 'leak' : 'ok', 'Snapshots', data.leaks.verdict]);
    if (data.watch) {
      const leak = ['js-heap', 'external', 'native', 'handles'].includes(data.watch.verdict);
      items.push([leak ? 'leak' : data.watch.verdict === 'none' ? 'ok' : 'unsure', 'Memory over time', data.watch.headline]);
    }
    if (data.gclog) {
      const v = data.gclog.trend && data.gclog.trend.verdict;
      items.push([v === 'growing' ? 'leak' : v === 'stable' ? 'ok' : 'unsure', 'GC log', data.gclog.headline]);
    }
    if (data.diff) {
      items.push(['info', 'Diff', `${count(data.diff.changed_classes)} classes changed; heap ${bytes(data.diff.base_total_size)} → ${bytes(data.diff.current_total_size)}`]);
    }
    if (data.summary) {
      items.push(['info', 'Heap', `${count(data.summary.node_count)} objects, ${bytes(data.summary.total_size)} in ${data.summary.snapshot}`]);
    }
    if (!items.length) return;
    const list = el('div', { class: 'verdicts' });
    for (const [kind, what, text] of items) list.appendChild(el('div', { class: 'verdict ' + kind }, el('strong', {}, what + ': '), text));
    section('Verdict', list);
  }

  function trendSeries(samples) {
    const tr = samples.trend;
    if (!tr) return [];
    return [
      line('trend: ' + tr.label, { t: tr.t, v: tr.fit }, palette.trend, { width: 2, dash: [6, 4] }),
      line('trend 95 % low', { t: tr.t, v: tr.low }, 'rgba(44,160,44,0.35)', { width: 1 }),
      line('trend 95 % high', { t: tr.t, v: tr.high }, 'rgba(44,160,44,0.35)', { width: 1 }),
    ];
  }

  function renderMemory() {
    const s = (data.watch && data.watch.samples) || (data.gclog && data.gclog.samples);
    if (!s) return;
    const series = [];
    if (s.rss) series.push(line('RSS', s.rss, palette.rss));
    if (s.anon_rss) series.push(line('anonymous RSS (native + heap)', s.anon_rss, palette.anon));
    if (s.heap_used) series.push(line('heap used', s.heap_used, palette.used));
    if (s.heap_total) series.push(line('heap committed', s.heap_total, palette.total));
    if (s.external) series.push(line('external', s.external, palette.external));
    if (s.heap_after_gc) series.push(dots('heap after GC', s.heap_after_gc, palette.after, bytes));
    const trend = trendSeries(s);
    series.push(...trend);
    if (!series.length) return;
    const sec = section('Memory over time');
    const bands = trend.length ? [{ series: [series.length, series.length - 1], fill: 'rgba(44,160,44,0.12)' }] : [];
    chart(sec, 'Memory', series, { yLabel: 'bytes', format: bytes, bands, height: 300 });
    if (s.trend) sec.appendChild(el('p', { class: 'note' }, `Dashed: the trend fitted to “${s.trend.label}” (Theil-Sen) over the judged window, shaded: its 95 % confidence band.`));
  }

  function renderGcPauses() {
    const s = (data.watch && data.watch.samples) || (data.gclog && data.gclog.samples);
    if (!s || (!s.gc_pause_full_ms && !s.gc_pause_minor_ms)) return;
    const ms = (v) => (v === null || v === undefined ? '' : v.toFixed(1) + ' ms');
    const series = [];
    if (s.gc_pause_minor_ms) series.push(dots('minor GC pause', s.gc_pause_minor_ms, palette.minor, ms));
    if (s.gc_pause_full_ms) series.push(dots('full GC pause', s.gc_pause_full_ms, palette.full, ms));
    const sec = section('GC pauses');
    chart(sec, 'GC pauses', series, { yLabel: 'pause', format: (v) => v + ' ms', height: 200 });
  }

  function clusterLabel(c) {
    return c.class + (c.holder && c.holder.accessor ? ' in ' + c.holder.accessor : '');
  }

  function renderClassGrowth() {
    const L = data.leaks;
    if (!L || !L.snapshots || L.snapshots.length < 2) return;
    // The leaks first, then the clusters checked and found not leaking that hold anything.
    const held = (L.not_leaking || []).filter((c) => Math.max(...c.counts) > 0);
    const clusters = [...(L.leaks || []), ...held].slice(0, 8);
    if (!clusters.length) return;
    const xs = L.times && L.times.length === L.snapshots.length ? L.times.map((t) => t - L.times[0]) : L.snapshots.map((_, i) => i);
    const colors = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
    const series = clusters.map((c, i) => ({
      t: xs, v: c.counts,
      config: { label: clusterLabel(c), stroke: colors[i], width: 2, points: { show: true }, value: (u, v) => count(v) },
    }));
    const sec = section('Objects per snapshot');
    const u = chart(sec, 'Objects per cluster, per snapshot', series, { yLabel: 'objects', format: count, height: 260 });
    if (!(L.times && L.times.length)) u.axes[0].label = 'snapshot';
    sec.appendChild(el('p', { class: 'note' }, 'Snapshots: ' + L.snapshots.join(', ')));
  }

  function pathList(c) {
    const steps = c.path || [];
    const list = el('ol', { class: 'path' });
    steps.forEach((s, i) => {
      if (c.path_elided && i === Math.ceil(steps.length / 2)) {
        list.appendChild(el('li', { class: 'elided' }, `… ${count(c.path_elided.steps || c.path_length - steps.length)} steps`));
      }
      list.appendChild(el('li', {}, s.edge ? el('span', { class: 'edge' }, s.edge) : null, s.edge ? ' → ' : '', el('span', { class: 'node' }, s.name), el('span', { class: 'type' }, ' ' + (s.type || ''))));
    });
    return list;
  }

  function leakCard(c) {
    // As the text report prints a source position (script:line:column).
    const loc = c.location ? `${c.location.script || 'script ' + c.location.script_id}:${c.location.line}:${c.location.column}` : null;
    const h = c.holder;
    const kind = h.kind && h.kind !== h.class ? ', ' + h.kind : '';
    const facts = [
      ['objects per snapshot', c.counts.map(count).join(' → ')],
      ['retained per snapshot', c.retained.map(bytes).join(' → ')],
      ['gained', signed(c.gained, bytes) + (c.bytes_per_hour ? ` (${bytes(c.bytes_per_hour)}/h)` : '')],
      ['holder', `${h.accessor} (${h.class}${kind}; entries ${h.entries.map(count).join(' → ')})`],
    ];
    if (h.scope && h.scope.named) facts.push(['holder is', h.scope.named]);
    if (loc) facts.push(['allocated at', loc]);
    if (c.includes && c.includes.length) facts.push(['includes', c.includes.map((x) => `${x.class} ×${count(x.count)}`).join(', ')]);
    const dl = el('dl', {});
    for (const [k, v] of facts) dl.append(el('dt', {}, k), el('dd', {}, v));
    return el('div', { class: 'cluster' }, el('h3', {}, c.class + ' ×' + count(c.members)), dl, el('h4', {}, 'Retainer path'), pathList(c));
  }

  function renderClusters() {
    const L = data.leaks;
    if (!L) return;
    const sec = section('Leak clusters');
    if (!L.leaks.length) sec.appendChild(el('p', {}, 'No cluster grew in every interval.'));
    for (const c of L.leaks) sec.appendChild(leakCard(c));
    if (L.not_leaking && L.not_leaking.length) {
      sec.appendChild(el('h3', {}, 'Checked and not leaking'));
      sec.appendChild(table(['class', 'objects', 'held by', 'why not'],
        L.not_leaking.map((c) => [c.class, c.counts.map(count).join(' → '), c.holder.accessor, c.reason || '']), ['', 'nw', '', '']));
    }
  }

  // `watch --native` / `run --native`: the allocation sites the sampler judged, leaking ones first
  // (the binary orders them), their live bytes over time and their stacks, innermost frame first.
  function renderNative() {
    const n = data.watch && data.watch.native;
    if (!n || !n.sites) return;
    const sites = n.sites.slice(0, 20);
    const sec = section(`Native allocation sites (${count(n.leaking_sites)} growing; sampled every ${bytes(n.interval_bytes)} allocated on average)`);
    const colors = ['#d62728', '#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd'];
    const charted = sites.filter((x) => x.leaking).slice(0, colors.length);
    if (charted.length) {
      chart(sec, 'Live bytes of the growing sites (estimated from the samples)', charted.map((x, i) =>
        line(`site ${sites.indexOf(x) + 1}`, { t: x.series.map((p) => p[0]), v: x.series.map((p) => p[1]) }, colors[i])), { yLabel: 'live', format: bytes });
    }
    sec.appendChild(table(['#', 'verdict', 'live now', 'rate', 'site'], sites.map((x, i) => [
      String(i + 1), x.verdict, bytes(x.live_bytes),
      x.trend && Number.isFinite(x.trend.rate_per_hour) ? signed(x.trend.rate_per_hour, bytes) + '/h' : '',
      x.summary + (x.note ? ' (' + x.note + ')' : '')]), ['num', 'nw', 'num', 'nw', '']));
    for (const [i, x] of sites.entries()) {
      if (!x.leaking) continue;
      const frames = el('ol', { class: 'path' }, ...x.frames.map((f) => el('li', {}, el('span', { class: 'node' }, f.name), el('span', { class: 'type' }, ' ' + f.kind + (f.module ? ' · ' + f.module : '')))));
      sec.appendChild(el('details', {}, el('summary', {}, `Stack of site ${i + 1}`), frames));
    }
  }

  function renderWhy() {
    const rows = [];
    if (data.watch) {
      for (const [name, s] of Object.entries(data.watch.series || {})) rows.push(['watch', s.label || name, s.verdict, s.why]);
    }
    if (data.gclog && data.gclog.trend) rows.push(['gclog', data.gclog.trend.series, data.gclog.trend.verdict, data.gclog.trend.why]);
    if (!rows.length) return;
    section('Why: each series judged', table(['source', 'series', 'verdict', 'why'], rows, ['nw', '', 'nw', '']));
  }

  function renderDiff() {
    const d = data.diff;
    if (!d || !d.classes) return;
    const rows = d.classes.map((c) => [c.class, count(c.new), count(c.deleted), signed(c.delta, count), bytes(c.alloc_size), bytes(c.freed_size), signed(c.size_delta, bytes), c.retained_delta === undefined ? '' : signed(c.retained_delta, bytes)]);
    section(`Class diff (${d.base} → ${d.current})`, table(['class', '# new', '# deleted', '# delta', 'alloc. size', 'freed size', 'size delta', 'retained delta'], rows, ['', 'num', 'num', 'num', 'num', 'num', 'num', 'num']));
  }

  function renderSummary() {
    const s = data.summary;
    if (!s || !s.classes) return;
    // Unreachable objects have V8's "no distance" (100,000,000 and up).
    const distance = (d) => (d === null || d === undefined ? '' : d >= 100000000 ? '–' : String(d));
    const rows = s.classes.map((c) => [c.name, count(c.count), bytes(c.shallow_size), bytes(c.retained_size), distance(c.distance)]);
    section(`Top classes by retained size (${s.snapshot}: ${count(s.node_count)} objects, ${bytes(s.total_size)})`,
      table(['class', 'count', 'shallow size', 'retained size', 'distance'], rows, ['', 'num', 'num', 'num', 'num']));
  }

  renderHeader();
  renderVerdicts();
  renderMemory();
  renderGcPauses();
  renderClassGrowth();
  renderClusters();
  renderNative();
  renderWhy();
  renderDiff();
  renderSummary();
  window.addEventListener('resize', () => {
    const width = Math.max(320, Math.min(1100, root.clientWidth - 24));
    for (const u of charts) u.setSize({ width, height: u.height });
  });
  window.__leakscopeReady = true;
})();
