/**
 * A whole number above zero from a link's config, or `fallback` when the key is absent. Digits only:
 * `1e3`, `0x10` and ` 5` are refused (through `refuse`, so that each provider answers with its own
 * error code) rather than read as something the user did not write.
 */
export function positiveIntegerSetting(config: Readonly<Record<string, string>>, key: string, fallback: number, refuse: (message: string) => Error): number {
  const text = config[key];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw refuse(`${key}="${text}" is not a positive whole number`);
  return value;
}
