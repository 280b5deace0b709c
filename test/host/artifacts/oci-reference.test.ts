import { describe, expect, it } from 'vitest';
import { formatOciReference, isLoopbackRegistry, parseOciReference, registryBaseUrl } from '../../../host/artifacts/oci-reference.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('oci:// references', () => {
  it('read a registry, a repository, and a tag, a digest or both, and write them back the same', () => {
    const cases = {
      'oci://127.0.0.1:5000/badger/oled-ticker:0.1.0': { registry: '127.0.0.1:5000', repository: 'badger/oled-ticker', tag: '0.1.0' },
      [`oci://ghcr.io/wasmcloud/components/http-hello-world-rust@${DIGEST}`]: { registry: 'ghcr.io', repository: 'wasmcloud/components/http-hello-world-rust', digest: DIGEST },
      [`oci://localhost:5000/a_b.c__d-e---f:v1_2-rc.3@${DIGEST}`]: { registry: 'localhost:5000', repository: 'a_b.c__d-e---f', tag: 'v1_2-rc.3', digest: DIGEST },
      'oci://[::1]:5000/hello:latest': { registry: '[::1]:5000', repository: 'hello', tag: 'latest' },
    };
    for (const [text, expected] of Object.entries(cases)) {
      expect(parseOciReference(text)).toEqual(expected);
      expect(formatOciReference(parseOciReference(text))).toBe(text);
    }
  });

  it('refuse what the grammar refuses, each with the reason and how to write one', () => {
    const refused: Record<string, RegExp> = {
      'https://ghcr.io/a:b': /does not begin with oci:\/\//,
      'oci://hello:latest': /names no registry/,
      'oci://ghcr.io/:latest': /names no repository/,
      'oci://ghcr.io/hello': /neither a tag nor a digest/,
      'oci://ghcr.io/Hello:1': /"Hello" is not a repository path component/,
      'oci://ghcr.io/a//b:1': /"" is not a repository path component/,
      'oci://ghcr.io/../etc:1': /"\.\." is not a repository path component/,
      'oci://ghcr.io/hello:.hidden': /the tag "\.hidden"/,
      [`oci://ghcr.io/hello:${'x'.repeat(129)}`]: /the tag/,
      'oci://ghcr.io/hello@sha256:abc': /the digest "sha256:abc"/,
      [`oci://ghcr.io/hello@sha512:${'ab'.repeat(64)}`]: /the digest/,
      'oci://reg_istry/hello:1': /"reg_istry" is not a registry/,
      'oci://localhost:99999/hello:1': /"localhost:99999" is not a registry/,
      [`oci://ghcr.io/${'a'.repeat(256)}:1`]: /longer than 255/,
    };
    for (const [text, why] of Object.entries(refused)) {
      expect(() => parseOciReference(text), text).toThrow(expect.objectContaining({ code: 'ARTIFACT_BAD_REFERENCE', message: expect.stringMatching(why) }));
      expect(() => parseOciReference(text), text).toThrow(/write oci:\/\/<registry>\/<repository>:<tag>/);
    }
  });

  it('reach a registry by HTTPS unless it is on loopback or the user says --insecure', () => {
    for (const registry of ['localhost:5000', '127.0.0.1:5000', '127.8.9.10', '[::1]:5000', 'registry.localhost']) {
      expect(isLoopbackRegistry(registry), registry).toBe(true);
      expect(registryBaseUrl(registry, false)).toBe(`http://${registry}`);
    }
    for (const registry of ['ghcr.io', 'pi.local:5000', '192.168.1.20:5000', 'localhost.example.com', '[::2]:5000']) {
      expect(isLoopbackRegistry(registry), registry).toBe(false);
      expect(registryBaseUrl(registry, false)).toBe(`https://${registry}`);
      expect(registryBaseUrl(registry, true)).toBe(`http://${registry}`);
    }
  });
});
