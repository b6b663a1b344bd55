'use strict';
// A package-style template engine, the way many small npm packages are written: templates are
// compiled once and memoized in module-level state, keyed by the template text. The memo has no
// bound, which is harmless while templates are constants of the program and a leak as soon as a
// caller builds the template text per request. The memo is reached only through the module's
// functions, i.e. through require.cache, like every package's module-level cache.
const compiled = new Map();

class CompiledTemplate {
  constructor(source) {
    this.source = source;
    // Literal text and {{name}} slots, alternating.
    this.parts = source.split(/\{\{(\w+)\}\}/);
    this.compiledAt = Date.now();
  }
  render(data) {
    let out = '';
    for (let i = 0; i < this.parts.length; i++) out += i % 2 ? String(data[this.parts[i]] ?? '') : this.parts[i];
    return out;
  }
}

function render(source, data) {
  let template = compiled.get(source);
  if (!template) {
    template = new CompiledTemplate(source);
    compiled.set(source, template);
  }
  return template.render(data);
}

module.exports = { render, CompiledTemplate };
