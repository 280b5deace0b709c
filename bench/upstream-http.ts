// An upstream HTTP server in a process of its own, for the outgoing-HTTP scenario: GET answers
// 1 KiB. Sends its port to the parent once it listens; ends when the parent goes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.alloc(1024, 'x');
const server = createServer((_request, response) => response.end(body));
server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
process.on('disconnect', () => process.exit(0));
