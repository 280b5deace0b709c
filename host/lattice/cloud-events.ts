/** A CloudEvents 1.0 event, as hosts publish lifecycle events and heartbeats. */
export interface CloudEvent<Data> {
  readonly specversion: '1.0';
  readonly id: string;
  /** The host (its `N…` key) or provider (`V…`) that saw it happen. */
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: Data;
}

export const EVENT_TYPE_PREFIX = 'dev.awesome-badger.lattice.';

/** Pure: the id and time come from the caller. */
export function cloudEvent<Data>(type: string, source: string, data: Data, id: string, at: Date): CloudEvent<Data> {
  return { specversion: '1.0', id, source, type: `${EVENT_TYPE_PREFIX}${type}`, time: at.toISOString(), datacontenttype: 'application/json', data };
}
