/** What a workload asks of a service: the register operations, on one of its endpoints. */
export interface Target {
  name: string;
  endpoints: readonly string[];
  /** The processes it runs as (their descendants count too): whose CPU time a workload costs. */
  pids: readonly number[];
  /** Writes value to key; true when acknowledged. */
  put(endpoint: string, key: string, value: string): Promise<boolean>;
  /** A linearizable read: the value and version, or null when the request failed. */
  get(endpoint: string, key: string): Promise<{ value: string | null; version: number } | null>;
  /** Writes value when the key's version is still `version`: 'ok', 'mismatch' (with the current state) or 'error'. */
  putIfVersion(
    endpoint: string,
    key: string,
    value: string,
    version: number,
  ): Promise<{ outcome: 'ok' | 'mismatch' | 'error'; current?: { value: string | null; version: number } }>;
  stop(): Promise<void>;
}
