// echo: answers every request with its own body, streamed. Each chunk goes back as soon as it
// arrives, so an upload of any size passes through in pieces and is never held whole.
import { Fields, IncomingBody, OutgoingBody, OutgoingResponse, ResponseOutparam, type IncomingRequest } from 'wasi:http/types@0.2.10';

const CHUNK = 64n * 1024n;

export const incomingHandler = {
  handle(request: IncomingRequest, responseOut: ResponseOutparam): void {
    const headers = new Fields();
    const [contentType] = request.headers().get('content-type');
    headers.append('content-type', contentType ?? new TextEncoder().encode('application/octet-stream'));
    const response = new OutgoingResponse(headers);
    const body = response.body();
    // The head goes out now; the body follows as it is written.
    ResponseOutparam.set(responseOut, { tag: 'ok', val: response });
    const output = body.write();
    const incoming = request.consume();
    const input = incoming.stream();
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = input.blockingRead(CHUNK);
      } catch (error) {
        if ((error as { payload?: { tag: string } }).payload?.tag === 'closed') break;
        throw error;
      }
      if (chunk.length > 0) output.blockingWriteAndFlush(chunk);
    }
    // Child streams go before their bodies are finished.
    input[Symbol.dispose]();
    IncomingBody.finish(incoming);
    output[Symbol.dispose]();
    OutgoingBody.finish(body, undefined);
  },
};
