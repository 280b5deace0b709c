import { statSync } from 'node:fs';
import { serving, type Link, type Provider } from '../../host/index.ts';
import { contract, type FilesystemHandler } from './contract.ts';
import { FilesystemError } from './errors.ts';
import { parseFilesystemLinkConfig, type FilesystemLinkConfig } from './link-config.ts';

const badConfig = (message: string) => new FilesystemError('FILESYSTEM_BAD_LINK_CONFIG', `filesystem link config: ${message}`);

/** A link's config, checked: its keys, and that its path is a directory here now. */
function checkedConfig(link: Link): FilesystemLinkConfig {
  const config = parseFilesystemLinkConfig(link.config, badConfig);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(config.path).isDirectory();
  } catch (error) {
    throw badConfig(`path=${config.path} cannot be used: ${(error as Error).message}`);
  }
  if (!isDirectory) throw badConfig(`path=${config.path} is not a directory`);
  return config;
}

/**
 * The wasi:filesystem provider: a link gives the actor one host directory as a preopen. It only
 * checks each link's config and hands it to the actor's thread, which opens the files itself (see
 * contract.ts): a read or a write never crosses to the host's thread.
 */
export function filesystemProvider(options: { readonly id?: string } = {}): Provider & { readonly filesystem: FilesystemHandler } {
  const filesystem: FilesystemHandler = {
    async linkConfig(link) {
      checkedConfig(link);
      return link.config;
    },
  };
  return {
    id: options.id ?? 'filesystem',
    name: 'host directories as wasi:filesystem preopens',
    filesystem,
    serves: [serving(contract, filesystem)],
    linkPut(link) {
      checkedConfig(link);
    },
    health: () => ({ healthy: true }),
  };
}
