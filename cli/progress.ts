const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Quick work shows nothing: a spinner appears only once a task has taken this long. */
export const SPINNER_DELAY_MS = 1000;

/**
 * Runs `task` with a spinner and `label` on stderr, on a terminal only (never in a pipe, a log or
 * under --json), and clears it when the task ends, either way.
 */
export async function withProgress<T>(label: string, task: () => Promise<T>, stream: NodeJS.WriteStream = process.stderr): Promise<T> {
  if (!stream.isTTY || process.argv.includes('--json')) return task();
  let frame = 0;
  let ticker: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    spinning = stream;
    ticker = setInterval(() => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}`), 80);
  }, SPINNER_DELAY_MS);
  try {
    return await task();
  } finally {
    clearTimeout(delay);
    clearInterval(ticker);
    clearSpinnerLine();
    spinning = undefined;
  }
}

/** The terminal a spinner is drawn on now, if one is. */
let spinning: NodeJS.WriteStream | undefined;

/**
 * Clears the spinner's line, so that a line printed while a task runs (a demo's `built …`) is not
 * written after it; the spinner draws itself again below on its next frame.
 */
export function clearSpinnerLine(): void {
  spinning?.write('\r\x1b[2K');
}

/**
 * A pull's progress on a terminal (never in a pipe, a log or under --json): bytes received of
 * the declared size, redrawn at most ten times a second once the pull has taken a moment.
 */
export function byteProgress(label: string, stream: NodeJS.WriteStream = process.stderr): ((received: number, declared: number | undefined) => void) | undefined {
  if (!stream.isTTY || process.argv.includes('--json')) return undefined;
  const started = Date.now();
  let drawn = 0;
  const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
  return (received, declared) => {
    const now = Date.now();
    const done = declared !== undefined && received >= declared;
    if (now - started < SPINNER_DELAY_MS / 4 || (!done && now - drawn < 100)) return;
    drawn = now;
    spinning = stream;
    stream.write(`\r\x1b[2K${label}: ${mib(received)}${declared ? ` of ${mib(declared)} MiB (${Math.floor((received / declared) * 100)}%)` : ' MiB'}`);
    if (done) {
      clearSpinnerLine();
      spinning = undefined;
    }
  };
}
