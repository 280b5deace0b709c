// The transpile process: jco runs here, so that a host never loads it (see transpileInProcess).
import { transpileInto, type TranspileOptions } from './transpile-cache.ts';

process.on('message', ({ id, bytes, dir, options }: { id: number; bytes: Uint8Array; dir: string; options: TranspileOptions }) => {
  transpileInto(bytes, dir, options).then(
    () => process.send!({ id }),
    (error: unknown) => process.send!({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
