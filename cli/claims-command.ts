import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join, dirname } from 'node:path';
import { Command } from 'commander';
import { capabilityInterface, signArtifact, verifyArtifact, type KeyPair } from '../claims/index.ts';
import { badgerHome, Capabilities, evaluatePolicy, importRefusal, importReport, loadPolicyFile } from '../host/index.ts';
import { fileStem } from '../toolchain/index.ts';
import { claimsView, renderClaimsTable, renderImportReport } from './claims-view.ts';
import { parseDuration } from './duration.ts';
import { CliError } from './errors.ts';
import { defaultKeyDirectory, keyFromArgument, storedOrNewKey } from './key-store.ts';
import { collect } from './options.ts';
import { emit, note } from './output.ts';
import { BUILT_IN_PROVIDERS } from './provider-kinds.ts';

interface SignOptions {
  output?: string;
  issuer?: string;
  subject?: string;
  name: string;
  cap: string[];
  tag: string[];
  ver?: string;
  rev?: string;
  callAlias?: string;
  provider?: boolean;
  expiresIn?: string;
  notBefore?: string;
  json?: boolean;
}

export function claimsCommand(): Command {
  const claims = new Command('claims').description('sign components with capability claims, and inspect or verify them');

  claims
    .command('sign')
    .description('embed signed claims in a component or module, replacing any it had')
    .argument('<input>', 'the .wasm file to sign')
    .option('-o, --output <file>', 'where to write the signed file (default: <input>_s.wasm)')
    .option('--issuer <seed|file>', 'account key that signs (default: the local key in ~/.badger/keys, made on first use)')
    .option('--subject <seed|file>', 'component key the claims are about (default: ~/.badger/keys/<name>_component.nk, made on first use)')
    .requiredOption('-n, --name <name>', 'a human-friendly name')
    .option('-c, --cap <interface>', 'a capability the component needs, as a WIT interface (repeatable)', collect, [])
    .option('-t, --tag <tag>', 'a free-form tag (repeatable)', collect, [])
    .option('--ver <version>', 'a human-friendly version, such as 0.1.0')
    .option('--rev <n>', 'a revision number that only grows')
    .option('--call-alias <alias>', 'a friendly alias to call the component by')
    .option('--provider', 'sign a capability provider (subject key V…) instead of a component')
    .option('--expires-in <duration>', 'expire after this long: 30d, 12h, 90m (a bare number is days)')
    .option('--not-before <duration>', 'valid only after this long from now')
    .option('--json', 'print JSON')
    .action(async (input: string, options: SignOptions) => {
      const bytes = await readArtifact(input);
      const rev = options.rev === undefined ? undefined : parseRevision(options.rev);
      if (options.cap.some((cap) => cap.trim() === '')) throw new CliError('CLI_BAD_ARGUMENT', '--cap: a capability cannot be empty');
      const now = Math.floor(Date.now() / 1000);
      const keyDirectory = defaultKeyDirectory();
      const subjectType = options.provider ? 'provider' : 'component';

      const savedKeys: string[] = [];
      const stored = async (fileName: string, type: 'account' | 'component' | 'provider'): Promise<KeyPair> => {
        const key = await storedOrNewKey(keyDirectory, fileName, type);
        if (key.created) savedKeys.push(key.path);
        return key.pair;
      };
      const issuer = options.issuer
        ? await keyFromArgument(options.issuer, '--issuer', 'account')
        : await stored('issuer_account.nk', 'account');
      const subject = options.subject
        ? await keyFromArgument(options.subject, '--subject', subjectType)
        : await stored(`${fileStem(options.name)}_${subjectType}.nk`, subjectType);

      const signed = await signArtifact(bytes, {
        issuer,
        subject,
        issuedAt: now,
        claims: {
          name: options.name,
          caps: options.cap,
          tags: options.tag,
          ...(rev === undefined ? {} : { rev }),
          ...(options.ver === undefined ? {} : { ver: options.ver }),
          ...(options.callAlias === undefined ? {} : { callAlias: options.callAlias }),
          ...(options.provider ? { provider: true } : {}),
          ...(options.expiresIn === undefined ? {} : { expiresAt: now + parseDuration(options.expiresIn, '--expires-in') }),
          ...(options.notBefore === undefined ? {} : { notBefore: now + parseDuration(options.notBefore, '--not-before') }),
        },
      });
      const output = options.output ?? join(dirname(input), `${basename(input, extname(input))}_s.wasm`);
      await writeArtifact(output, signed.bytes);
      for (const path of savedKeys) note(`Generated a new key and saved its seed to ${path}`);
      emit(
        options.json,
        { output, claims: signed.claims, generatedKeys: savedKeys },
        `Signed ${output}\n  name       ${options.name}\n  ${subjectType.padEnd(9)}  ${subject.publicKey}\n  issuer     ${issuer.publicKey}\n  hash       ${signed.claims.wascap.hash}`,
      );
    });

  claims
    .command('inspect')
    .description('show the claims in a component, even when they no longer verify, and say why')
    .argument('<file>', 'a signed .wasm file')
    .option('--json', 'print JSON')
    .option('--jwt', 'print only the raw token')
    .option('--imports', 'check each import as start actor does (served by the host, a provider, a link, or nothing), without starting it; exit 1 when a start would be refused')
    .action(async (file: string, options: { json?: boolean; jwt?: boolean; imports?: boolean }) => {
      const now = Math.floor(Date.now() / 1000);
      const bytes = await readArtifact(file);
      const verification = await verifyArtifact(bytes, now);
      if (options.imports) {
        // An unsigned file has no claims, so nothing beyond the ambient interfaces is granted to it.
        const allowed = (verification.claims?.wascap.caps ?? []).map(capabilityInterface);
        const resolutions = await importReport(bytes, { cacheDir: join(badgerHome(), 'cache', 'transpiled'), capabilities: new Capabilities(BUILT_IN_PROVIDERS), allowed });
        const refusal = importRefusal(resolutions);
        emit(options.json, { imports: resolutions, ...(refusal ? { refusal } : {}) }, renderImportReport(resolutions, refusal));
        if (refusal) process.exitCode = 1;
        return;
      }
      // With no readable claims there is nothing to show: an unsigned or unreadable file is an error.
      if (!verification.ok && !verification.claims) throw verification.error;
      if (options.jwt) {
        emit(options.json, { token: verification.token }, verification.token!);
        return;
      }
      const view = claimsView(verification, now)!;
      emit(options.json, view, renderClaimsTable(view));
    });

  claims
    .command('verify')
    .description('exit 0 when the claims verify (and the policy, if given, allows); otherwise exit 1 with the reason')
    .argument('<file>', 'a signed .wasm file')
    .option('--policy <file>', 'a YAML or JSON host policy to evaluate as well (without it, only the claims are checked)')
    .option('--json', 'print {ok, code, reason}')
    .action(async (file: string, options: { policy?: string; json?: boolean }) => {
      const policy = options.policy ? await loadPolicyFile(options.policy) : undefined;
      const verification = await verifyArtifact(await readArtifact(file), Math.floor(Date.now() / 1000));
      let outcome: { ok: boolean; code?: string; reason?: string };
      if (policy) {
        const decision = evaluatePolicy(verification, policy);
        outcome = decision.allowed
          ? { ok: true }
          : { ok: false, code: decision.denials[0]!.code, reason: decision.denials.map((denial) => denial.reason).join('; ') };
      } else {
        outcome = verification.ok ? { ok: true } : { ok: false, code: verification.error.code, reason: verification.error.message };
      }
      const who = verification.claims ? `${verification.claims.wascap.name ?? 'Anonymous'} (${verification.claims.sub})` : file;
      emit(options.json, outcome, outcome.ok ? `ok: ${who} verifies${policy ? ' and the policy allows it' : ''}` : `error[${outcome.code}]: ${outcome.reason}`);
      if (!outcome.ok) process.exitCode = 1;
    });

  return claims;
}

async function readArtifact(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new CliError('CLI_FILE_UNREADABLE', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

async function writeArtifact(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(path, bytes);
  } catch (error) {
    throw new CliError('CLI_FILE_UNWRITABLE', `cannot write ${path}: ${(error as Error).message}`);
  }
}

function parseRevision(text: string): number {
  const rev = Number(text);
  if (!Number.isInteger(rev) || rev < 0 || rev > 2 ** 31 - 1) {
    throw new CliError('CLI_BAD_ARGUMENT', `--rev: "${text}" is not a whole number from 0 to 2147483647`);
  }
  return rev;
}
