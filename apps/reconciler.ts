import type { ControlRequest, ControlResponse } from '../host/index.ts';
import type { AppStatus, AppStore, StoredApp } from './app-store.ts';
import { planApplication, type ActorIdentity, type ObservedLattice, type PlannedAction } from './planner.ts';

/** Everything the reconciler does to the world, so that its loop stays thin. */
export interface ReconcilerIo {
  readonly store: AppStore;
  observe(): Promise<ObservedLattice>;
  perform(host: string, request: ControlRequest): Promise<ControlResponse>;
  /** The actor id the component at `location` gets (its claims' subject); throws when unreadable. */
  actorIdOf(location: string): Promise<string>;
  /** Whether this reconciler is the one that acts now. */
  leader(): Promise<boolean>;
  now(): Date;
  warn(message: string): void;
}

export const RECONCILE_INTERVAL_MS = 2000;

export interface Reconciler {
  /** One pass over every application; what a tick of the loop runs. */
  reconcile(): Promise<void>;
  /** Runs a pass soon, rather than at the next tick (after a deploy, say). */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Keeps the lattice matching the deployed applications: every `intervalMs`, if this host leads,
 * it observes the lattice, plans each application (pure), runs the planned operations one by one,
 * and records each application's status with the reasons of whatever failed.
 */
export function startReconciler(io: ReconcilerIo, intervalMs = RECONCILE_INTERVAL_MS): Reconciler {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  // A lasting problem (a lattice without JetStream) is said once, not every pass.
  let lastWarning: string | undefined;
  const warnOnce = (message: string) => {
    if (message !== lastWarning) io.warn(message);
    lastWarning = message;
  };

  const pass = async () => {
    if (!(await io.leader())) return;
    const apps = await io.store.list();
    if (apps.length === 0) return;
    const observed = await io.observe();
    for (const stored of apps) await reconcileOne(io, stored, observed);
  };
  const reconcile = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .then(() => void (lastWarning = undefined))
      .catch((error: unknown) => warnOnce(`reconciling failed: ${(error as Error)?.message ?? String(error)}`))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void reconcile();
        }
      });
    return running;
  };
  const timer = setInterval(() => void reconcile(), intervalMs);
  timer.unref();
  return {
    reconcile,
    wake: () => void reconcile(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

async function reconcileOne(io: ReconcilerIo, stored: StoredApp, observed: ObservedLattice): Promise<void> {
  const { app } = stored;
  const identities: Record<string, ActorIdentity> = {};
  for (const component of app.components) {
    if (component.kind !== 'actor') continue;
    identities[component.name] = await io.actorIdOf(component.image).then(
      (id) => ({ id }),
      (error: unknown) => ({ unreadable: (error as Error)?.message ?? String(error) }),
    );
  }
  const plan = planApplication(app, identities, observed, stored.deployed);
  const failures = await runActions(io, plan.actions);
  if (!stored.deployed && plan.actions.length === 0) {
    await io.store.remove(app.name);
    return;
  }
  const reasons = [...plan.problems, ...failures];
  const state: AppStatus['state'] = !stored.deployed ? 'undeploying' : reasons.length > 0 ? 'failed' : plan.actions.length > 0 ? 'reconciling' : 'deployed';
  await io.store.putStatus({ name: app.name, version: app.version, state, reasons, updatedAt: io.now().toISOString() });
}

/** Runs the operations in order; each failure is kept as a reason, and the others still run. */
async function runActions(io: ReconcilerIo, actions: readonly PlannedAction[]): Promise<string[]> {
  const failures: string[] = [];
  for (const action of actions) {
    const response = await io.perform(action.host, action.request).catch((error: unknown): ControlResponse => ({ ok: false, code: 'LATTICE_UNAVAILABLE', message: (error as Error).message }));
    if (!response.ok) failures.push(`${describeAction(action.request)} on ${action.host}: ${response.code}: ${response.message}`);
  }
  return failures;
}

function describeAction(request: ControlRequest): string {
  switch (request.op) {
    case 'start-actor':
      return `start actor ${request.location}`;
    case 'start-provider':
      return `start provider ${request.kind} as ${request.id}`;
    case 'put-link':
      return `link ${request.source} ${request.interface} → ${request.target}`;
    default:
      return request.op;
  }
}
