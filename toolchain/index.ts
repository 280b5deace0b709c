export { parseActorConfig, type ActorConfig, type ActorLanguage, type JsBackend } from './actor-config.ts';
export { buildActor, fileStem, keptBuild, loadActorProject, type ActorProject, type BuildRequest, type BuildSummary, type Made, type OutputStat } from './build-actor.ts';
export { compilerPids } from './compile.ts';
export { BuildError, type BuildErrorCode } from './errors.ts';
export { assembleWitTree, engineWasiVersion, PROJECT_WIT_DIR, retargetWasiVersion } from './wit-tree.ts';
export { capabilitiesOf, featuresToDisable, jsWorldMismatch, worldShapeFromWit, type WorldShape } from './world-shape.ts';
export { packageRoot, packageVersion } from './package-root.ts';
