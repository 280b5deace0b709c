import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HostError } from '../errors.ts';
import type { RegistryCredentials } from './registry-client.ts';

/** The environment variables a registry's credentials may come from (as wash's WASH_REG_USER/PASSWORD). */
export const REGISTRY_USER_ENV = 'BADGER_REGISTRY_USER';
export const REGISTRY_PASSWORD_ENV = 'BADGER_REGISTRY_PASSWORD';

/** Docker's names for Docker Hub in config.json: its `auths` keys are URLs or host names. */
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/**
 * Pure: the credentials for `registry` (`host[:port]`), by precedence: `--user/--password`, then
 * the environment, then Docker's config.json (its `auths`, written by `docker login`); none when
 * none of them has any. A user without a password (or the reverse) is an error, not a guess.
 */
export function chooseCredentials(
  registry: string,
  given: { user?: string; password?: string },
  env: Readonly<Record<string, string | undefined>>,
  dockerConfig: { readonly text: string; readonly path: string } | undefined,
): RegistryCredentials | undefined {
  const pair = (user: string | undefined, password: string | undefined, userName: string, passwordName: string, source: string) => {
    if (user === undefined && password === undefined) return undefined;
    if (!user || password === undefined) throw new HostError('ARTIFACT_REGISTRY_AUTH', `${userName} and ${passwordName} go together: give both, or neither`);
    return { username: user, password, source };
  };
  const fromFlags = pair(given.user, given.password, '--user', '--password', '--user');
  if (fromFlags) return fromFlags;
  const fromEnv = pair(env[REGISTRY_USER_ENV] || undefined, env[REGISTRY_PASSWORD_ENV] || undefined, REGISTRY_USER_ENV, REGISTRY_PASSWORD_ENV, REGISTRY_USER_ENV);
  if (fromEnv) return fromEnv;
  return dockerConfig ? dockerCredentials(registry, dockerConfig.text, dockerConfig.path) : undefined;
}

/** Pure: the `auths` entry of Docker's config.json for `registry`, decoded. */
export function dockerCredentials(registry: string, text: string, path: string): RegistryCredentials | undefined {
  let config: { auths?: Record<string, { auth?: unknown; username?: unknown; password?: unknown }>; credsStore?: unknown; credHelpers?: Record<string, unknown> };
  try {
    config = JSON.parse(text) as typeof config;
  } catch {
    throw new HostError('ARTIFACT_REGISTRY_AUTH', `${path} is not JSON: fix it, or give --user and --password`);
  }
  const hub = DOCKER_HUB_KEYS.includes(registry);
  const entry = Object.entries(config.auths ?? {}).find(([key]) => {
    const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    return host === registry || (hub && DOCKER_HUB_KEYS.includes(host));
  })?.[1];
  if (entry && typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new HostError('ARTIFACT_REGISTRY_AUTH', `${path}: the auth of ${registry} is not base64 of user:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source: path };
  }
  if (entry && typeof entry.username === 'string' && typeof entry.password === 'string') return { username: entry.username, password: entry.password, source: path };
  // Credential helpers keep the secret elsewhere (a keychain): this client does not run them.
  const helper = config.credHelpers?.[registry] ?? (entry ? config.credsStore : undefined);
  if (typeof helper === 'string') {
    throw new HostError('ARTIFACT_REGISTRY_AUTH', `${path} keeps the credentials of ${registry} in the docker-credential-${helper} helper, which badger does not run: give --user and --password, or set ${REGISTRY_USER_ENV} and ${REGISTRY_PASSWORD_ENV}`);
  }
  return undefined;
}

/** Docker's config.json (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), when there is one. */
export async function readDockerConfig(env: Readonly<Record<string, string | undefined>> = process.env): Promise<{ text: string; path: string } | undefined> {
  const path = join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
  try {
    return { text: await readFile(path, 'utf8'), path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HostError('ARTIFACT_REGISTRY_AUTH', `cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The credentials for `registry`, by chooseCredentials' precedence, reading Docker's config only when needed. */
export async function registryCredentials(registry: string, given: { user?: string; password?: string } = {}, env: Readonly<Record<string, string | undefined>> = process.env): Promise<RegistryCredentials | undefined> {
  const early = chooseCredentials(registry, given, env, undefined);
  return early ?? chooseCredentials(registry, given, env, await readDockerConfig(env));
}
