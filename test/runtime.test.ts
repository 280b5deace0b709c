import { describe, expect, it } from 'vitest';

describe('runtime', () => {
  it('runs on Node 24 or later, brought in through npm', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major, `tests run on ${process.version}; run them with "npm test" so node_modules/.bin/node (Node 24) comes first`).toBeGreaterThanOrEqual(24);
  });

  it('has JSPI (WebAssembly.Suspending), which the host needs for asynchronous imports', () => {
    expect(typeof WebAssembly.Suspending).toBe('function');
  });
});
