import type { AppStatus, AppStore } from './app-store.ts';
import { AppError } from './errors.ts';
import { readManifest } from './manifest.ts';

/** What `badger app deploy|undeploy|list|status` ask of a host. */
export interface AppOperations {
  deploy(manifest: string): Promise<AppStatus>;
  undeploy(name: string): Promise<AppStatus>;
  list(): Promise<AppStatus[]>;
  status(name: string): Promise<AppStatus>;
}

/** The application operations over a store; `wake` asks the reconciler for a pass now. */
export function appOperations(store: AppStore, wake: () => void, now: () => Date = () => new Date()): AppOperations {
  const statusOf = async (name: string): Promise<AppStatus> => {
    const stored = await store.get(name);
    if (!stored) throw new AppError('APP_NOT_FOUND', `no application ${name} is deployed`);
    return (await store.getStatus(name)) ?? { name, version: stored.app.version, state: stored.deployed ? 'reconciling' : 'undeploying', reasons: [], updatedAt: stored.deployedAt };
  };
  return {
    async deploy(manifest) {
      const reading = readManifest(manifest);
      if (!reading.ok) throw new AppError('APP_INVALID', reading.problems.map((problem) => `${problem.line}:${problem.column}: ${problem.message}`).join('\n'));
      const at = now().toISOString();
      await store.put({ app: reading.app, manifest, deployed: true, deployedAt: at });
      const status: AppStatus = { name: reading.app.name, version: reading.app.version, state: 'reconciling', reasons: [], updatedAt: at };
      await store.putStatus(status);
      wake();
      return status;
    },
    async undeploy(name) {
      const stored = await store.get(name);
      if (!stored) throw new AppError('APP_NOT_FOUND', `no application ${name} is deployed`);
      await store.put({ ...stored, deployed: false });
      const status: AppStatus = { name, version: stored.app.version, state: 'undeploying', reasons: [], updatedAt: now().toISOString() };
      await store.putStatus(status);
      wake();
      return status;
    },
    async list() {
      const apps = await store.list();
      return Promise.all(apps.map((stored) => statusOf(stored.app.name).catch(() => undefined))).then((all) => all.filter((status): status is AppStatus => status !== undefined).sort((a, b) => a.name.localeCompare(b.name)));
    },
    status: statusOf,
  };
}
