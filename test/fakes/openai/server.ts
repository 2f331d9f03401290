/**
 * A fake OpenAI API on loopback. REST (audio transcriptions, realtime calls) lives in `rest.ts`; the realtime
 * WebSocket (`GET /v1/realtime?model=…` with `Upgrade: websocket`) in `realtime.ts`. Both share one origin
 * because OPENAI_BASE_URL is one base for both. Behaviour is scoped per API key, so tests that give each tenant
 * its own key never see each other's traffic.
 */
import type { Duplex } from "node:stream";
import type { IncomingMessage } from "node:http";
import { listen, readBody, sendJson, type RunningFake } from "../http";
import { handleRest } from "./rest";
import { handleRealtimeUpgrade } from "./realtime";

export function openaiError(
  status: number,
  message: string,
  type = "invalid_request_error",
  code: string | null = null,
  param: string | null = null,
) {
  return { status, body: { error: { message, type, param, code } } };
}

export async function startOpenAIFake(): Promise<RunningFake> {
  const fake = await listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const handled = await handleRest(req, res, url, () => readBody(req));
    if (!handled) {
      const e = openaiError(
        404,
        `Unknown request URL: ${req.method} ${url.pathname}`,
        "invalid_request_error",
        "unknown_url",
      );
      sendJson(res, e.status, e.body);
    }
  });
  fake.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleRealtimeUpgrade(req, socket, head);
  });
  return fake;
}
