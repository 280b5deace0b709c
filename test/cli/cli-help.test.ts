import { describe, expect, it, vi } from 'vitest';
import { EXAMPLES } from '../../cli/examples.ts';
import { buildProgram } from '../../cli/program.ts';
import { withProgress } from '../../cli/progress.ts';
import { table } from '../../cli/table.ts';
import { runCli } from './run-cli.ts';

/** Every command that does something (the leaves of the command tree), by path. */
function leafCommands(): string[] {
  const paths: string[] = [];
  const walk = (command: ReturnType<typeof buildProgram>, path: string) => {
    if (command.commands.length === 0 && path) paths.push(path);
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(buildProgram(), '');
  return paths;
}

describe('the CLI as a new user meets it', () => {
  it('ends the help of every command with examples, and the top help with the exit codes', async () => {
    for (const path of leafCommands()) {
      expect(EXAMPLES[path], path).toBeDefined();
      expect(EXAMPLES[path]!.length, path).toBeGreaterThan(0);
    }
    const help = await runCli(['app', 'deploy', '--help']);
    expect(help.stdout).toMatch(/\nExamples:\n {2}\$ badger app deploy examples\/oled-app\.yaml --wait\n/);
    const top = await runCli(['--help']);
    expect(top.stdout).toContain('Exit codes: 0 done; 1 failed');
  });

  it('lines up tables by the widest cell, counting characters as a terminal does', () => {
    expect(table(['name', 'state'], [['oled-app', 'deployed'], ['x', 'failed → again']])).toBe('NAME      STATE\noled-app  deployed\nx         failed → again');
  });

  it('shows a spinner on a terminal only once work takes over a second, and clears it', async () => {
    vi.useFakeTimers();
    try {
      const written: string[] = [];
      const terminal = { isTTY: true, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
      let finish!: () => void;
      const work = withProgress('deploying', () => new Promise<void>((resolve) => (finish = resolve)), terminal);
      await vi.advanceTimersByTimeAsync(900);
      expect(written).toEqual([]);
      await vi.advanceTimersByTimeAsync(300);
      expect(written.at(-1)).toMatch(/^\r. deploying$/);
      finish();
      await work;
      expect(written.at(-1)).toBe('\r\x1b[2K');

      const pipe = { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
      const before = written.length;
      const slow = withProgress('quiet', () => new Promise<void>((resolve) => setTimeout(resolve, 5000)), pipe);
      await vi.advanceTimersByTimeAsync(5000);
      await slow;
      expect(written.length).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });
});
