// DevTools' own heap-snapshot model (npm heap-snapshot-toolkit, the DevTools worker code) as the
// oracle for the differential tests, and a reader for `leakscope dump-analysis` output.
import { readFileSync } from 'node:fs';
import { loadDevtools, summaryRows } from './devtools-oracle.mjs';

// Per node (by ordinal, i.e. file order): id, self size after DevTools' re-attribution, retained
// size, immediate dominator's id, distance; plus the Summary rows keyed by class key.
export async function devtoolsModel(file) {
  const snap = await loadDevtools(file);
  const n = snap.nodeCount;
  const nf = snap.nodeFieldCount;
  const ids = new Uint32Array(n);
  const self = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = snap.nodes.getValue(i * nf + snap.nodeIdOffset);
    self[i] = snap.nodes.getValue(i * nf + snap.nodeSelfSizeOffset);
  }
  const idomIds = new Uint32Array(n);
  for (let i = 0; i < n; i++) idomIds[i] = ids[snap.dominatorsTree[i]];
  const rows = new Map(summaryRows(snap).map((row) => [row.key, row]));
  return {
    nodeCount: n, ids, self, retained: snap.retainedSizes, idomIds,
    distances: snap.nodeDistances, rows,
  };
}

// The binary per-node file written by `leakscope dump-analysis SNAP --nodes FILE`:
// 16-byte header (magic "FSDA" little-endian 0x41445346, node count, 2 reserved words), then
// retained f64[n], id u32[n], idom id u32[n], distance i32[n], self size u32[n].
export function readNodeDump(file) {
  const buf = readFileSync(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const head = new Uint32Array(ab, 0, 4);
  if (head[0] !== 0x41445346) throw new Error(`${file}: not a leakscope node dump`);
  const n = head[1];
  let off = 16;
  const take = (Type, bytes) => { const a = new Type(ab, off, n); off += n * bytes; return a; };
  const retained = take(Float64Array, 8);
  const ids = take(Uint32Array, 4);
  const idomIds = take(Uint32Array, 4);
  const distances = take(Int32Array, 4);
  const self = take(Uint32Array, 4);
  return { nodeCount: n, retained, ids, idomIds, distances, self };
}

// Compares every node; returns counts and the first few differences of each kind.
export function compareNodes(ours, theirs, limit = 5) {
  const result = { nodes: theirs.nodeCount, mismatches: 0, examples: [] };
  if (ours.nodeCount !== theirs.nodeCount) {
    result.mismatches = Math.max(ours.nodeCount, theirs.nodeCount);
    result.examples.push(`node count ${ours.nodeCount} != ${theirs.nodeCount}`);
    return result;
  }
  const fields = ['ids', 'self', 'retained', 'idomIds', 'distances'];
  const perField = Object.fromEntries(fields.map((f) => [f, 0]));
  for (let i = 0; i < theirs.nodeCount; i++) {
    let bad = false;
    for (const f of fields) {
      if (ours[f][i] !== theirs[f][i]) {
        perField[f]++;
        bad = true;
        if (result.examples.length < limit) {
          result.examples.push(`node #${i} id ${theirs.ids[i]}: ${f} ${ours[f][i]} != devtools ${theirs[f][i]}`);
        }
      }
    }
    if (bad) result.mismatches++;
  }
  result.perField = perField;
  return result;
}
