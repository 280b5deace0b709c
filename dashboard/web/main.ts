import { paint } from './canvas.ts';
import { pixelsFromPages, pixelsFromRows } from './panel-pixels.ts';
import type { DashboardView, Health, HostView, PanelSnapshot } from './view-types.ts';

/** A CloudEvent as the lattice publishes it; `data` depends on the type. */
interface LatticeEvent {
  readonly type: string;
  readonly source: string;
  readonly time: string;
  readonly data: Record<string, unknown>;
}

const EVENT_PREFIX = 'dev.awesome-badger.lattice.';
const MAX_EVENTS = 200;

let view: DashboardView | undefined;

/** Builds an element; text goes in as text, never as HTML. */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showError(message: string | undefined): void {
  const banner = byId<HTMLParagraphElement>('error');
  banner.hidden = message === undefined;
  banner.textContent = message ?? '';
}

const healthText = (health: Health | undefined) =>
  health?.healthy === false ? el('span', { class: 'bad' }, `unhealthy${health.message ? `: ${health.message}` : ''}`) : el('span', { class: 'good' }, 'healthy');

/** Sends one control operation to a host; its error, if any, is shown as the control interface said it. */
async function act(host: string, request: Record<string, unknown>): Promise<boolean> {
  let answer: { ok: boolean; code?: string; message?: string };
  try {
    const response = await fetch('/api/actions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ host, request }) });
    answer = (await response.json()) as typeof answer;
  } catch (error) {
    answer = { ok: false, code: 'DASHBOARD_UNREACHABLE', message: (error as Error).message };
  }
  if (!answer.ok) {
    showError(`${request.op}: ${answer.code}: ${answer.message}`);
    return false;
  }
  showError(undefined);
  await refresh();
  return true;
}

function hostCard(host: HostView): HTMLElement {
  const actorRows = host.actors.map((actor) => {
    const instances = el('input', { type: 'number', min: '1', value: String(actor.maxInstances), 'aria-label': `instances of ${actor.name}` });
    const scale = el('button', { 'data-action': 'scale' }, 'Scale');
    scale.onclick = () => void act(host.id, { op: 'scale-actor', actor: actor.id, maxInstances: Number(instances.value) });
    const stop = el('button', { 'data-action': 'stop' }, 'Stop');
    stop.onclick = () => void act(host.id, { op: 'stop-actor', actor: actor.id });
    return el(
      'tr',
      { 'data-actor': actor.name },
      el('td', {}, actor.name),
      el('td', { class: 'key', title: actor.id }, actor.id),
      el('td', {}, instances, ' ', scale),
      el('td', {}, actor.capabilities.join(', ') || '–'),
      el('td', {}, stop),
    );
  });
  const start = el('form', { class: 'inline' }, el('input', { name: 'location', placeholder: 'signed .wasm path or URL', required: '', size: '40' }), el('input', { name: 'instances', type: 'number', min: '1', value: '1' }), el('button', {}, 'Start actor'));
  start.onsubmit = (submitted) => {
    submitted.preventDefault();
    const form = new FormData(start);
    void act(host.id, { op: 'start-actor', location: String(form.get('location')), maxInstances: Number(form.get('instances')) }).then((done) => done && start.reset());
  };
  return el(
    'article',
    { class: 'host', 'data-host': host.id },
    el('h3', { title: host.id }, host.id),
    el('div', {}, ...Object.entries(host.labels).map(([key, value]) => el('span', { class: 'label' }, `${key}=${value}`)), ` up ${host.uptimeSeconds}s · ${host.version ? `v${host.version} · ` : ''}`, host.healthy ? el('span', { class: 'good' }, 'healthy') : el('span', { class: 'bad' }, `unhealthy: ${host.problem ?? ''}`)),
    host.actors.length
      ? el('table', {}, el('thead', {}, el('tr', {}, ...['actor', 'subject', 'instances', 'capabilities', ''].map((title) => el('th', {}, title)))), el('tbody', {}, ...actorRows))
      : el('p', {}, 'no actors'),
    host.providers.length ? el('p', {}, 'providers: ', ...host.providers.flatMap((provider) => [el('span', { class: 'label', 'data-provider': provider.id }, `${provider.id} (${provider.name}) `), healthText(provider.health), ' '])) : '',
    start,
  );
}

function renderLinks(current: DashboardView): void {
  const names = new Map(current.hosts.flatMap((host) => host.actors.map((actor) => [actor.id, actor.name] as const)));
  // An actor that runs nowhere has no name to show: the start of its key stands in (the whole key on hover).
  const shown = (id: string) => names.get(id) ?? (/^M[A-Z2-7]{55}$/.test(id) ? `${id.slice(0, 10)}…` : id);
  const hostOf = (actorId: string) => current.hosts.find((host) => host.actors.some((actor) => actor.id === actorId))?.id ?? current.hosts[0]?.id;
  const rows = current.links.map((link) => {
    const remove = el('button', {}, 'Delete');
    remove.onclick = () => void act(hostOf(link.source) ?? '', { op: 'del-link', source: link.source, interface: link.interface, name: link.name });
    return el(
      'tr',
      { 'data-link': `${names.get(link.source) ?? link.source} ${link.interface}` },
      el('td', { title: link.source }, shown(link.source)),
      el('td', {}, link.interface),
      el('td', {}, link.name),
      el('td', { title: link.target }, shown(link.target)),
      el('td', {}, Object.entries(link.config).map(([key, value]) => `${key}=${value}`).join(', ') || '–'),
      el('td', {}, healthText(link.health)),
      el('td', {}, remove),
    );
  });
  byId('links').replaceChildren(
    rows.length ? el('table', {}, el('thead', {}, el('tr', {}, ...['source', 'interface', 'link', 'target', 'config', 'health', ''].map((title) => el('th', {}, title)))), el('tbody', {}, ...rows)) : el('p', {}, 'no links'),
  );
  const select = document.querySelector<HTMLSelectElement>('#link-form select')!;
  const chosen = select.value;
  select.replaceChildren(...current.hosts.map((host) => el('option', { value: host.id }, `${Object.entries(host.labels).map(([k, v]) => `${k}=${v}`).join(',') || host.id.slice(0, 8)}`)));
  if (chosen) select.value = chosen;
}

/** The canvas of a display provider's panel, made on first use. */
function canvasFor(provider: string, panel: string): HTMLCanvasElement {
  const key = `${provider}/${panel}`;
  let canvas = document.querySelector<HTMLCanvasElement>(`canvas[data-display="${CSS.escape(key)}"]`);
  if (!canvas) {
    canvas = el('canvas', { 'data-display': key, width: '128', height: '64' });
    byId('displays').append(el('figure', { class: 'display' }, canvas, el('figcaption', {}, key)));
  }
  return canvas;
}

async function refresh(): Promise<void> {
  const response = await fetch('/api/view');
  if (!response.ok) {
    // The server's answer names the problem and its fix (a stopped host, a lattice out of reach).
    const answer = (await response.json().catch(() => undefined)) as { message?: string } | undefined;
    return showError(`the dashboard cannot read the lattice: ${answer?.message ?? `HTTP ${response.status}`}`);
  }
  const current = (await response.json()) as DashboardView;
  const firstTime = view === undefined;
  view = current;
  byId('lattice').textContent = current.lattice === null ? '· this host, on no lattice' : `· lattice ${current.lattice}`;
  byId('hosts').replaceChildren(...(current.hosts.length ? current.hosts.map(hostCard) : [el('p', {}, 'no hosts answer')]));
  byId('standalone').replaceChildren(
    ...(current.standaloneProviders.length
      ? [el('p', {}, 'standalone providers: ', ...current.standaloneProviders.flatMap((provider) => [el('span', { class: 'label', 'data-provider': provider.id }, `${provider.id} (${provider.name}) `), healthText(provider.health), ' ']))]
      : []),
  );
  renderLinks(current);
  if (firstTime) {
    // What each display shows now; frame events keep it current from here.
    for (const provider of current.displays) {
      const answer = await fetch(`/api/snapshot?provider=${encodeURIComponent(provider)}`);
      if (!answer.ok) continue;
      const snapshot = (await answer.json()) as PanelSnapshot;
      paint(canvasFor(provider, snapshot.panel), pixelsFromRows(snapshot.bits, snapshot.width, snapshot.height), snapshot.width, snapshot.height);
    }
  }
}

let pending: ReturnType<typeof setTimeout> | undefined;
/** Many events come together (a deploy): one refresh for them all. */
function refreshSoon(): void {
  clearTimeout(pending);
  pending = setTimeout(() => void refresh(), 300);
}

function listen(): void {
  const live = byId('live');
  const source = new EventSource('/api/events');
  source.onopen = () => live.classList.add('on');
  source.onerror = () => live.classList.remove('on');
  source.onmessage = (message) => {
    const event = JSON.parse(message.data as string) as LatticeEvent;
    const type = event.type.replace(EVENT_PREFIX, '');
    if (type === 'oled_frame') {
      const frame = event.data as { provider: string; panel: string; width: number; height: number; bytes: string };
      paint(canvasFor(frame.provider, frame.panel), pixelsFromPages(frame.bytes, frame.width, frame.height), frame.width, frame.height);
      return;
    }
    // A host on no lattice has no frame events: its dashboard looks at the panel and sends what it sees.
    if (type === 'oled_snapshot') {
      const snapshot = event.data as unknown as PanelSnapshot & { provider: string };
      paint(canvasFor(snapshot.provider, snapshot.panel), pixelsFromRows(snapshot.bits, snapshot.width, snapshot.height), snapshot.width, snapshot.height);
      return;
    }
    const heartbeat = type.endsWith('_heartbeat');
    if (!heartbeat) refreshSoon();
    if (heartbeat && !byId<HTMLInputElement>('heartbeats').checked) return;
    const list = byId('events');
    list.prepend(el('li', { 'data-event': type }, `${event.time.slice(11, 19)}  ${type}  ${event.source.slice(0, 10)}…  ${JSON.stringify(event.data).slice(0, 160)}`));
    while (list.children.length > MAX_EVENTS) list.lastElementChild!.remove();
  };
}

const linkForm = byId<HTMLFormElement>('link-form');
linkForm.onsubmit = (submitted) => {
  submitted.preventDefault();
  const form = new FormData(linkForm);
  const config = Object.fromEntries(
    String(form.get('config') ?? '')
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  const name = String(form.get('name') ?? '').trim();
  void act(String(form.get('host')), { op: 'put-link', source: String(form.get('source')), target: String(form.get('target')), interface: String(form.get('interface')), ...(name ? { name } : {}), config }).then(
    (done) => done && linkForm.reset(),
  );
};

listen();
void refresh();
setInterval(() => void refresh(), 5000);
