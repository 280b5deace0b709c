import { clearSpinnerLine } from './progress.ts';

/** Prints data as JSON for `--json`, or the human text otherwise. */
export function emit(json: boolean | undefined, data: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
}

/** A note for humans that must not pollute JSON on stdout. */
export function note(message: string): void {
  clearSpinnerLine();
  process.stderr.write(`${message}\n`);
}
