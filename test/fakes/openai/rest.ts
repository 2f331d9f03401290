import type { IncomingMessage, ServerResponse } from "node:http";

/** OpenAI REST endpoints of the fake; returns false for paths it does not serve (the server answers 404). */
export async function handleRest(
  _req: IncomingMessage,
  _res: ServerResponse,
  _url: URL,
  _body: () => Promise<Buffer>,
): Promise<boolean> {
  return false;
}
