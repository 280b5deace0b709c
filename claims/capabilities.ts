/**
 * Contract ids used by wasmCloud's pre-component actors, mapped to the WIT interface that does the
 * same job, so that claims signed for the old host still mean something here.
 */
const WIT_INTERFACE_BY_CONTRACT: Readonly<Record<string, string>> = {
  'wasmcloud:keyvalue': 'wasi:keyvalue/store',
  'wasmcloud:httpserver': 'wasi:http/incoming-handler',
  'wasmcloud:httpclient': 'wasi:http/outgoing-handler',
  'wasmcloud:builtin:logging': 'wasi:logging/logging',
  'wasmcloud:builtin:numbergen': 'wasi:random/random',
  'wasmcloud:blobstore': 'wasi:blobstore/blobstore',
  'wasmcloud:messaging': 'wasmcloud:messaging/consumer',
};

const FRIENDLY_NAME: Readonly<Record<string, string>> = {
  'wasi:keyvalue/store': 'Key-value store',
  'wasi:keyvalue/atomics': 'Key-value atomics',
  'wasi:keyvalue/batch': 'Key-value batch',
  'wasi:http/incoming-handler': 'HTTP server',
  'wasi:http/outgoing-handler': 'HTTP client',
  'wasi:logging/logging': 'Logging',
  'wasi:random/random': 'Random numbers',
  'wasi:blobstore/blobstore': 'Blob store',
  'wasmcloud:messaging/consumer': 'Messaging',
  'badger:oled/display': 'OLED display',
};

/** The WIT interface a capability string stands for: itself, or the interface of a legacy contract id. */
export function capabilityInterface(capability: string): string {
  return WIT_INTERFACE_BY_CONTRACT[capability] ?? capability;
}

export function capabilityDisplayName(capability: string): string {
  const wit = capabilityInterface(capability);
  return FRIENDLY_NAME[wit] ?? wit;
}
