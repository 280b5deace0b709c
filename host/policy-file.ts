import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { HostError } from './errors.ts';
import { parsePolicy, type Policy } from './policy.ts';

/** Loads a policy from a YAML or JSON file (JSON is YAML, so one parser reads both). */
export async function loadPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HostError('POLICY_UNREADABLE', `cannot read policy file ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new HostError('POLICY_MALFORMED', `${path}: not valid YAML or JSON${where}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parsePolicy(document, path);
}
