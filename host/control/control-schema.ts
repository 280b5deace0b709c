/**
 * What a control request may be, as a schema: the local socket and the lattice carry requests
 * from other processes, so every field is checked for type and range before anything acts on it.
 */
import type { z as Zod } from 'zod';
import { LOG_LEVELS } from '../log-levels.ts';
import { isServiceName } from '../provider.ts';
import type { ControlRequest } from './operations.ts';

/** The zod namespace, for schemas made once it is loaded. */
export type SchemaKit = typeof Zod;

/**
 * The host's operations as schemas, made on first use: zod takes 70 ms to load, and every `badger`
 * run imports this module while only a host ever checks a request.
 */
function operationSchemas(z: SchemaKit) {
  const id = z.string().min(1).max(512);
  const name = z.string().min(1).max(256);
  const config = z.record(z.string().max(256), z.string().max(64 * 1024)).refine((value) => Object.keys(value).length <= 256, 'at most 256 entries');
  const count = (max: number) => z.number().int().min(1).max(max);

  // Each operation and its fields; unknown fields are refused, so that a typo is not silently dropped.
  return {
    ping: z.strictObject({ op: z.literal('ping') }),
    'start-actor': z.strictObject({
      op: z.literal('start-actor'),
      location: z.string().min(1).max(4096),
      maxInstances: count(1024).optional(),
      deadlineMs: count(3_600_000).optional(),
      queueLimit: z.number().int().min(0).max(100_000).optional(),
      memoryLimitMb: count(65_536).optional(),
      logLevel: z.enum(LOG_LEVELS).optional(),
      config: config.optional(),
      isolated: z.boolean().optional(),
      idleMs: count(86_400_000).optional(),
    }),
    'update-actor': z.strictObject({ op: z.literal('update-actor'), location: z.string().min(1).max(4096) }),
    'stop-actor': z.strictObject({ op: z.literal('stop-actor'), actor: id }),
    'scale-actor': z.strictObject({ op: z.literal('scale-actor'), actor: id, maxInstances: count(1024) }),
    'put-link': z.strictObject({ op: z.literal('put-link'), source: id, target: id, interface: id, name: name.optional(), config: config.optional() }),
    'del-link': z.strictObject({ op: z.literal('del-link'), source: id, interface: id, name: name.optional() }),
    'query-links': z.strictObject({ op: z.literal('query-links') }),
    'start-provider': z.strictObject({ op: z.literal('start-provider'), kind: name, id: name.optional() }),
    'stop-provider': z.strictObject({ op: z.literal('stop-provider'), id: name }),
    'get-inventory': z.strictObject({ op: z.literal('get-inventory') }),
    'get-claims': z.strictObject({ op: z.literal('get-claims') }),
    'provider-kinds': z.strictObject({ op: z.literal('provider-kinds') }),
    'provider-service': z.strictObject({ op: z.literal('provider-service'), service: z.string().refine(isServiceName, 'a service name is a lowercase letter, then up to 31 lowercase letters, digits or -'), provider: name.optional(), request: z.unknown().optional() }),
    call: z.strictObject({ op: z.literal('call'), actor: id, function: z.string().min(1).max(512), args: z.array(z.unknown()).max(64) }),
    shutdown: z.strictObject({ op: z.literal('shutdown') }),
    'app-deploy': z.strictObject({ op: z.literal('app-deploy'), manifest: z.string().min(1).max(1024 * 1024) }),
    'app-undeploy': z.strictObject({ op: z.literal('app-undeploy'), name }),
    'app-list': z.strictObject({ op: z.literal('app-list') }),
    'app-status': z.strictObject({ op: z.literal('app-status'), name }),
  } satisfies Record<ControlRequest['op'], Zod.ZodType>;
}

let loaded: Promise<{ z: SchemaKit; operations: Record<string, Zod.ZodType> }> | undefined;

function schemas(): Promise<{ z: SchemaKit; operations: Record<string, Zod.ZodType> }> {
  loaded ??= import('zod').then(({ z }) => ({ z, operations: operationSchemas(z) }));
  return loaded;
}

/** A refused request: the code a caller switches on, and what was wrong, field by field. */
export interface ControlRefusal {
  readonly ok: false;
  readonly code: 'CONTROL_MALFORMED' | 'CONTROL_UNKNOWN_OP';
  readonly message: string;
}

/**
 * The request in a decoded JSON value, or why it is not one (pure but for loading zod once).
 * `extra` makes the operations a transport takes beyond the host's own (the lattice's auctions).
 */
export async function parseRequest<Extra extends { op: string } = never>(value: unknown, extra?: (z: SchemaKit) => Readonly<Record<string, Zod.ZodType<Extra>>>): Promise<ControlRequest | Extra | ControlRefusal> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'CONTROL_MALFORMED', message: 'a control request is a JSON object such as {"op": "ping"}' };
  }
  const { z, operations } = await schemas();
  const op = (value as { op?: unknown }).op;
  const all: Record<string, Zod.ZodType> = { ...operations, ...extra?.(z) };
  const schema = typeof op === 'string' && Object.hasOwn(all, op) ? all[op]! : undefined;
  if (!schema) {
    const known = Object.keys(all).join(', ');
    return typeof op === 'string'
      ? { ok: false, code: 'CONTROL_UNKNOWN_OP', message: `no operation ${JSON.stringify(op.slice(0, 64))}; one of ${known}` }
      : { ok: false, code: 'CONTROL_MALFORMED', message: `a control request names its operation in "op": one of ${known}` };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as ControlRequest | Extra;
  const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'the request'}: ${issue.message}`);
  return { ok: false, code: 'CONTROL_MALFORMED', message: `${op}: ${problems.join('; ')}` };
}

export function isRefusal(value: unknown): value is ControlRefusal {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}
