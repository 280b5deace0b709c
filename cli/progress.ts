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
  let shown = false;
  let ticker: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    shown = true;
    ticker = setInterval(() => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}`), 80);
  }, SPINNER_DELAY_MS);
  try {
    return await task();
  } finally {
    clearTimeout(delay);
    clearInterval(ticker);
    if (shown) stream.write('\r\x1b[2K');
  }
}
