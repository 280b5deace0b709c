import { describe, expect, it } from 'vitest';
import { devPlan, kindsToStart } from '../../cli/dev-plan.ts';
import { providerKind } from '../../host/index.ts';
import { BUILT_IN_PROVIDERS } from '../../cli/provider-kinds.ts';

describe("badger dev's plan", () => {
  it('links each claimed import to the provider kind that serves it, its HTTP export to the HTTP server, and names what nothing serves', () => {
    const plan = devPlan(['wasi:keyvalue/store', 'wasi:http/incoming-handler', 'badger:oled/display', 'example:greeter/greet'], BUILT_IN_PROVIDERS.map(providerKind));
    expect(plan).toEqual({
      links: [
        { interface: 'wasi:keyvalue/store', kind: 'keyvalue' },
        { interface: 'badger:oled/display', kind: 'oled-display' },
      ],
      driven: [{ interface: 'wasi:http/incoming-handler', kind: 'http-server' }],
      unserved: ['example:greeter/greet'],
    });
    expect(kindsToStart(plan)).toEqual(['keyvalue', 'oled-display', 'http-server']);
  });
});
