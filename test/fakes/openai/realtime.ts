import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** The realtime WebSocket of the fake. Until it is implemented, every upgrade is refused loudly. */
export function handleRealtimeUpgrade(_req: IncomingMessage, socket: Duplex, _head: Buffer): void {
  socket.end("HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\n\r\nfake realtime not implemented\r\n");
}
