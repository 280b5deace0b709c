import { describe, expect, it } from 'vitest';
import { parseAuthChallenge } from '../../../host/artifacts/registry-client.ts';
import { chooseCredentials, dockerCredentials } from '../../../host/artifacts/registry-credentials.ts';

const docker = (auths: object, more: object = {}) => ({ text: JSON.stringify({ auths, ...more }), path: '/home/u/.docker/config.json' });
const auth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('registry credentials', () => {
  it('take --user/--password first, then the environment, then docker login\'s config.json', () => {
    const config = docker({ 'reg.example:5000': { auth: auth('from-docker', 'd') } });
    const env = { BADGER_REGISTRY_USER: 'from-env', BADGER_REGISTRY_PASSWORD: 'e' };
    expect(chooseCredentials('reg.example:5000', { user: 'flag', password: 'f' }, env, config)).toEqual({ username: 'flag', password: 'f', source: '--user' });
    expect(chooseCredentials('reg.example:5000', {}, env, config)).toEqual({ username: 'from-env', password: 'e', source: 'BADGER_REGISTRY_USER' });
    expect(chooseCredentials('reg.example:5000', {}, {}, config)).toEqual({ username: 'from-docker', password: 'd', source: '/home/u/.docker/config.json' });
    expect(chooseCredentials('other.example', {}, {}, config)).toBeUndefined();
    expect(chooseCredentials('reg.example:5000', {}, {}, undefined)).toBeUndefined();
  });

  it('refuse half a pair rather than guess', () => {
    expect(() => chooseCredentials('r', { user: 'u' }, {}, undefined)).toThrow(/--user and --password go together/);
    expect(() => chooseCredentials('r', {}, { BADGER_REGISTRY_PASSWORD: 'p' }, undefined)).toThrow(/BADGER_REGISTRY_USER and BADGER_REGISTRY_PASSWORD go together/);
  });

  it("read config.json's keys as docker writes them: URLs, Docker Hub's names, username and password fields", () => {
    expect(dockerCredentials('ghcr.io', docker({ 'https://ghcr.io': { auth: auth('a', 'p:with:colons') } }).text, 'c')).toEqual({ username: 'a', password: 'p:with:colons', source: 'c' });
    expect(dockerCredentials('docker.io', docker({ 'https://index.docker.io/v1/': { auth: auth('hub', 'h') } }).text, 'c')).toMatchObject({ username: 'hub' });
    expect(dockerCredentials('r', docker({ r: { username: 'u', password: 'p' } }).text, 'c')).toMatchObject({ username: 'u', password: 'p' });
  });

  it('say when a credential helper holds the secret, and when the file is not JSON', () => {
    expect(() => dockerCredentials('ghcr.io', docker({}, { credHelpers: { 'ghcr.io': 'pass' } }).text, 'c')).toThrow(/docker-credential-pass helper, which badger does not run: give --user/);
    expect(() => dockerCredentials('r', '{not json', 'c')).toThrow(/c is not JSON/);
  });
});

describe('WWW-Authenticate challenges', () => {
  it('are read with quoted and bare parameters', () => {
    expect(parseAuthChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    });
    expect(parseAuthChallenge('Basic realm="badger-test"')).toEqual({ scheme: 'basic', params: { realm: 'badger-test' } });
    expect(parseAuthChallenge('')).toBeUndefined();
  });
});
