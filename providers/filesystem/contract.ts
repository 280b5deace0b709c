// The guest side runs in the actor's own thread: files are read and written there, and only the
// link's config crosses, once per link. From the host: types and host/guest-side.ts only.
import type { Contract, Link, RoutedCall } from '../../host/index.ts';
import { Descriptor, DirectoryEntryStream, preopenAt } from './file-descriptors.ts';
import { parseFilesystemLinkConfig } from './link-config.ts';

/** What a filesystem provider implements: the host's side is only the link's config, checked when the link was put. */
export interface FilesystemHandler {
  linkConfig(link: Link): Promise<Readonly<Record<string, string>>>;
}

const PREOPENS = 'wasi:filesystem/preopens';
const TYPES = 'wasi:filesystem/types';

export const contract: Contract<FilesystemHandler> = {
  module: import.meta.url,
  package: 'wasi:filesystem',
  versions: '^0.2.0',
  interfaces: [PREOPENS, TYPES],
  asyncImports: [],
  rememberedImports: [`${PREOPENS}#link-config`],

  guestImports(call: RoutedCall) {
    return {
      [PREOPENS]: {
        getDirectories(): [Descriptor, string][] {
          // Without a link, or with a directory that is gone, the filesystem stays empty: the
          // function has no error to give, and a throw would trap the guest.
          try {
            const config = parseFilesystemLinkConfig(call(PREOPENS, 'link-config', []) as Record<string, string>, (message) => new Error(message));
            const preopen = preopenAt(config.path, config.mode === 'rw');
            return preopen ? [[Descriptor.root(preopen), config.guestPath]] : [];
          } catch {
            return [];
          }
        },
      },
      [TYPES]: {
        Descriptor,
        DirectoryEntryStream,
        // The streams of a file fail with a message, not an errno.
        filesystemErrorCode: () => undefined,
      },
    };
  },

  dispatch(handler, iface, operation, _args, link) {
    if (`${iface}#${operation}` === `${PREOPENS}#link-config`) return handler.linkConfig(link);
    return undefined;
  },

  notLinked: (message) => message,
  failed: (message) => message,
};
