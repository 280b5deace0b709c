import { describe, expect, it } from 'vitest';
import { capabilityInterface, decodeClaimsToken, verifyToken } from '../../claims/index.ts';

// Tokens signed by wash/wascap, as published in wasmCloud's own sources (the wascap crate's tests and
// the policy-service tests). They are outside data: no key of ours could have made them.
const ECHO_TOKEN =
  'eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0.eyJqdGkiOiJTakI1Zm05NzRTanU5V01nVFVjaHNiIiwiaWF0IjoxNjQ0ODQzNzQzLCJpc3MiOiJBQ09KSk42V1VQNE9ERDc1WEVCS0tUQ0NVSkpDWTVaS1E1NlhWS1lLNEJFSldHVkFPT1FIWk1DVyIsInN1YiI6Ik1CQ0ZPUE02SlcyQVBKTFhKRDNaNU80Q043Q1BZSjJCNEZUS0xKVVI1WVI1TUlUSVU3SEQzV0Q1Iiwid2FzY2FwIjp7Im5hbWUiOiJFY2hvIiwiaGFzaCI6IjRDRUM2NzNBN0RDQ0VBNkE0MTY1QkIxOTU4MzJDNzkzNjQ3MUNGN0FCNDUwMUY4MzdGOEQ2NzlGNDQwMEJDOTciLCJ0YWdzIjpbXSwiY2FwcyI6WyJ3YXNtY2xvdWQ6aHR0cHNlcnZlciJdLCJyZXYiOjQsInZlciI6IjAuMy40IiwicHJvdiI6ZmFsc2V9fQ.ZWyD6VQqzaYM1beD2x9Fdw4o_Bavy3ZG703Eg4cjhyJwUKLDUiVPVhqHFE6IXdV4cW6j93YbMT6VGq5iBDWmAg';
const HELLO_TOKEN =
  'eyJ0eXAiOiJqd3QiLCJhbGciOiJFZDI1NTE5In0.eyJqdGkiOiJxdmVOakZjcW51dWhQaVJUMkU1YWJXIiwiaWF0IjoxNzIxODM0ODg5LCJpc3MiOiJBQk9HQjRXNURPWDNVTzNSVldXUUdZU01WWEhSUFFZWFZaUDVVNFZGTUpEQ1lDV0FSN1M1Q1lNTyIsInN1YiI6Ik1DNUNDNFVENUxQRFo0QzdaTkFFQTRPWlEzQkVGTFNWUTc0MlczVEVUM09OS1M0RFJCVk5NNUlDIiwid2FzY2FwIjp7Im5hbWUiOiJodHRwLWhlbGxvLXdvcmxkIiwiaGFzaCI6IkNFOTAxOTJDOTlDMEIyQzYwOEIyRTJDQjYxOUE5MjUxRkI2ODE4NTZDMTU2ODFCMUJDRDYyRUVEQTJENTEyOEUiLCJ0YWdzIjpbIndhc21jbG91ZC5jb20vZXhwZXJpbWVudGFsIl0sInJldiI6MCwidmVyIjoiMC4xLjAiLCJwcm92IjpmYWxzZX0sIndhc2NhcF9yZXZpc2lvbiI6M30.8awbkvrBnRKLpz88s7GXYCW0onpKf_nNfsj7pXhCyvq8pm4y2IotrIPCdBvWqDvDouX4VAM6DQQUHuI-VdKYAA';

const NOW = 1_764_000_000;

describe('wascap compatibility', () => {
  it.each([
    ['Echo (wascap before revision 3)', ECHO_TOKEN],
    ['http-hello-world (revision 3)', HELLO_TOKEN],
  ])('verifies the signature of a token wash signed: %s', async (_label, token) => {
    const result = await verifyToken(token, NOW);
    expect(result.ok).toBe(true);
  });

  it('reads every field wash wrote', () => {
    expect(decodeClaimsToken(ECHO_TOKEN)).toEqual({
      jti: 'SjB5fm974Sju9WMgTUchsb',
      iat: 1644843743,
      iss: 'ACOJJN6WUP4ODD75XEBKKTCCUJJCY5ZKQ56XVKYK4BEJWGVAOOQHZMCW',
      sub: 'MBCFOPM6JW2APJLXJD3Z5O4CN7CPYJ2B4FTKLJUR5YR5MITIU7HD3WD5',
      wascap: {
        name: 'Echo',
        hash: '4CEC673A7DCCEA6A4165BB195832C7936471CF7AB4501F837F8D679F4400BC97',
        tags: [],
        caps: ['wasmcloud:httpserver'],
        rev: 4,
        ver: '0.3.4',
        prov: false,
      },
    });
    expect(decodeClaimsToken(HELLO_TOKEN)).toMatchObject({
      wascap: { name: 'http-hello-world', tags: ['wasmcloud.com/experimental'], rev: 0, ver: '0.1.0' },
      wascap_revision: 3,
    });
  });

  it('serializes claims exactly as wascap does: same fields, same order', () => {
    for (const token of [ECHO_TOKEN, HELLO_TOKEN]) {
      const reencoded = Buffer.from(JSON.stringify(decodeClaimsToken(token))).toString('base64url');
      expect(reencoded).toBe(token.split('.')[1]);
    }
  });

  it('maps the legacy contract id of an old actor to its WIT interface', () => {
    expect(capabilityInterface('wasmcloud:httpserver')).toBe('wasi:http/incoming-handler');
    expect(capabilityInterface('wasi:keyvalue/store')).toBe('wasi:keyvalue/store');
  });

  it('refuses a wash token whose claims were edited', async () => {
    const [header, payload, signature] = ECHO_TOKEN.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    claims.wascap.caps.push('wasmcloud:keyvalue');
    const edited = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const result = await verifyToken(edited, NOW);
    expect(result.ok ? 'ok' : result.error.code).toBe('CLAIMS_BAD_SIGNATURE');
  });
});
