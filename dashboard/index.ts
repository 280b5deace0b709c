export { allowed, hostAllowed, hostAllowList, isLoopback, offeredToken, sameOrigin, TOKEN_COOKIE, type Offered } from './access.ts';
export { latticeSource } from './lattice-source.ts';
export { builtPage, PAGE_SOURCES } from './page-build.ts';
export { serveDashboard, type DashboardOptions, type RunningDashboard } from './server.ts';
export { PAGE_ACTIONS, type ActorView, type DashboardSource, type DashboardView, type Health, type HostView, type LinkView, type PanelSnapshot, type ProviderView } from './view.ts';
