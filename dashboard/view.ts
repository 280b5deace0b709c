import type { ControlRequest, ControlResponse } from '../host/index.ts';
import type { DashboardView, PanelSnapshot } from './web/view-types.ts';

export { PAGE_ACTIONS, type ActorView, type DashboardView, type Health, type HostView, type LinkView, type PanelSnapshot, type ProviderView } from './web/view-types.ts';

/** Where the dashboard's picture comes from and where its actions go: a lattice, or one host in this process. */
export interface DashboardSource {
  view(): Promise<DashboardView>;
  /** Every lifecycle event, heartbeat and OLED frame, as CloudEvents; returns how to stop. */
  onEvent(listener: (event: unknown) => void): () => void;
  act(host: string, request: ControlRequest): Promise<ControlResponse>;
  snapshot(provider: string): Promise<PanelSnapshot>;
  close(): Promise<void>;
}
