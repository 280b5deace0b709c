import type { Command } from 'commander';

/** What each command's --help ends with: commands a new user can copy, by command path. */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': ['badger doctor', 'badger up --demo', 'badger app deploy examples/oled-app.yaml --wait', 'badger get inventory'],
  'keys gen': ['badger keys gen account', 'badger keys gen user --out ~/.badger/keys'],
  'claims sign': ['badger claims sign app.wasm -o app_s.wasm --name app --cap wasi:keyvalue/store --expires-in 30d'],
  'claims inspect': ['badger claims inspect actors-src/counter/build/counter_s.wasm', 'badger claims inspect app_s.wasm --jwt', 'badger claims inspect app_s.wasm --imports'],
  'claims verify': ['badger claims verify app_s.wasm --policy policy.yaml'],
  build: ['badger build actors-src/counter', 'badger build --force'],
  dev: ['badger dev actors-src/counter', 'badger dev my-actor --port 8080'],
  up: ['badger up --demo', 'badger up --detached --label device=pi --nats nats://hub.local:4222 --log-max-size 1M', 'badger up --leaf-remote nats-leaf://raspberrypi.local:7422 --label role=laptop', 'badger up --nats nats://hub.local:4222 --cluster-seed ~/.badger/keys/CC….nk --ctl-allow UA…', 'badger up --actor-threads 4 --idle-ms 30000'],
  down: ['badger down'],
  'start actor': ['badger start actor actors-src/counter/build/counter_s.wasm --max-instances 4', 'badger start actor app_s.wasm --nats nats://hub.local:4222 --constraint device=pi', 'badger start actor streamer_s.wasm --isolated --deadline-ms 60000', 'badger start actor lattice://oled-ticker:0.1.0 --nats nats://hub.local:4222 --constraint device=pi', 'badger start actor oci://ghcr.io/me/app:0.1.0'],
  'start provider': ['badger start provider keyvalue', 'badger start provider blobstore', 'badger start provider http-client', 'badger start provider filesystem', 'badger start provider messaging', 'badger start provider oled-display --id display'],
  'stop actor': ['badger stop actor counter'],
  'stop provider': ['badger stop provider keyvalue'],
  push: ['badger push actors-src/oled-ticker/build/oled-ticker_s.wasm oled-ticker:0.1.0 --nats nats://127.0.0.1:4222', 'badger push app_s.wasm oci://ghcr.io/me/app:0.1.0 --user me --password "$GHCR_TOKEN"', 'badger push app_s.wasm oci://registry.lan:5000/app:0.1.0 --insecure'],
  pull: ['badger pull lattice://oled-ticker:0.1.0 --nats nats://127.0.0.1:4222', 'badger pull oci://ghcr.io/me/app:0.1.0 -o app_s.wasm', 'badger pull oci://ghcr.io/me/app@sha256:… --json'],
  'artifacts list': ['badger artifacts list --nats nats://127.0.0.1:4222'],
  'artifacts rm': ['badger artifacts rm oled-ticker:0.1.0 --nats nats://127.0.0.1:4222'],
  'update actor': ['badger update actor actors-src/counter/build/counter_s.wasm'],
  'scale actor': ['badger scale actor counter 8'],
  'link put': [
    'badger link put counter keyvalue wasi:keyvalue --config bucket=visits',
    'badger link put blob-notes blobstore wasi:blobstore --config backend=file path=/var/blobs',
    'badger link put blob-notes blobstore wasi:blobstore --config backend=nats url=nats://127.0.0.1:4222 container.notes=team-notes',
    'badger link put hello http-server wasi:http/incoming-handler --config address=127.0.0.1:8080',
    'badger link put fetcher http-client wasi:http/outgoing-handler --config allowed_hosts=api.example.com,127.0.0.1:8080 timeout_ms=5000',
    'badger link put file-tool filesystem wasi:filesystem --config path=/srv/site mode=ro guest_path=/site',
    "badger link put nats-echo messaging wasmcloud:messaging --config 'subscriptions=echo.>,ping'",
  ],
  'link del': ['badger link del counter wasi:keyvalue/store'],
  'link query': ['badger link query --json'],
  'get inventory': ['badger get inventory', 'badger get inventory --nats nats://hub.local:4222'],
  'get hosts': ['badger get hosts --nats nats://hub.local:4222'],
  'get claims': ['badger get claims --json'],
  call: ['badger call hello-wat wasi:http/incoming-handler.handle \'{"path": "/"}\'', 'badger call counter wasi:http/incoming-handler.handle \'{"method": "POST", "path": "/visits", "body": "hi"}\''],
  'oled snapshot': ['badger oled snapshot -o panel.png', 'badger oled snapshot --nats nats://hub.local:4222 --provider display -o pi.png'],
  'oled watch': ['badger oled watch', 'badger oled watch --nats nats://hub.local:4222 --provider display'],
  'nats hub': ['badger nats hub > hub.conf', 'badger nats hub --start', 'badger nats hub --member-user UD… --operator-user UB… --lattice home > hub.conf'],
  'nats cluster': ['badger nats cluster > cluster.conf', 'badger nats cluster --start', 'badger nats cluster --size 5 --port 4300 --cluster-port 6300 --leaf-port 7400 --start'],
  events: ['badger events --nats nats://hub.local:4222 --no-heartbeats'],
  'provider kinds': ['badger provider kinds', 'badger provider kinds --json'],
  'provider run': ['badger provider run oled-display --nats nats://127.0.0.1:4222 --id display', 'badger provider run http-server --nats nats://hub.local:4222 --id edge', 'badger provider run messaging --nats nats://hub.local:4222 --id bus', 'badger provider run oled-display --nats nats://hub.local:4222 --id display --cluster-seed ~/.badger/keys/CC….nk'],
  'app validate': ['badger app validate examples/oled-app.yaml'],
  'app deploy': ['badger app deploy examples/oled-app.yaml --wait', 'badger app deploy app.yaml --nats nats://hub.local:4222'],
  'app undeploy': ['badger app undeploy oled-app --wait'],
  'app list': ['badger app list'],
  'app status': ['badger app status oled-app --json'],
  ui: ['badger ui', 'badger ui --nats nats://127.0.0.1:4222', 'badger ui --nats nats://hub.local:4222 --bind 0.0.0.0 --port 8090 --public-host pi.local'],
  doctor: ['badger doctor', 'badger doctor --json'],
  completion: ['source <(badger completion bash)', 'badger completion zsh >> ~/.zshrc'],
};

/** Adds each command's examples to the end of its --help. */
export function withExamples(program: Command): Command {
  const visit = (command: Command, path: string) => {
    const examples = EXAMPLES[path];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((example) => `  $ ${example}`).join('\n')}`);
    for (const sub of command.commands) visit(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  visit(program, '');
  return program;
}
