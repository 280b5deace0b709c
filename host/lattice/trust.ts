/**
 * Who a locked lattice trusts, decided from values alone: operator keys (`--ctl-allow`), and hosts
 * or providers vouched for by a cluster issuer (`--cluster-issuer`), as wasmCloud's cluster issuers
 * do. A voucher is a JWT the issuer signs over the member's key and the lattice's name.
 */
import { randomUUID } from 'node:crypto';
import { publicKeyType, type KeyPair } from '../../claims/index.ts';
import { fastSigner, verifyNkeySignature } from './lattice-crypto.ts';

export interface LatticeTrust {
  /** Keys whose signed control requests are taken, and who may vouch for members. */
  readonly operators: readonly string[];
  /** Cluster keys (`C…`) whose vouchers make a host or provider a member of the lattice. */
  readonly clusterIssuers: readonly string[];
}

/** A lattice is locked as soon as it names anyone to trust; unlocked, it trusts whoever reaches its NATS server. */
export function isLocked(trust: LatticeTrust | undefined): trust is LatticeTrust {
  return trust !== undefined && (trust.operators.length > 0 || trust.clusterIssuers.length > 0);
}

interface VoucherClaims {
  readonly jti: string;
  readonly iat: number;
  readonly iss: string;
  readonly sub: string;
  readonly badger_lattice: string;
}

const VOUCHER_HEADER = Buffer.from(JSON.stringify({ typ: 'jwt', alg: 'Ed25519' })).toString('base64url');

/** The issuer's word that `member` (a host's `N…` or a provider's `V…` key) belongs to `lattice`. */
export function issueVoucher(issuer: KeyPair, member: string, lattice: string, nowSeconds: number): string {
  const claims: VoucherClaims = { jti: randomUUID(), iat: nowSeconds, iss: issuer.publicKey, sub: member, badger_lattice: lattice };
  const signingInput = `${VOUCHER_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${Buffer.from(fastSigner(issuer)(new TextEncoder().encode(signingInput))).toString('base64url')}`;
}

const MEMBER_KEY_TYPES = new Set(['host', 'provider']);

/** Pure: why `member` with this voucher is not a trusted member of `lattice`, or undefined when it is. */
export function memberRefusal(trust: LatticeTrust, lattice: string, member: string, voucher: string | undefined): string | undefined {
  if (!MEMBER_KEY_TYPES.has(publicKeyType(member) ?? '')) return `${member} is not a host or provider key`;
  if (!voucher) return `${member} shows no voucher from a cluster issuer`;
  const parts = voucher.split('.');
  if (parts.length !== 3) return `${member}'s voucher is not a JWT`;
  let claims: Partial<VoucherClaims>;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Partial<VoucherClaims>;
  } catch {
    return `${member}'s voucher is not a JWT`;
  }
  if (claims.sub !== member) return `the voucher ${member} shows is for ${String(claims.sub)}`;
  if (claims.badger_lattice !== lattice) return `${member}'s voucher is for lattice ${String(claims.badger_lattice)}, not ${lattice}`;
  const issuer = String(claims.iss);
  if (!trust.clusterIssuers.includes(issuer) && !trust.operators.includes(issuer)) {
    return `${member} is vouched for by ${issuer}, which this lattice does not trust: list it with --cluster-issuer`;
  }
  const valid = verifyNkeySignature(issuer, new TextEncoder().encode(`${parts[0]}.${parts[1]}`), Buffer.from(parts[2]!, 'base64url'));
  return valid ? undefined : `${member}'s voucher is not signed by ${issuer}`;
}

/** Pure: why `key` may not act as an operator here, or undefined when it may. */
export function operatorRefusal(trust: LatticeTrust, key: string): string | undefined {
  return trust.operators.includes(key) ? undefined : `${key} is not allowed to control this lattice (not in --ctl-allow)`;
}
