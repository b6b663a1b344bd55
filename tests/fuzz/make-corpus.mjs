#!/usr/bin/env node
// Writes the fuzzer's seed corpus (tests/fuzz/corpus): tiny hand-built snapshots in every layout
// the reader must accept (Node 18/20/22/24 meta, one record per line or one line per array,
// allocation traces, escapes, ephemeron edge names) plus a few broken variants. Each is < 5 KB.
// Usage: node tests/fuzz/make-corpus.mjs [DIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = process.argv[2] || join(dirname(fileURLToPath(import.meta.url)), 'corpus');
mkdirSync(out, { recursive: true });

const kTypes20 = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic',
                  'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape', 'wasm object'];
const kEdgeTypes = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

// A small heap: root -> (GC roots), root =shortcut=> global; global has a Map cache, a class
// instance with a location, a closure with a context, a WeakMap pair, a cons string and a native.
function heap() {
  const strings = ['', '(GC roots)', 'global', 'Map', 'Foo', 'bar', 'hello "world"\n\\ \u0001 é 😀 \uD800',
                   'system / Context', 'onTick', 'context', 'value', 'Node / BindingData', 'system / ExternalStringData',
                   '1 / part of key (Object @13) -> value (Object @15) pair in WeakMap (table @17)', 'first', 'second',
                   'Object', 'WeakMap', 'table', 'cache', 'x', 'map', '(object elements)', 'payload'];
  const S = (s) => {
    if (!strings.includes(s)) strings.push(s);
    return strings.indexOf(s);
  };
  // [type, name, id, self_size, detachedness, edges: [type, name_or_index, target]]
  const nodes = [
    ['synthetic', '', 1, 0, 0, [['element', 1, 1], ['shortcut', S('global'), 2]]],
    ['synthetic', '(GC roots)', 3, 0, 0, [['element', 0, 2], ['weak', 1, 9]]],
    ['object', 'global', 5, 48, 0, [['property', S('cache'), 3], ['property', S('x'), 4], ['property', S('onTick'), 5],
                                    ['property', S('table'), 7], ['internal', S('map'), 10]]],
    ['object', 'Map', 7, 32, 0, [['internal', S('table'), 6]]],
    ['object', 'Foo', 9, 40, 0, [['property', S('bar'), 8], ['property', S('payload'), 11]]],
    ['closure', 'onTick', 11, 64, 0, [['internal', S('context'), 12]]],
    ['array', '(object elements)', 19, 160, 0, [['element', 0, 4], ['hidden', 1, 8]]],
    ['object', 'WeakMap', 17, 24, 0, [['internal', S('1 / part of key (Object @13) -> value (Object @15) pair in WeakMap (table @17)'), 14]]],
    ['string', 'hello "world"\n\\ \u0001 é 😀 \uD800', 21, 56, 0, []],
    ['hidden', 'system / ExternalStringData', 23, 1000, 0, []],
    ['object shape', 'system / Map', 25, 80, 0, [['weak', S('map'), 10]]],
    ['concatenated string', 'hello "world"\n\\ \u0001 é 😀 \uD800', 27, 32, 0, [['internal', S('first'), 8], ['internal', S('second'), 8]]],
    ['object', 'system / Context', 29, 48, 0, [['context', S('value'), 13], ['hidden', 0, 15]]],
    ['object', 'Object', 13, 24, 0, [['internal', S('1 / part of key (Object @13) -> value (Object @15) pair in WeakMap (table @17)'), 14]]],
    ['object', 'Object', 15, 24, 0, []],
    ['native', 'Node / BindingData', 30, 96, 2, [['internal', S('x'), 9]]],
  ];
  return { strings, nodes, S };
}

// `fields`: 7 (Node 18-22), 6 (Node 24), or a list of names (the older layout with retained_size
// and dominator; extra fields get made-up values). `edgeExtra`: edge fields after to_node.
// `chrome`: Chromium's location_fields (script_object_index) and its scope sections.
function build({ types = kTypes20, fields = 7, extraNative, tracking = false, oneLine = false, locations = true,
                 edgeExtra = [], chrome = false } = {}) {
  const { strings, nodes, S } = heap();
  const nodeFields = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];
  const nf = Array.isArray(fields) ? fields : fields === 7 ? nodeFields : nodeFields.filter((f) => f !== 'trace_node_id');
  const flatNodes = [];
  const flatEdges = [];
  for (const [type, name, id, size, det, edges] of nodes) {
    let t = types.indexOf(type);
    if (t < 0) t = types.indexOf('hidden');  // Node 18 has no "object shape": V8 10 wrote them as hidden
    const rec = { type: t, name: S(name), id, self_size: size, edge_count: edges.length, trace_node_id: tracking ? 1 : 0, detachedness: det,
                  retained_size: size * 3, dominator: 0 };
    flatNodes.push(nf.map((f) => rec[f] ?? 5));
    for (const [et, n, to] of edges) flatEdges.push([kEdgeTypes.indexOf(et), n, to * nf.length, ...edgeExtra.map(() => 9)]);
  }
  const header = {
    meta: {
      node_fields: nf,
      node_types: [types, ...nf.slice(1).map((f) => (f === 'name' ? 'string' : 'number'))],
      edge_fields: ['type', 'name_or_index', 'to_node', ...edgeExtra],
      edge_types: [kEdgeTypes, 'string_or_number', 'node', ...edgeExtra.map(() => 'number')],
      trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
      trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
      sample_fields: ['timestamp_us', 'last_assigned_id'],
      location_fields: chrome ? ['object_index', 'script_id', 'script_object_index', 'line', 'column']
        : ['object_index', 'script_id', 'line', 'column'],
      ...(chrome ? { scope_fields: ['script_node_index', 'scope_id', 'depth', 'scope_context_vars_count', 'scope_uses_count'],
                     scope_context_var_fields: ['name'], scope_use_fields: ['declaring_scope_id', 'slot_index'] } : {}),
    },
    node_count: nodes.length,
    edge_count: flatEdges.length,
    trace_function_count: tracking ? 1 : 0,  // stale on purpose when tracking: the array has 2
  };
  if (extraNative !== undefined) header.extra_native_bytes = extraNative;
  const traceInfos = tracking ? [[1, S('onTick'), S('x'), 7, 3, 14], [2, S('Foo'), S('x'), 7, 9, 2]] : [];
  const traceTree = tracking ? [1, 0, 3, 120, [2, 1, 2, 80, [], 3, 0, 1, 40, []]] : [];
  const samples = tracking ? [[1000, 20], [250000, 31]] : [];
  const locs = (locations ? [[4 * nf.length, 7, 12, 4], [5 * nf.length, 7, 20, 17]] : [])
    .map((l) => (chrome ? [l[0], l[1], 0, l[2], l[3]] : l));
  const sep = oneLine ? ',' : '\n,';
  const arr = (rows) => '[' + rows.map((r) => (Array.isArray(r) ? r.join(',') : String(r))).join(sep) + ']';
  const text = '{"snapshot":' + JSON.stringify(header) + ',\n"nodes":' + arr(flatNodes) + ',\n"edges":' + arr(flatEdges) +
    ',\n"trace_function_infos":' + arr(traceInfos) + ',\n"trace_tree":' + JSON.stringify(traceTree) +
    ',\n"samples":' + arr(samples) + ',\n"locations":' + arr(locs) +
    (chrome ? ',\n"scopes":[0,1,0,1,1],\n"scope_context_vars":[' + S('value') + '],\n"scope_uses":[1,2]' : '') + ',\n"strings":[' +
    strings.map((s) => JSON.stringify(s)).join(oneLine ? ',' : '\n,') + ']}';
  return text;
}

const files = {
  'node20.heapsnapshot': build(),
  'node18.heapsnapshot': build({ types: kTypes20.slice(0, 14) }),
  'node22.heapsnapshot': build({ types: kTypes20.slice(0, 15) }),
  'node24.heapsnapshot': build({ types: kTypes20.slice(0, 15), fields: 6, extraNative: 4096, oneLine: true }),
  'tracked.heapsnapshot': build({ tracking: true }),
  'no-locations.heapsnapshot': build({ locations: false, oneLine: true }),
  'older-layout.heapsnapshot': build({ fields: ['type', 'name', 'id', 'self_size', 'retained_size', 'dominator', 'edge_count'],
                                        edgeExtra: ['weight'] }),
  'chromium.heapsnapshot': build({ types: kTypes20.slice(0, 15), fields: 6, oneLine: true, chrome: true }),
};
// V8 writes non-ASCII as \u escapes; JSON.stringify above writes raw UTF-8: keep one of each.
files['escaped.heapsnapshot'] = files['node20.heapsnapshot'].replace(/[\u0080-\uffff]/g,
  (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
files['root-only.heapsnapshot'] = '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","detachedness"],' +
  '"node_types":[["hidden","synthetic"],"string","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],' +
  '"edge_types":[["element"],"string_or_number","node"],"trace_function_info_fields":[],"trace_node_fields":[],"sample_fields":[],' +
  '"location_fields":[]},"node_count":1,"edge_count":0,"trace_function_count":0},"nodes":[1,0,1,0,0,0],"edges":[],' +
  '"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],"strings":[""]}';
// Broken variants: the fuzzer grows these into other broken shapes.
const base = files['node20.heapsnapshot'];
files['bad-truncated.heapsnapshot'] = base.slice(0, Math.floor(base.length * 0.6));
files['bad-escape.heapsnapshot'] = base.replace('"Foo"', '"F\\u12G4oo"');
files['bad-to-node.heapsnapshot'] = base.replace('"edges":[2,1,', '"edges":[2,1,1');
files['bad-huge-count.heapsnapshot'] = base.replace('"node_count":16', '"node_count":1099511627776');
// A location off a node boundary: skipped with a warning, the file loads.
files['location-off-boundary.heapsnapshot'] = base.replace('"locations":[28,', '"locations":[29,');

for (const [name, text] of Object.entries(files)) {
  if (Buffer.byteLength(text) > 5000) throw new Error(`${name} is ${Buffer.byteLength(text)} bytes`);
  writeFileSync(join(out, name), text);
}
console.log(`wrote ${Object.keys(files).length} seeds to ${out}`);
