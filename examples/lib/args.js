'use strict';
// The examples' one command-line helper: `--name value` options, with a default.
function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

module.exports = { arg };
