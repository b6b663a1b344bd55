'use strict';
// The closure-context chain ("replaceThing", Meteor's famous leak): `unused` refers to
// originalThing, and because closures created in one scope share one context, `someMethod` keeps
// originalThing alive too; every new thing therefore holds the previous one, forever.
//
//   node --expose-gc examples/leaky-closure-chain.js OUTDIR [--requests N]
const { runSeries } = require('./lib/snapshot-series');

let theThing = null;

function replaceThing() {
  const originalThing = theThing;
  const unused = function () {
    if (originalThing) return 'hi';
    return '';
  };
  theThing = {
    longStr: new Array(2000).join('*') + Math.random(),
    someMethod: function someMethod() {
      return unused.length;
    },
  };
}

runSeries('leaky-closure-chain', (k, requests) => {
  for (let i = 0; i < requests; i++) replaceThing();
}, { requests: 300 });
