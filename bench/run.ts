// npm run bench [-- <scenario>]: each scenario prints one BENCH line per figure, measured against
// a baseline taken in the same run.
import { buildCacheScenario } from './build-cache.ts';
import { coldStartScenario } from './cold-start.ts';
import { densityScenario } from './density.ts';
import { firstStartScenario } from './first-start.ts';
import { httpScenario } from './http.ts';
import { invokeScenario } from './invoke.ts';
import { keyValueScenario } from './keyvalue.ts';
import { latticeScenario } from './lattice.ts';
import { oledScenario } from './oled.ts';

const SCENARIOS: Record<string, () => Promise<void>> = {
  'build-cache': buildCacheScenario,
  'cold-start': coldStartScenario,
  density: densityScenario,
  'first-start': firstStartScenario,
  http: httpScenario,
  invoke: invokeScenario,
  keyvalue: keyValueScenario,
  lattice: latticeScenario,
  oled: oledScenario,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in SCENARIOS));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; scenarios: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(SCENARIOS)) await SCENARIOS[name]!();
