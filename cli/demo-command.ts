import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@bytecodealliance/jco';
import { Command } from 'commander';
import { generateKeyPair, signArtifact, verifyArtifact } from '../claims/index.ts';
import { claimsView, renderClaimsTable } from './claims-view.ts';

const EXAMPLE_ACTOR_WAT = `(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add))`;

/**
 * A tour of the trust root, run by `npm start` until the host lands: it makes keys, signs an example
 * actor, shows its claims and proves that a changed byte is caught.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('walk through keys, signing and verification with an example actor in a temporary folder')
    .action(async () => {
      const folder = await mkdtemp(join(tmpdir(), 'badger-demo-'));
      const issuer = generateKeyPair('account');
      const subject = generateKeyPair('component');
      console.log(`1. Keys (badger keys gen account / component)\n   issuer    ${issuer.publicKey}\n   component ${subject.publicKey}\n`);

      const now = Math.floor(Date.now() / 1000);
      const signed = await signArtifact(await parse(EXAMPLE_ACTOR_WAT), {
        issuer,
        subject,
        issuedAt: now,
        claims: { name: 'adder', caps: ['wasi:logging/logging'], tags: ['example'], ver: '0.1.0', rev: 1, expiresAt: now + 30 * 86_400 },
      });
      const path = join(folder, 'adder_s.wasm');
      await writeFile(path, signed.bytes);
      console.log(`2. Signed (badger claims sign adder.wasm --name adder --cap wasi:logging/logging --expires-in 30d)\n   ${path}\n`);

      const verification = await verifyArtifact(signed.bytes, now);
      console.log(`3. Inspected (badger claims inspect ${path})\n${indent(renderClaimsTable(claimsView(verification, now)!))}\n`);

      const tampered = signed.bytes.slice();
      tampered[20] = tampered[20]! ^ 0xff;
      const caught = await verifyArtifact(tampered, now);
      console.log(`4. One changed byte (badger claims verify)\n   ${caught.ok ? 'NOT caught' : `refused: ${caught.error.code}: ${caught.error.message}`}`);
    });
}

function indent(text: string): string {
  return text.split('\n').map((line) => `   ${line}`).join('\n');
}
