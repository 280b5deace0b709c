import { describe, expect, it } from 'vitest';
import { parseFilesystemLinkConfig } from '../../../providers/filesystem/index.ts';

const refuse = (message: string) => new Error(message);

describe('a filesystem link config', () => {
  it('is read-only at / unless it says otherwise', () => {
    expect(parseFilesystemLinkConfig({ path: '/srv/site' }, refuse)).toEqual({ path: '/srv/site', mode: 'ro', guestPath: '/' });
    expect(parseFilesystemLinkConfig({ path: '/srv/data', mode: 'rw', guest_path: '/data' }, refuse)).toEqual({ path: '/srv/data', mode: 'rw', guestPath: '/data' });
  });

  it('refuses what it cannot serve, naming the key', () => {
    expect(() => parseFilesystemLinkConfig({}, refuse)).toThrow('path is required');
    expect(() => parseFilesystemLinkConfig({ path: 'relative/dir' }, refuse)).toThrow('path=relative/dir is not absolute');
    expect(() => parseFilesystemLinkConfig({ path: '/x', mode: 'rwx' }, refuse)).toThrow('mode=rwx: use ro or rw');
    expect(() => parseFilesystemLinkConfig({ path: '/x', guest_path: 'data' }, refuse)).toThrow('guest_path=data is not an absolute path');
    expect(() => parseFilesystemLinkConfig({ path: '/x', Mode: 'rw' }, refuse)).toThrow('unknown key Mode');
  });
});
