/**
 * Every code that can cross a process boundary (a CLI run's exit, the control socket, the lattice,
 * the dashboard's API), with what it means. Callers switch on codes, never on message text. The
 * README's list of codes is made from this table (`npm run docs:error-codes`) and a test keeps the
 * two the same.
 */
export const ERROR_CODES = {
  // Claims and keys (claims/)
  CLAIMS_MISSING: 'the component carries no signed claims',
  CLAIMS_MALFORMED: 'the claims token is not a well-formed JWT with wascap claims',
  CLAIMS_BAD_SIGNATURE: "the claims token's signature does not verify against its issuer",
  CLAIMS_HASH_MISMATCH: 'the component was changed after it was signed: its hash is not the one the claims name',
  CLAIMS_EXPIRED: 'the claims are past their expiry time',
  CLAIMS_NOT_YET_VALID: 'the claims are not valid yet (their not-before time is ahead)',
  CLAIMS_BAD_ISSUER: 'the issuer is not an account key (A…)',
  CLAIMS_BAD_SUBJECT: 'the subject is not a key of the kind the claims are for (M… for an actor)',
  WASM_MALFORMED: 'the bytes are not a well-formed Wasm module or component',
  NKEY_MALFORMED: 'a key or seed is not a valid nkey',
  NKEY_WRONG_TYPE: 'a key or seed is of the wrong kind for its use (for example an account key where a module key belongs)',

  // The host
  HOST_NOT_RUNNING: 'no host answers on the control socket',
  HOST_ACCESS_DENIED: 'the control socket belongs to another user',
  HOST_ALREADY_RUNNING: 'a host already listens on this control socket',
  HOST_INTERNAL: 'the host failed in a way it has no code for; the message says how',
  CONTROL_MALFORMED: 'a control request is not of the shape its operation takes',
  CONTROL_UNKNOWN_OP: 'a control request names an operation the host does not have',
  CONTROL_TOO_LARGE: 'a control request is longer than the line limit',
  CONTROL_DENIED: 'a control request is not signed by a key the lattice trusts',

  // Actors
  ACTOR_NOT_FOUND: 'no actor with that id or name runs here',
  ACTOR_ALREADY_RUNNING: 'an actor with that id runs already',
  ACTOR_UPDATE_REFUSED: 'the next version is not signed by the account that signed the running one',
  ACTOR_MEMORY_LIMIT: 'the actor needs more memory than its limit allows',
  ACTOR_TRAPPED: 'the actor trapped (a panic, an unreachable, a failed assertion in the guest)',
  ACTOR_EXITED: 'the actor called wasi:cli/exit, which ends the invocation; the message has its exit code',
  ACTOR_IMPORT_UNSATISFIED: 'the component imports an interface (or a version of one) that nothing on this host serves; the message names each, and what would serve it',
  ACTOR_DEADLINE: 'the invocation ran past its deadline: its instance was given up, or its thread ended if the guest did not yield',
  ACTOR_BUSY: 'every instance is busy and the queue is full',
  ACTOR_STOPPING: 'the actor is stopping and takes no new calls',
  ACTOR_CRASHED: "the actor's thread failed",
  ACTOR_NO_SUCH_EXPORT: 'the actor does not export the function that was called',
  ACTOR_CALL_FAILED: 'the call failed in the guest without a trap (an exception, an error result)',

  // Providers and links
  PROVIDER_NOT_FOUND: 'no provider with that id (or kind) runs here, or none answers the named service',
  PROVIDER_ALREADY_RUNNING: 'a provider with that id runs already',
  PROVIDER_CONFLICT: 'two provider kinds share a name, two contracts carry one interface, or a service is named so no subject can carry it',
  LINK_TARGET_NOT_FOUND: 'a link on a host with no lattice names a target that is neither a provider nor an actor running there',
  LINK_NOT_FOUND: 'no such link',
  HTTP_BAD_LINK_CONFIG: "an HTTP server link's config is not valid",
  HTTP_ADDRESS_IN_USE: 'the address an HTTP link asks for is taken',
  HTTP_LISTEN_FAILED: 'the actor could not listen where its HTTP link asks',
  HTTP_NO_RESPONSE: 'the actor returned from its HTTP handler without a response',
  HTTP_CLIENT_BAD_LINK_CONFIG: "an outgoing-HTTP link's config is not valid (allowed_hosts is required)",
  OLED_BAD_LINK_CONFIG: "a display link's config is not valid",
  OLED_DEVICE: 'the display did not answer on its bus',
  OLED_BAD_REQUEST: 'a display service request is not valid',
  OLED_BAD_SNAPSHOT: 'an answer said to be a display snapshot is not one',
  KV_STORE_LOCKED: 'another process holds the file store',
  KV_STORE_DAMAGED: "a bucket's files cannot be read back",
  KV_STORE_UNWRITABLE: 'a bucket can no longer be written (its disk failed or filled)',
  KV_BAD_BUCKET_NAME: 'a bucket name is not 1 to 64 letters, digits, _ or -',
  KV_NOT_A_COUNTER: 'an increment met a value that is not a u64',
  KV_COUNTER_OVERFLOW: 'an increment would take the counter out of the u64 range',
  KV_CONTENDED: 'an increment lost to other writers too many times in a row',
  KV_NO_LATTICE: 'a backend=nats link reached a key-value provider that has no way to the lattice',
  BLOB_BAD_NAME: 'a container or object name cannot be stored (empty, ill-formed UTF-8, or too long for a file name once encoded)',
  BLOB_BAD_RANGE: 'a read asked for bytes that are not a range (start past end)',
  BLOB_TOO_LARGE: 'an object is over the blob store\'s size limit; nothing of it was kept',
  BLOB_NO_SUCH_CONTAINER: 'the container does not exist',
  BLOB_CONTAINER_EXISTS: 'a container of that name exists already',
  BLOB_NO_SUCH_OBJECT: 'the object does not exist in its container',
  BLOB_BAD_LINK_CONFIG: "a blobstore link's config is not valid (an unknown key, a backend other than file or nats)",
  MESSAGING_BAD_LINK_CONFIG: "a messaging link's config is not valid (an unknown key, a subscription that is not a NATS subject pattern, a url that is not a NATS server)",
  FILESYSTEM_BAD_LINK_CONFIG: "a filesystem link's config is not valid (no path, a path that is not a directory, a mode other than ro or rw)",

  // Artifacts and policy
  ARTIFACT_UNREADABLE: 'the artifact cannot be read or fetched',
  ARTIFACT_IS_DIRECTORY: 'a directory was given where a component file belongs (an actor project is built first)',
  ARTIFACT_TOO_LARGE: 'the artifact is larger than the host takes',
  ARTIFACT_FETCH_TIMEOUT: 'fetching the artifact took too long',
  ARTIFACT_NOT_A_COMPONENT: 'the artifact is a core module, not a component',
  ARTIFACT_BAD_REFERENCE: 'an oci:// reference is malformed (no registry, no tag or digest, a repository or tag the OCI grammar refuses)',
  ARTIFACT_REGISTRY_REFUSED: 'an OCI registry answered a push or a pull with an error, or sent an upload to another server',
  ARTIFACT_NOT_FOUND: "the lattice's artifact store has no artifact of that name and version",
  ARTIFACT_REGISTRY_AUTH: 'an OCI registry needs credentials that were not given, or refused the ones given',
  ARTIFACT_DIGEST_MISMATCH: 'the bytes a registry served do not hash to the digest they were asked for',
  POLICY_MALFORMED: 'the policy file is not valid',
  POLICY_UNREADABLE: 'the policy file cannot be read',
  POLICY_UNSIGNED_DENIED: 'the policy refuses unsigned actors',
  POLICY_ISSUER_DENIED: "the policy does not trust the actor's issuer",
  POLICY_COMPONENT_DENIED: 'the policy refuses this component',
  POLICY_CAPABILITY_DENIED: "the actor's claims or its issuer's policy do not grant the capability",

  // The lattice
  LATTICE_UNAVAILABLE: 'the lattice (its NATS server) cannot be reached',
  LATTICE_NO_HOST: 'no host on the lattice answered',
  LATTICE_NOT_FOUND: 'nothing on the lattice serves that target',
  LATTICE_BAD_NAME: 'a lattice name is not letters, digits, _ or -',
  LATTICE_NATS_SERVER: 'nats-server is missing or could not start',
  LATTICE_NO_JETSTREAM: "the lattice's NATS servers have no JetStream (run with -js, or use badger nats hub)",
  LATTICE_REPLICAS_MISMATCH: 'a bucket or store exists with another replica count than the one asked for',
  LATTICE_SUBJECT_RESERVED: "an actor's message names a subject the lattice keeps for itself (badger.>, the server's $ APIs)",
  LATTICE_NO_ANSWER: "an actor's request on a subject got no answer: no one listens there, or not in time",
  LATTICE_UNTRUSTED: 'a lattice message is not stamped by a key this end trusts',

  // Applications
  APP_INVALID: 'an application manifest is not valid',
  APP_NOT_FOUND: 'no such application',
  APP_STORE_UNAVAILABLE: 'the application store (JetStream) cannot be reached',

  // Building actors
  BUILD_CONFIG_MISSING: 'the actor folder has no badger.toml',
  BUILD_CONFIG_MALFORMED: 'badger.toml is not valid',
  BUILD_SOURCE_MISSING: 'the source file badger.toml names is missing',
  BUILD_SOURCE_INVALID: 'the source does not compile',
  BUILD_WIT_INVALID: 'the WIT does not parse',
  BUILD_WORLD_MISMATCH: 'the source does not fit the world it names',
  BUILD_FAILED: 'the toolchain failed',

  // The CLI
  CLI_USAGE: 'the command line does not parse: an unknown command or option, or a missing argument (exit code 2)',
  CLI_BAD_ARGUMENT: 'an argument or option is not valid',
  CLI_FILE_UNREADABLE: 'a file the command needs cannot be read',
  CLI_FILE_UNWRITABLE: 'a file the command writes cannot be written',
  CLI_HOST_STILL_RUNNING: '`badger down` asked the host to stop, and its process has not ended in time',
  CLI_ALLOCATOR: 'BADGER_ALLOCATOR names no allocator, or asks for jemalloc where it is not installed',

  // The dashboard's API
  DASHBOARD_BAD_REQUEST: 'the request is not one the dashboard takes',
  DASHBOARD_FORBIDDEN: 'actions come only from the dashboard page, as JSON from its own origin',
  DASHBOARD_TOKEN_REQUIRED: 'the dashboard wants its token',
  DASHBOARD_WRONG_HOST: 'the request names a host the dashboard does not answer to (DNS rebinding)',
  DASHBOARD_NOT_FOUND: 'no such page or route',
  DASHBOARD_NO_SNAPSHOT: 'the display has nothing to show',
  DASHBOARD_UNREACHABLE: 'the dashboard page cannot reach its server',
  DASHBOARD_INTERNAL: 'the dashboard failed in a way it has no code for',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
