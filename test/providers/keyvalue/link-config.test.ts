import { describe, expect, it } from 'vitest';
import { parseStoreLinkConfig } from '../../../providers/keyvalue/index.ts';

const parse = (config: Record<string, string>) => parseStoreLinkConfig(config, 'MACTOR', '/var/kv');
const refusal = (config: Record<string, string>) => {
  try {
    parse(config);
  } catch (error) {
    return (error as { value?: { val?: string } }).value?.val ?? (error as Error).message;
  }
  return undefined;
};

describe('a key-value link\'s replicas', () => {
  it('are taken for backend=nats, 1 to 5, and left unset when not given', () => {
    expect(parse({ backend: 'nats', url: 'nats://a:4222,nats://b:4222', replicas: '3' })).toMatchObject({ backend: 'nats', location: 'nats://a:4222,nats://b:4222', replicas: 3 });
    expect(parse({ backend: 'nats' }).replicas).toBeUndefined();
  });

  it('are refused, named, where they cannot mean anything', () => {
    expect(refusal({ backend: 'file', replicas: '3' })).toBe('link config replicas="3" is for backend=nats: a file store keeps one copy');
    expect(refusal({ backend: 'nats', replicas: '6' })).toBe('link config replicas="6": JetStream keeps 1 to 5 replicas');
    expect(refusal({ backend: 'nats', replicas: '0' })).toBe('link config replicas="0" is not a positive whole number');
  });
});
