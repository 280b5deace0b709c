import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_OBJECT_BYTES, parseBlobLinkConfig, storeContainerName } from '../../../providers/blobstore/index.ts';

const ACTOR = 'MBCFOPM6JW2APJLXJD3Z5O4CN7CPYJ2B4FTKLJUR5YR5MITIU7HD3WD5';

describe('blobstore link config', () => {
  it("defaults to a file store under the data directory, with containers of the actor's own", () => {
    const config = parseBlobLinkConfig({}, ACTOR, '/data/blobs');
    expect(config).toMatchObject({ backend: 'file', location: '/data/blobs', maxObjectBytes: DEFAULT_MAX_OBJECT_BYTES });
    expect(storeContainerName(config, 'notes')).toBe(`${ACTOR}-notes`);
    expect(storeContainerName(parseBlobLinkConfig({}, 'M' + 'X'.repeat(55), '/d'), 'notes')).not.toBe(storeContainerName(config, 'notes'));
  });

  it('reads the backend, its place, the containers it shares and the size limit', () => {
    const config = parseBlobLinkConfig({ backend: 'nats', url: 'nats://127.0.0.1:4333', 'container.photos': 'shared-photos', 'max-object-bytes': '1048576' }, ACTOR, '/d');
    expect(config).toMatchObject({ backend: 'nats', location: 'nats://127.0.0.1:4333', maxObjectBytes: 1048576 });
    expect(storeContainerName(config, 'photos')).toBe('shared-photos');
    expect(storeContainerName(config, 'drafts')).toBe(`${ACTOR}-drafts`);
  });

  it('refuses an unknown key, an unknown backend, an empty mapping and a bad limit, as the WIT error string, naming them', () => {
    for (const [config, named] of [
      [{ bakend: 'file' }, 'unknown key bakend'],
      [{ backend: 's3' }, 'backend="s3"'],
      [{ 'container.photos': '' }, 'container.photos is empty'],
      [{ 'max-object-bytes': '1e6' }, 'max-object-bytes="1e6"'],
    ] as const) {
      expect(() => parseBlobLinkConfig(config, ACTOR, '/d'), JSON.stringify(config)).toThrow(expect.objectContaining({ value: expect.stringContaining(named) }));
    }
  });
});
