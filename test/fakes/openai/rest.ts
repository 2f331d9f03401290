import type { IncomingMessage, ServerResponse } from "node:http";
import { handleChat } from "./chat";
import { handleModels } from "./models";
import { handleRealtimeCalls } from "./realtime-calls";
import { handleRealtimeControl } from "./realtime-control";
import { handleTranscriptions } from "./transcriptions";

/** One OpenAI REST endpoint of the fake: answers and returns true, or returns false when the request is not its. */
export type RestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: () => Promise<Buffer>,
) => Promise<boolean>;

const handlers: RestHandler[] = [
  handleTranscriptions,
  handleRealtimeCalls,
  handleChat,
  handleRealtimeControl,
  handleModels,
];

export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: () => Promise<Buffer>,
): Promise<boolean> {
  for (const h of handlers) if (await h(req, res, url, body)) return true;
  return false;
}
