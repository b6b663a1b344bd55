// Small-snapshot utilities for tests: an independent JSON.parse-based reading of a snapshot (the
// expected header facts and histograms) and rewrites that change the layout but not the heap.
// Only for fixtures of a few MB; the reader under test is what handles big files.
import { readFileSync, writeFileSync } from 'node:fs';

export function parseSnapshot(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

// What `leakscope info --json` must report, computed from the arrays (not the header counts).
export function expectedInfo(snap) {
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const typeOffset = meta.node_fields.indexOf('type');
  const edgeTypeOffset = meta.edge_fields.indexOf('type');
  const nodeHist = {};
  for (let i = 0; i < snap.nodes.length; i += nf) {
    const t = nodeTypes[snap.nodes[i + typeOffset]];
    nodeHist[t] = (nodeHist[t] || 0) + 1;
  }
  const edgeHist = {};
  for (let i = 0; i < snap.edges.length; i += ef) {
    const t = edgeTypes[snap.edges[i + edgeTypeOffset]];
    edgeHist[t] = (edgeHist[t] || 0) + 1;
  }
  const tfFields = (meta.trace_function_info_fields || []).length || 6;
  const sampleFields = (meta.sample_fields || []).length || 2;
  const locationFields = (meta.location_fields || []).length || 4;
  return {
    node_count: snap.nodes.length / nf,
    edge_count: snap.edges.length / ef,
    string_count: snap.strings.length,
    location_count: (snap.locations || []).length / locationFields,
    trace_function_count: (snap.trace_function_infos || []).length / tfFields,
    samples: (snap.samples || []).length / sampleFields,
    extra_native_bytes: snap.snapshot.extra_native_bytes ?? 0,
    node_types: nodeHist,
    edge_types: edgeHist,
    node_type_names: nodeTypes,
    edge_type_names: edgeTypes,
  };
}

// Node 24's layout from an older snapshot: no trace_node_id field, every array on one line, and
// extra_native_bytes in the header.
export function toNode24Layout(snap, extraNativeBytes) {
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields.length;
  const drop = meta.node_fields.indexOf('trace_node_id');
  const out = structuredClone(snap);
  if (drop >= 0) {
    out.snapshot.meta.node_fields = meta.node_fields.filter((_, i) => i !== drop);
    out.snapshot.meta.node_types = meta.node_types.filter((_, i) => i !== drop);
    const nodes = [];
    for (let i = 0; i < snap.nodes.length; i += nf) {
      for (let j = 0; j < nf; j++) if (j !== drop) nodes.push(snap.nodes[i + j]);
    }
    out.nodes = nodes;
    // to_node and location object_index are ordinal * node field count.
    const ef = meta.edge_fields.length;
    const toOffset = meta.edge_fields.indexOf('to_node');
    for (let i = toOffset; i < out.edges.length; i += ef) out.edges[i] = (out.edges[i] / nf) * (nf - 1);
    const lf = (meta.location_fields || []).length || 4;
    const objOffset = (meta.location_fields || ['object_index']).indexOf('object_index');
    for (let i = objOffset; i < out.locations.length; i += lf) {
      out.locations[i] = (out.locations[i] / nf) * (nf - 1);
    }
  }
  out.snapshot.extra_native_bytes = extraNativeBytes;
  return out;
}

// V8's own writer puts one record per line; this writes the same snapshot with the key order of
// the original but the arrays on one line (like Node 24) or pretty-printed (one number per line).
export function writeSnapshot(file, snap, style = 'compact') {
  const text = style === 'pretty' ? JSON.stringify(snap, null, 1) : JSON.stringify(snap);
  writeFileSync(file, text);
  return file;
}
