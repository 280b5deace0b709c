import { capabilityDisplayName, capabilityInterface, type ClaimsVerification, type ComponentClaims } from '../claims/index.ts';
import type { ImportResolution } from '../host/index.ts';

/** What `badger claims inspect` shows: wash's fields, plus the hash and whether the claims verify. */
export interface ClaimsView {
  readonly name: string;
  readonly account: string;
  readonly component: string;
  readonly provider: boolean;
  readonly issued: string;
  readonly expires: string | null;
  readonly expiresHuman: string;
  readonly canBeUsed: string;
  readonly version: string | null;
  readonly revision: number | null;
  readonly callAlias: string | null;
  readonly capabilities: readonly { readonly interface: string; readonly name: string; readonly claimed: string }[];
  readonly tags: readonly string[];
  readonly hash: string;
  readonly moduleHash: string | null;
  readonly wascapRevision: number | null;
  readonly verified: { readonly ok: boolean; readonly code?: string; readonly reason?: string };
}

export function claimsView(verification: ClaimsVerification, nowSeconds: number): ClaimsView | undefined {
  const claims: ComponentClaims | undefined = verification.claims;
  if (!claims) return undefined;
  const meta = claims.wascap;
  return {
    name: meta.name ?? 'Anonymous',
    account: claims.iss,
    component: claims.sub,
    provider: meta.prov,
    issued: isoTime(claims.iat),
    expires: claims.exp === undefined ? null : isoTime(claims.exp),
    expiresHuman: claims.exp === undefined ? 'never' : relativeTime(claims.exp, nowSeconds),
    canBeUsed: claims.nbf === undefined || claims.nbf <= nowSeconds ? 'immediately' : relativeTime(claims.nbf, nowSeconds),
    version: meta.ver ?? null,
    revision: meta.rev ?? null,
    callAlias: meta.call_alias ?? null,
    capabilities: (meta.caps ?? []).map((claimed) => ({ interface: capabilityInterface(claimed), name: capabilityDisplayName(claimed), claimed })),
    tags: meta.tags ?? [],
    hash: meta.hash,
    moduleHash: verification.hash ?? null,
    wascapRevision: claims.wascap_revision ?? null,
    verified: verification.ok ? { ok: true } : { ok: false, code: verification.error.code, reason: verification.error.message },
  };
}

export function renderClaimsTable(view: ClaimsView): string {
  const rows: [string, string][] = [
    ['Account', view.account],
    [view.provider ? 'Provider' : 'Component', view.component],
    ['Issued', view.issued],
    ['Expires', view.expires ? `${view.expiresHuman} (${view.expires})` : 'never'],
    ['Can Be Used', view.canBeUsed],
    ['Version', `${view.version ?? '(not set)'}${view.revision === null ? '' : ` (${view.revision})`}`],
    ['Call Alias', view.callAlias ?? '(not set)'],
    ['Hash', view.hash],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [`${view.name} - ${view.provider ? 'Provider' : 'Component'}`];
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(width)}  ${value}`);
  lines.push('Capabilities');
  lines.push(...(view.capabilities.length ? view.capabilities.map((cap) => `  ${cap.interface}${cap.name === cap.interface ? '' : ` (${cap.name})`}`) : ['  None']));
  lines.push('Tags');
  lines.push(...(view.tags.length ? view.tags.map((tag) => `  ${tag}`) : ['  None']));
  lines.push(view.verified.ok ? 'Verified: yes' : `Verified: NO - ${view.verified.code}: ${view.verified.reason}`);
  return lines.join('\n');
}

/** `claims inspect --imports`: each import and what serves it, then whether a start would be refused. */
export function renderImportReport(resolutions: readonly ImportResolution[], refusal: { readonly code: string } | undefined): string {
  const servedBy = (resolution: ImportResolution): string => {
    switch (resolution.servedBy) {
      case 'host':
        return 'the host';
      case 'provider':
        return `provider ${resolution.providers.join(' or ')} (claimed)`;
      case 'link':
        return "a link to an actor that exports it (claimed)";
      case 'denied':
        return `DENIED: ${resolution.reason}`;
      case 'nothing':
        return `NOTHING: ${resolution.reason}`;
    }
  };
  const width = Math.max(6, ...resolutions.map((resolution) => resolution.import.length));
  const lines = [`${'IMPORT'.padEnd(width)}  SERVED BY`, ...resolutions.map((resolution) => `${resolution.import.padEnd(width)}  ${servedBy(resolution)}`)];
  if (resolutions.length === 0) lines.push('(it imports nothing)');
  lines.push(refusal ? `start actor would refuse it: ${refusal.code}` : 'start actor would serve every import');
  return lines.join('\n');
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

const UNITS: readonly [string, number][] = [['year', 31_536_000], ['day', 86_400], ['hour', 3600], ['minute', 60], ['second', 1]];

export function relativeTime(atSeconds: number, nowSeconds: number): string {
  const delta = atSeconds - nowSeconds;
  const size = Math.abs(delta);
  const [unit, seconds] = UNITS.find(([, s]) => size >= s) ?? ['second', 1];
  const count = Math.floor(size / seconds);
  const phrase = `${count} ${unit}${count === 1 ? '' : 's'}`;
  return delta >= 0 ? `in ${phrase}` : `${phrase} ago`;
}
