import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProviderDescriptor } from '../host/index.ts';
import { blobstoreDescriptor } from '../providers/blobstore/index.ts';
import { filesystemDescriptor } from '../providers/filesystem/index.ts';
import { httpClientDescriptor } from '../providers/http-client/index.ts';
import { httpServerDescriptor } from '../providers/http-server/index.ts';
import { keyValueDescriptor } from '../providers/keyvalue/index.ts';
import { messagingDescriptor } from '../providers/messaging/index.ts';
import { oledDisplayDescriptor } from '../providers/oled-display/index.ts';
import { CliError } from './errors.ts';

/** The provider kinds this build of badger brings: `badger up` registers them, and `badger start provider <name>` starts them. */
export const BUILT_IN_PROVIDERS: readonly ProviderDescriptor[] = [keyValueDescriptor, blobstoreDescriptor, httpServerDescriptor, httpClientDescriptor, filesystemDescriptor, messagingDescriptor, oledDisplayDescriptor];

/**
 * The provider kinds that modules of the user's own declare (`badger up --provider-module`): each
 * module exports its descriptor as `descriptor` or as its default export.
 */
export async function providerModules(paths: readonly string[]): Promise<ProviderDescriptor[]> {
  const descriptors: ProviderDescriptor[] = [];
  for (const path of paths) {
    let loaded: { descriptor?: unknown; default?: unknown };
    try {
      loaded = (await import(pathToFileURL(resolve(path)).href)) as typeof loaded;
    } catch (error) {
      throw new CliError('CLI_BAD_ARGUMENT', `--provider-module ${path}: cannot load it: ${(error as Error).message}`, { cause: error });
    }
    const descriptor = (loaded.descriptor ?? loaded.default) as Partial<ProviderDescriptor> | undefined;
    if (typeof descriptor?.name !== 'string' || !Array.isArray(descriptor.contracts) || !Array.isArray(descriptor.linkConfig) || typeof descriptor.create !== 'function') {
      throw new CliError('CLI_BAD_ARGUMENT', `--provider-module ${path}: it exports no provider descriptor as \`descriptor\` or default (name, summary, contracts, linkConfig, create; see docs/providers.md)`);
    }
    descriptors.push(descriptor as ProviderDescriptor);
  }
  return descriptors;
}
