/**
 * Host side of wasi:sockets 0.2 where every operation answers `access-denied`. .NET imports the
 * whole package even for a plain HTTP response; an actor reaches the network only through a
 * claimed provider (outgoing HTTP, messaging), never through raw sockets.
 */

const denied = () => {
  // A WIT `err` result: jco hands the payload to the guest as the error-code enum's case.
  throw { payload: 'access-denied' };
};

/** The network an actor is given: nothing can be bound or connected on it. */
class Network {}
// No socket or lookup stream can be made (their constructors answer access-denied), so no method
// is ever reached: the classes are there because jco checks, at instantiation, that each imported
// resource has one.
class TcpSocket {
  private constructor() {}
}
class UdpSocket {
  private constructor() {}
}
class IncomingDatagramStream {
  private constructor() {}
}
class OutgoingDatagramStream {
  private constructor() {}
}
class ResolveAddressStream {
  private constructor() {}
}

export function socketsImports(): Record<string, Record<string, unknown>> {
  return {
    'wasi:sockets/network': { Network, networkErrorCode: () => undefined },
    // A new object each time: the guest owns (and drops) what it is given.
    'wasi:sockets/instance-network': { instanceNetwork: () => new Network() },
    'wasi:sockets/tcp': { TcpSocket },
    'wasi:sockets/tcp-create-socket': { createTcpSocket: denied },
    'wasi:sockets/udp': { UdpSocket, IncomingDatagramStream, OutgoingDatagramStream },
    'wasi:sockets/udp-create-socket': { createUdpSocket: denied },
    'wasi:sockets/ip-name-lookup': { ResolveAddressStream, resolveAddresses: denied },
  };
}
