import { capabilityInterface, publicKeyType, type ClaimsErrorCode, type ClaimsVerification, type PublicKey } from '../claims/index.ts';
import { HostError, type HostErrorCode } from './errors.ts';

/**
 * Capability patterns: an exact WIT interface (`wasi:keyvalue/store`), every interface of a package
 * (`wasi:keyvalue/*`), or everything (`*`).
 */
export type CapabilityPatterns = readonly string[];

export interface IssuerRule {
  readonly key: PublicKey;
  readonly name?: string;
  readonly capabilities: CapabilityPatterns;
}

export interface ComponentRule {
  readonly key: PublicKey;
  /** Narrows what the issuer allows; it never widens it. */
  readonly capabilities?: CapabilityPatterns;
  readonly deny?: boolean;
}

export interface Policy {
  readonly allowUnsigned: boolean;
  readonly allowExpired: boolean;
  readonly issuers: readonly IssuerRule[];
  readonly components: readonly ComponentRule[];
}

export interface PolicyDenial {
  readonly code: HostErrorCode | ClaimsErrorCode;
  readonly reason: string;
}

export type PolicyDecision =
  | { readonly allowed: true; readonly capabilities: readonly string[]; readonly unsigned: boolean }
  | { readonly allowed: false; readonly denials: readonly PolicyDenial[] };

/** Signed only, by the issuers given, with whatever they attest. */
export function defaultPolicy(trustedIssuers: readonly PublicKey[]): Policy {
  return {
    allowUnsigned: false,
    allowExpired: false,
    issuers: trustedIssuers.map((key) => ({ key, capabilities: ['*'] })),
    components: [],
  };
}

/** Decides whether a verified (or failed) artifact may run, and with which capabilities. */
export function evaluatePolicy(verification: ClaimsVerification, policy: Policy): PolicyDecision {
  if (!verification.ok) {
    const { code, message } = verification.error;
    if (code === 'CLAIMS_MISSING') {
      return policy.allowUnsigned
        ? { allowed: true, capabilities: [], unsigned: true }
        : deny('POLICY_UNSIGNED_DENIED', 'the component is unsigned and the policy allows signed components only');
    }
    // Verification reports expiry only once signature and hash are known good, so this is safe to waive.
    const waived = code === 'CLAIMS_EXPIRED' && policy.allowExpired;
    if (!waived || !verification.claims) return deny(code, message);
  }
  const claims = verification.claims!;
  const issuer = policy.issuers.find((rule) => rule.key === claims.iss);
  if (!issuer) {
    return deny('POLICY_ISSUER_DENIED', `the issuer ${claims.iss} is not trusted by this host's policy`);
  }
  const component = policy.components.find((rule) => rule.key === claims.sub);
  if (component?.deny) {
    return deny('POLICY_COMPONENT_DENIED', `the component ${claims.sub} is denied by this host's policy`);
  }
  const capabilities = (claims.wascap.caps ?? []).map(capabilityInterface);
  const denials = capabilities.flatMap((capability): PolicyDenial[] => {
    if (!allows(issuer.capabilities, capability)) {
      return [{ code: 'POLICY_CAPABILITY_DENIED', reason: `${capability} is not allowed for components of issuer ${issuer.name ?? issuer.key}` }];
    }
    if (component?.capabilities && !allows(component.capabilities, capability)) {
      return [{ code: 'POLICY_CAPABILITY_DENIED', reason: `${capability} is not allowed for component ${claims.sub}` }];
    }
    return [];
  });
  return denials.length > 0 ? { allowed: false, denials } : { allowed: true, capabilities, unsigned: false };
}

export function allows(patterns: CapabilityPatterns, capability: string): boolean {
  return patterns.some((pattern) =>
    pattern === '*' || pattern === capability || (pattern.endsWith('/*') && capability.startsWith(pattern.slice(0, -1))),
  );
}

function deny(code: PolicyDenial['code'], reason: string): PolicyDecision {
  return { allowed: false, denials: [{ code, reason }] };
}

const POLICY_FIELDS = ['allowUnsigned', 'allowExpired', 'issuers', 'components'];

/**
 * Checks a parsed policy document field by field. `source` names the file in every message, so a
 * typo is reported where it is.
 */
export function parsePolicy(document: unknown, source: string): Policy {
  const at = (path: string, problem: string) => new HostError('POLICY_MALFORMED', `${source}: ${path}: ${problem}`);
  if (document === null || document === undefined) return defaultPolicy([]);
  if (!isRecord(document)) throw at('(top)', 'a policy must be a mapping of fields');
  for (const field of Object.keys(document)) {
    if (!POLICY_FIELDS.includes(field)) throw at(field, `unknown field; a policy has ${POLICY_FIELDS.join(', ')}`);
  }
  const flag = (field: string): boolean => {
    const value = document[field] ?? false;
    if (typeof value !== 'boolean') throw at(field, `must be true or false, not ${JSON.stringify(value)}`);
    return value;
  };
  const list = (field: string): unknown[] => {
    const value = document[field] ?? [];
    if (!Array.isArray(value)) throw at(field, 'must be a list');
    return value;
  };
  const key = (path: string, value: unknown, type: 'account' | 'component'): PublicKey => {
    if (typeof value !== 'string' || publicKeyType(value) === undefined) {
      throw at(path, `${JSON.stringify(value)} is not a public nkey`);
    }
    const actual = publicKeyType(value);
    const accepted = type === 'account' ? ['account'] : ['component', 'provider'];
    if (!accepted.includes(actual!)) throw at(path, `${value} is a ${actual} key; expected ${type === 'account' ? 'an account key (A…)' : 'a component key (M…)'}`);
    return value as PublicKey;
  };
  const patterns = (path: string, value: unknown): CapabilityPatterns => {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length > 0)) {
      throw at(path, 'must be a list of WIT interface names or patterns, such as ["wasi:keyvalue/store", "wasi:http/*"]');
    }
    return value.map(capabilityInterface);
  };
  const fields = (path: string, value: unknown, allowed: readonly string[]): Record<string, unknown> => {
    if (!isRecord(value)) throw at(path, 'must be a mapping');
    for (const field of Object.keys(value)) {
      if (!allowed.includes(field)) throw at(`${path}.${field}`, `unknown field; expected ${allowed.join(', ')}`);
    }
    return value;
  };

  const issuers = list('issuers').map((entry, i): IssuerRule => {
    const rule = fields(`issuers[${i}]`, entry, ['key', 'name', 'capabilities']);
    if (rule.name !== undefined && typeof rule.name !== 'string') throw at(`issuers[${i}].name`, 'must be a string');
    return {
      key: key(`issuers[${i}].key`, rule.key, 'account'),
      ...(rule.name === undefined ? {} : { name: rule.name as string }),
      capabilities: rule.capabilities === undefined ? ['*'] : patterns(`issuers[${i}].capabilities`, rule.capabilities),
    };
  });
  const components = list('components').map((entry, i): ComponentRule => {
    const rule = fields(`components[${i}]`, entry, ['key', 'capabilities', 'deny']);
    if (rule.deny !== undefined && typeof rule.deny !== 'boolean') throw at(`components[${i}].deny`, 'must be true or false');
    return {
      key: key(`components[${i}].key`, rule.key, 'component'),
      ...(rule.capabilities === undefined ? {} : { capabilities: patterns(`components[${i}].capabilities`, rule.capabilities) }),
      ...(rule.deny === undefined ? {} : { deny: rule.deny as boolean }),
    };
  });
  return { allowUnsigned: flag('allowUnsigned'), allowExpired: flag('allowExpired'), issuers, components };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
