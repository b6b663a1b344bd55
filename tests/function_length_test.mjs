// No function in src/ longer than a screen or two, checked on every test run: a long function is
// where stages hide, and a reader should find each stage by its name. The code is clang-formatted,
// so a brace scan that blanks out comments, strings, character literals and preprocessor lines
// finds the definitions well enough; a lambda or a local class is part of the function it sits
// in, as the reader sees it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export const MAX_LINES = 120;

// Known departures, each "file name", while one is being split: none today.
const ALLOWED = new Set([]);

// `text` with comments, the insides of string and character literals and preprocessor lines
// replaced by spaces; newlines stay, so offsets keep their line numbers.
export function blank_out(text) {
  const out = text.split('');
  const blank = (from, to) => {
    for (let i = from; i < to; ++i) if (out[i] !== '\n') out[i] = ' ';
  };
  let i = 0;
  let line_start = true;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (line_start && c === '#') {
      // A directive runs to the first newline not escaped by a backslash.
      let j = i;
      while (j < text.length && !(text[j] === '\n' && text[j - 1] !== '\\')) {
        if (text[j] === '/' && text[j + 1] === '*') break;
        ++j;
      }
      blank(i, j);
      i = j;
      continue;
    }
    if (c !== ' ' && c !== '\t') line_start = false;
    if (c === '/' && text[i + 1] === '/') {
      let j = text.indexOf('\n', i);
      if (j < 0) j = text.length;
      blank(i, j);
      i = j;
    } else if (c === '/' && text[i + 1] === '*') {
      let j = text.indexOf('*/', i + 2);
      j = j < 0 ? text.length : j + 2;
      blank(i, j);
      i = j;
    } else if (c === '"' && /R$/.test(text.slice(Math.max(0, i - 1), i)) &&
               !/[A-Za-z0-9_]/.test(text[i - 2] ?? '') ||
               (c === '"' && /(u8|u|U|L)R$/.test(text.slice(Math.max(0, i - 3), i)))) {
      // A raw string: R"delim( ... )delim".
      const open = text.indexOf('(', i);
      const delim = text.slice(i + 1, open);
      let j = text.indexOf(`)${delim}"`, open);
      j = j < 0 ? text.length : j + delim.length + 2;
      blank(i + 1, j - 1);
      i = j;
    } else if (c === '"' || (c === "'" && !digit_separator(text, i))) {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      blank(i + 1, j);
      i = j + 1;
    } else {
      ++i;
    }
  }
  return out.join('');
}

// 1'000'000: a quote inside a number is a digit separator, not a character literal.
function digit_separator(text, i) {
  let j = i;
  while (j > 0 && /[0-9A-Za-z_.']/.test(text[j - 1])) --j;
  return j < i && /[0-9]/.test(text[j]);
}

const KEYWORD_BEFORE_PAREN = /^(if|for|while|switch|return|sizeof|alignof|decltype|noexcept|catch)$/;

// What a `{` opens at namespace or class scope, from the declaration text before it.
function classify(header) {
  let h = header.replace(/^\s*((public|private|protected)\s*:(?!:)\s*)+/, '').trim();
  if (/^(inline\s+)?namespace\b/.test(h) || /^extern\s*"\s*"$/.test(h)) return {kind: 'namespace'};
  h = strip_template_prefix(h);
  if (/^(typedef\s+)?(class|struct|union)\b/.test(h) && !h.includes('(')) return {kind: 'class'};
  if (/^(typedef\s+)?enum\b/.test(h)) return {kind: 'other'};
  const top = depth_zero(h);
  const assign = top.search(/(?<![=!<>+\-*/%&|^]|operator\s*\S*)=(?!=)/);
  if (assign >= 0) {
    // A variable's initializer: a function only when it is a lambda.
    const value = h.slice(assign + 1).trim();
    if (!value.startsWith('[')) return {kind: 'other'};
    const name = h.slice(0, assign).match(/([A-Za-z_]\w*)\s*$/);
    return {kind: 'function', name: name ? name[1] : 'lambda'};
  }
  let open = first_call_paren(h, top);
  if (open < 0) return {kind: 'other'};
  // operator()(...): the name's own parentheses come before the parameters'.
  if (/operator\s*$/.test(h.slice(0, open)) && /^\(\s*\)\s*\(/.test(h.slice(open))) {
    open = h.indexOf('(', h.indexOf(')', open));
  }
  const name = h.slice(0, open).match(/((?:[A-Za-z_]\w*\s*(?:<[^()]*>)?\s*::\s*)*~?\s*(?:operator\s*(?:\(\s*\)|[^\s(]+|\s+[\w:<>*& ]+?)|[A-Za-z_]\w*))\s*$/);
  if (!name) return {kind: 'other'};
  const n = name[1].replace(/\s+/g, '');
  if (KEYWORD_BEFORE_PAREN.test(n)) return {kind: 'other'};
  return {kind: 'function', name: n};
}

function strip_template_prefix(h) {
  for (;;) {
    const m = h.match(/^template\s*</);
    if (!m) return h;
    let depth = 0;
    let i = m[0].length - 1;
    for (; i < h.length; ++i) {
      if (h[i] === '<') ++depth;
      if (h[i] === '>' && --depth === 0) break;
    }
    h = h.slice(i + 1).trim();
  }
}

// `h` with everything inside (), [] and template <> replaced by spaces.
function depth_zero(h) {
  let out = '';
  let depth = 0;
  let angle = 0;
  for (let i = 0; i < h.length; ++i) {
    const c = h[i];
    if (c === '(' || c === '[') {
      out += depth === 0 && angle === 0 ? c : ' ';
      ++depth;
      continue;
    }
    if (c === ')' || c === ']') {
      --depth;
      out += depth === 0 && angle === 0 ? c : ' ';
      continue;
    }
    if (depth === 0 && c === '<' && /[\w>]\s*$/.test(h.slice(0, i)) &&
        !/operator\s*<*$/.test(h.slice(0, i))) {
      ++angle;
      out += ' ';
      continue;
    }
    if (depth === 0 && c === '>' && angle > 0 && h[i - 1] !== '-') {
      --angle;
      out += ' ';
      continue;
    }
    out += depth === 0 && angle === 0 ? c : ' ';
  }
  return out;
}

// The offset of the parameter list's `(`: the first one at depth zero that follows a name.
function first_call_paren(h, top) {
  for (let i = top.indexOf('('); i >= 0; i = top.indexOf('(', i + 1)) {
    if (/(\w|operator\s*\S*|\)\s*)\s*$/.test(h.slice(0, i))) return i;
  }
  return -1;
}

// Every definition in `text` as {name, line, lines}: `line` is where its name stands, `lines`
// counts from there to the closing brace.
export function function_spans(text) {
  const src = blank_out(text);
  const line_of = (() => {
    const starts = [0];
    for (let i = 0; i < src.length; ++i) if (src[i] === '\n') starts.push(i + 1);
    return (offset) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    };
  })();
  const matching = (open) => {
    let depth = 0;
    for (let i = open; i < src.length; ++i) {
      if (src[i] === '{') ++depth;
      if (src[i] === '}' && --depth === 0) return i;
    }
    return src.length - 1;
  };
  const found = [];
  // Scopes where declarations stand: the file, namespaces and class bodies.
  const scopes = [];
  let header_start = 0;
  let parens = 0;
  for (let i = 0; i < src.length; ++i) {
    const c = src[i];
    if (c === '(' || c === '[') ++parens;
    else if (c === ')' || c === ']') --parens;
    else if (parens > 0) continue;
    else if (c === ';') header_start = i + 1;
    else if (c === ':' && src[i + 1] !== ':' && src[i - 1] !== ':' &&
             /\b(public|private|protected)\s*$/.test(src.slice(header_start, i))) {
      header_start = i + 1;
    } else if (c === '}') {
      scopes.pop();
      header_start = i + 1;
    } else if (c === '{') {
      const header = src.slice(header_start, i);
      // A constructor's member initializer `a_{x}` is part of the header, not the body.
      if (in_initializer_list(header) && /[\w>]\s*$/.test(header)) {
        i = matching(i);
        continue;
      }
      const what = classify(header);
      if (what.kind === 'namespace' || what.kind === 'class') {
        scopes.push(what.kind);
        header_start = i + 1;
        continue;
      }
      const close = matching(i);
      if (what.kind === 'function') {
        const at = header_start + header.search(/\S/);
        const name_at = src.indexOf(what.name.split('::')[0].replace('~', ''), at);
        const line = line_of(name_at >= 0 && name_at < i ? name_at : at);
        found.push({name: what.name, line, lines: line_of(close) - line + 1});
      }
      i = close;
      // What follows a function body starts a new declaration; an initializer's `}` does not.
      if (what.kind === 'function') header_start = i + 1;
    }
  }
  return found;
}

// A constructor's header after `) :`: `Foo::Foo(int a) : a_(a)` (not `::` nor `?:`).
function in_initializer_list(header) {
  const top = depth_zero(strip_template_prefix(header.trim()));
  return /\)\s*(noexcept\s*)?:(?!:)/.test(top);
}

// Every function longer than MAX_LINES under `tree`/src, as "file:line name (N lines)".
export function long_functions(tree, max = MAX_LINES) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) =>
      a.name < b.name ? -1 : 1)) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(cc|h)$/.test(entry.name)) {
        const rel = path.relative(tree, full).split(path.sep).join('/');
        for (const f of function_spans(fs.readFileSync(full, 'utf8'))) {
          if (f.lines > max) out.push(`${rel}:${f.line} ${f.name} (${f.lines} lines)`);
        }
      }
    }
  };
  walk(path.join(tree, 'src'));
  return out;
}

test(`no function in src/ is longer than ${MAX_LINES} lines`, () => {
  const found = long_functions(root).filter((v) => !ALLOWED.has(v.split(':')[0]));
  assert.deepEqual(found, [], 'split these into named stages');
});

test('every allowed departure still exists (delete the entry once it is gone)', () => {
  const files = new Set(long_functions(root).map((v) => v.split(':')[0]));
  assert.deepEqual([...ALLOWED].filter((f) => !files.has(f)), []);
});

// A made-up tree: `body` lines inside each function, braces hidden in the places a scan must skip.
function sample(body) {
  const lines = (n) => Array.from({length: n}, (_, k) => `  x += ${k};  // {\n`).join('');
  return [
    '#include <string>',
    '#define OPEN {',
    'namespace a {',
    'namespace {',
    'const int kTable[] = {',
    lines(130).replace(/x \+= (\d+);/g, '$1,'),
    '};',
    '}  // namespace',
    'int long_one(int x) {',
    '  const char* s = "}}";',
    "  char c = '{';",
    '  auto f = [&](int y) {',
    lines(body),
    '    return y;',
    '  };',
    '  /* } */ return x + f(1\'000) + R"(})"[0] + c + s[0];',
    '}',
    'struct Holder : Base<int> {',
    '  Holder() : a_{1}, b_(2) {',
    lines(body),
    '  }',
    ' public:',
    '  int operator()(int x) const {',
    lines(body),
    '    return x;',
    '  }',
    '  int a_ = 0, b_{0};',
    '};',
    'int Holder::short_one() { return 1; }',
    '}  // namespace a',
    '',
  ].join('\n');
}

test('the check measures functions, members and lambdas in them, not tables', () => {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'leakscope-length-'));
  try {
    fs.mkdirSync(path.join(tree, 'src', 'x'), {recursive: true});
    // long_one is 9 lines longer than the body, Holder() 3, operator() 4: 120 lines pass.
    fs.writeFileSync(path.join(tree, 'src', 'x', 'fits.cc'), sample(MAX_LINES - 9));
    fs.writeFileSync(path.join(tree, 'src', 'x', 'long.cc'), sample(MAX_LINES - 3));
    const spans = function_spans(sample(10)).map((f) => `${f.line} ${f.name} ${f.lines}`);
    assert.deepEqual(spans, ['139 long_one 19', '159 Holder 13', '173 operator() 14',
                             '189 Holder::short_one 1']);
    assert.deepEqual(long_functions(tree), [
      'src/x/long.cc:139 long_one (126 lines)',
      'src/x/long.cc:387 operator() (121 lines)',
    ]);
  } finally {
    fs.rmSync(tree, {recursive: true, force: true});
  }
});
