import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose, type DoctorFacts } from '../../cli/doctor-command.ts';
import { parseConfig } from '../../cli/config-file.ts';
import { startNatsServer, type RunningNats } from '../fixtures/nats-server.ts';
import { runCli } from './run-cli.ts';

const LAPTOP: DoctorFacts = {
  node: '24.21.0',
  arch: 'x64',
  machine: 'x86_64',
  platform: 'linux',
  jemalloc: '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  allocatorSetting: undefined,
  natsServer: 'nats-server: v2.9.10',
  i2cBuses: [],
  i2cModule: { state: 'missing' },
  keyDirectory: '/home/me/.badger/keys',
  keyDirectoryMode: 0o40700,
  keyFiles: [{ name: 'user.nk', mode: 0o100600 }],
  configPath: '/home/me/.badger/config.yaml',
  configFound: false,
  configProblems: [],
  latticeNats: undefined,
  clusterSeed: undefined,
};

describe('badger doctor', () => {
  it('judges a laptop ready without I2C, and names the fix for each problem', () => {
    const laptop = diagnose(LAPTOP);
    expect(laptop.map((check) => [check.check, check.status])).toEqual([
      ['node', 'ok'],
      ['nats-server', 'ok'],
      ['platform', 'ok'],
      ['allocator', 'ok'],
      ['i2c', 'warn'],
      ['i2c-bus', 'warn'],
      ['keys', 'ok'],
      ['config', 'ok'],
    ]);
    const broken = diagnose({ ...LAPTOP, node: '20.19.0', natsServer: undefined, keyFiles: [{ name: 'user.nk', mode: 0o100644 }], configProblems: ['unknown setting nat'] });
    expect(broken.filter((check) => check.status === 'fail').map((check) => [check.check, check.fix])).toEqual([
      ['node', expect.stringContaining('npm ci installs Node 24')],
      ['nats-server', 'sudo apt-get install nats-server (Debian, Raspberry Pi OS) or brew install nats-server (macOS)'],
      ['keys', 'chmod 600 /home/me/.badger/keys/user.nk'],
      ['config', expect.stringContaining('nats, lattice, keys and clusterSeed')],
    ]);
  });

  it('judges a Pi: a 32-bit OS cannot run badger, and each I2C problem has its own fix', () => {
    const check = (name: string, facts: Partial<DoctorFacts>) => diagnose({ ...LAPTOP, ...facts }).find((verdict) => verdict.check === name);
    expect(check('platform', { arch: 'arm64', machine: 'aarch64' })).toEqual({ check: 'platform', status: 'ok', detail: 'aarch64 (Node: arm64), 64-bit' });
    expect(check('platform', { arch: 'arm', machine: 'armv7l' })).toMatchObject({ status: 'fail', fix: 'badger needs a 64-bit OS: Raspberry Pi OS 64-bit or Ubuntu arm64 (a Pi 3 or newer)' });
    // A 64-bit kernel under a 32-bit userland says aarch64, but its Node says arm.
    expect(check('platform', { arch: 'arm', machine: 'aarch64' })).toMatchObject({ status: 'fail' });
    expect(check('i2c', {})).toMatchObject({ status: 'warn', fix: expect.stringContaining('raspi-config nonint do_i2c 0') });
    expect(check('i2c', { i2cBuses: [{ path: '/dev/i2c-1', access: 'denied' }] })).toEqual({ check: 'i2c', status: 'warn', detail: 'permission denied on /dev/i2c-1', fix: 'sudo adduser $USER i2c, then log in again' });
    expect(check('i2c', { i2cBuses: [{ path: '/dev/i2c-1', access: 'ok' }, { path: '/dev/i2c-2', access: 'ok' }] })).toMatchObject({ status: 'ok', detail: '/dev/i2c-1, /dev/i2c-2, readable and writable' });
    expect(check('i2c-bus', { i2cModule: { state: 'loads' } })).toMatchObject({ status: 'ok' });
    expect(check('i2c-bus', { i2cModule: { state: 'missing' } })).toMatchObject({ status: 'warn', fix: 'npm install && npm run rebuild:i2c' });
    const reason = "The module '/home/pi/awesome-badger/node_modules/i2c-bus/build/Release/i2c.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115.";
    expect(check('i2c-bus', { i2cModule: { state: 'broken', reason } })).toMatchObject({ status: 'warn', detail: `does not load in Node 24: ${reason}`, fix: expect.stringContaining('npm run rebuild:i2c') });
  });

  it('says which allocator hosts will run on, warns without jemalloc on Linux, and fails on a BADGER_ALLOCATOR that cannot hold', () => {
    const allocator = (facts: Partial<DoctorFacts>) => diagnose({ ...LAPTOP, ...facts }).find((check) => check.check === 'allocator');
    expect(allocator({})).toEqual({ check: 'allocator', status: 'ok', detail: 'hosts run on jemalloc (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2), which returns what they free' });
    expect(allocator({ jemalloc: undefined })).toMatchObject({ status: 'warn', detail: expect.stringContaining("glibc's malloc"), fix: expect.stringContaining('apt-get install -y libjemalloc2') });
    expect(allocator({ allocatorSetting: 'system' })).toMatchObject({ status: 'ok', detail: expect.stringContaining('BADGER_ALLOCATOR=system') });
    expect(allocator({ jemalloc: undefined, allocatorSetting: 'jemalloc' })).toMatchObject({ status: 'fail', fix: expect.stringContaining('libjemalloc2') });
    expect(allocator({ allocatorSetting: 'tcmalloc' })).toMatchObject({ status: 'fail', detail: expect.stringContaining('"tcmalloc"') });
    expect(allocator({ platform: 'darwin', jemalloc: undefined })).toEqual({ check: 'allocator', status: 'ok', detail: "hosts run on darwin's malloc" });
  });

  it('names the server each of the configured lattice\'s hosts is on, and says when none answers or the lattice is down', () => {
    const hostsCheck = (latticeHosts: DoctorFacts['latticeHosts']) => diagnose({ ...LAPTOP, latticeNats: 'nats://a:4222,nats://b:4222', ...(latticeHosts ? { latticeHosts } : {}) }).find((check) => check.check === 'hosts');
    expect(hostsCheck({ hosts: [{ id: 'NABCDEFGHIJ', server: 'a:4222' }, { id: 'NKLMNOPQRST', server: 'b:4222' }] })).toEqual({ check: 'hosts', status: 'ok', detail: 'NABCDEFG… on a:4222, NKLMNOPQ… on b:4222' });
    expect(hostsCheck({ hosts: [] })).toMatchObject({ status: 'warn', detail: 'no host answers on nats://a:4222,nats://b:4222' });
    expect(hostsCheck({ unreachable: 'cannot reach nats://a:4222,nats://b:4222: CONNECTION_REFUSED' })).toMatchObject({ status: 'warn', fix: expect.stringContaining('badger nats cluster --start') });
    expect(hostsCheck(undefined)).toBeUndefined();
  });

  it('warns of an unlocked lattice beyond loopback, and not of a locked or local one', () => {
    const lattice = (facts: Partial<typeof LAPTOP>) => diagnose({ ...LAPTOP, ...facts }).find((check) => check.check === 'lattice');
    expect(lattice({ latticeNats: 'nats://hub.local:4222' })).toMatchObject({ status: 'warn', detail: expect.stringContaining('anyone who can connect to this NATS server controls'), fix: expect.stringContaining('clusterSeed') });
    expect(lattice({ latticeNats: 'nats://hub.local:4222', clusterSeed: '/home/me/.badger/keys/C.nk' })).toMatchObject({ status: 'ok', detail: expect.stringContaining('locked') });
    expect(lattice({ latticeNats: 'nats://127.0.0.1:4222' })).toBeUndefined();
    expect(lattice({})).toBeUndefined();
  });

  it('on this machine: reports I2C as it is, and exits 0 with Node 24 and nats-server present', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-doctor-'));
    const run = await runCli(['doctor', '--json'], { BADGER_HOME: home });
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: { check: string; status: string; detail: string }[] };
    const buses = (await readdir('/dev')).filter((name) => /^i2c-\d+$/.test(name));
    const i2c = report.checks.find((check) => check.check === 'i2c')!;
    if (buses.length === 0) expect(i2c).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^no I2C bus/) });
    else expect(i2c.detail).toContain(`/dev/${buses[0]}`);
    expect(report.checks.find((check) => check.check === 'nats-server')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/v\d+\.\d+/) });
    expect(report.ok).toBe(true);
    expect(run.code).toBe(0);
    const human = await runCli(['doctor'], { BADGER_HOME: home });
    expect(human.stdout).toMatch(/^CHECK +STATUS +DETAIL\n/);
    expect(human.stdout).toMatch(/\nready\n$/);
  });

  it('fails, exit 1, on a seed others can read', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-doctor-keys-'));
    await mkdir(join(home, 'keys'), { mode: 0o700 });
    await writeFile(join(home, 'keys', 'user.nk'), 'SUAEXAMPLE');
    await chmod(join(home, 'keys', 'user.nk'), 0o644);
    const run = await runCli(['doctor'], { BADGER_HOME: home });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`fix: chmod 600 ${join(home, 'keys', 'user.nk')}`);
    expect(run.stdout).toMatch(/not ready: see the fixes above\n$/);
  });
});

describe('~/.badger/config.yaml', () => {
  let nats: RunningNats;
  let home: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    home = await mkdtemp(join(tmpdir(), 'badger-config-'));
  });

  afterAll(async () => {
    await runCli(['down'], { BADGER_HOME: home });
    await nats?.stop();
  });

  it('reads nats, lattice and keys, and names what is wrong', () => {
    expect(parseConfig('nats: nats://hub:4222\nlattice: home\n')).toEqual({ config: { nats: 'nats://hub:4222', lattice: 'home' }, problems: [] });
    expect(parseConfig('nats:\n  - nats://a:4222\n  - nats://b:4222\n').config).toEqual({ nats: 'nats://a:4222,nats://b:4222' });
    expect(parseConfig('nats: [1]\n').problems).toEqual(['nats must be a URL or a list of URLs']);
    expect(parseConfig('nat: x\nlattice: 3\n').problems).toEqual(['unknown setting nat; known: nats, lattice, keys, clusterSeed', 'lattice must be a string']);
    expect(parseConfig('- a list\n').problems).toEqual(['it must be a mapping such as "nats: nats://hub.local:4222"']);
  });

  it('gives the defaults for --nats and --lattice, and a flag wins over it', async () => {
    await writeFile(join(home, 'config.yaml'), `nats: ${nats.url}\nlattice: configured\n`);
    const cli = (...args: string[]) => runCli(args, { BADGER_HOME: home });
    expect((await cli('up', '--detached', '--label', 'from=config')).code).toBe(0);
    const hosts = JSON.parse((await cli('get', 'hosts', '--wait-ms', '300', '--json')).stdout);
    expect(hosts).toEqual([expect.objectContaining({ lattice: 'configured', labels: { from: 'config' } })]);
    expect(JSON.parse((await cli('get', 'hosts', '--lattice', 'other', '--wait-ms', '300', '--json')).stdout)).toEqual([]);
    // doctor asks the configured lattice which hosts answer, and on which server each is.
    const doctor = JSON.parse((await cli('doctor', '--json')).stdout) as { checks: { check: string; status: string; detail: string }[] };
    expect(doctor.checks.find((check) => check.check === 'hosts')).toMatchObject({ status: 'ok', detail: `${hosts[0].id.slice(0, 8)}… on ${nats.url.replace('nats://', '')}` });
  }, 30_000);

  it('is ignored with a warning when broken, and doctor says why', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'badger-config-broken-'));
    await writeFile(join(broken, 'config.yaml'), 'nats: [unclosed\n');
    const run = await runCli(['doctor', '--json'], { BADGER_HOME: broken });
    expect(run.stderr).toMatch(/^warning: .*config\.yaml is ignored: /);
    expect(JSON.parse(run.stdout).checks.find((check: { check: string }) => check.check === 'config')).toMatchObject({ status: 'fail' });
    expect(run.code).toBe(1);
  });
});

describe('badger completion', () => {
  it('completes commands, subcommands and options in bash', async () => {
    const home = await mkdtemp(join(tmpdir(), 'badger-completion-'));
    const script = (await runCli(['completion', 'bash'], { BADGER_HOME: home })).stdout;
    await writeFile(join(home, 'badger.bash'), script);
    const complete = async (...words: string[]) => {
      const shell = `source ${join(home, 'badger.bash')}; COMP_WORDS=(badger ${words.map((word) => `"${word}"`).join(' ')}); COMP_CWORD=${words.length}; _badger; echo "\${COMPREPLY[@]}"`;
      return (await promisify(execFile)('bash', ['-c', shell])).stdout.trim().split(' ');
    };
    expect(await complete('ap')).toEqual(['app']);
    expect(await complete('app', 'de')).toEqual(['deploy']);
    expect(await complete('app', 'deploy', '--wa')).toEqual(['--wait']);
    expect((await complete('get', 'inventory', '--n')).sort()).toEqual(['--nats', '--nkey-seed']);
    expect((await runCli(['completion', 'fish'], { BADGER_HOME: home })).stderr).toBe('error[CLI_BAD_ARGUMENT]: no completion for fish; bash or zsh\n');
  });
});
