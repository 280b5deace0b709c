import type { ActorLanguage, JsBackend } from './actor-config.ts';
import type { BuildErrorCode } from './errors.ts';
import type { WorldShape } from './world-shape.ts';

/** What the parent asks the compile worker to do. Paths are absolute. */
export interface CompileRequest {
  readonly witDir: string;
  readonly world: string;
  readonly language: ActorLanguage;
  readonly backend: JsBackend;
  readonly sourcePath: string;
  /** Where TypeScript is written as JavaScript before componentizing. */
  readonly scratchDir: string;
  readonly outputPath: string;
}

/** The worker's answer to one request, over IPC. */
export type CompileResult =
  | { readonly ok: true; readonly shape: WorldShape }
  | { readonly ok: false; readonly code: BuildErrorCode; readonly message: string };
