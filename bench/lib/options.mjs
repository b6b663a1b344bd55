// The benchmarks' command line: `--name value` options with a default, and the repository root.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// opt(name, dflt): the value after `name` in args, else dflt.
export function optionReader(args) {
  return (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
}
