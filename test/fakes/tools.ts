/**
 * A tenant's HTTP tool endpoints, on loopback (the test Worker maps https://tools.voicedesk.test onto it:
 * test/worker.ts). Tests script each path's answer, then read what the Worker sent. Unscripted paths are a 404.
 *
 *   POST /__fake/script   {path, status, body?, hang?}  the answer for `path` (hang: never answer)
 *   GET  /__fake/requests?prefix=/t/abc                 every request under the prefix: method, path, query, headers, body
 *   *    /t/…                                           a tool endpoint
 */
import type { IncomingHttpHeaders } from "node:http";
import { listen, readBody, sendJson, type RunningFake } from "./http";

export interface ToolRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Answer {
  status: number;
  body?: unknown;
  hang?: boolean;
}

export async function startToolsFake(): Promise<RunningFake> {
  const answers = new Map<string, Answer>();
  const requests: ToolRequest[] = [];
  return listen(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const body = (await readBody(req)).toString("utf8");
    if (req.method === "POST" && url.pathname === "/__fake/script") {
      const a = JSON.parse(body) as Answer & { path: string };
      answers.set(a.path, a);
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === "GET" && url.pathname === "/__fake/requests") {
      const prefix = url.searchParams.get("prefix") ?? "/t/";
      return sendJson(
        res,
        200,
        requests.filter((r) => r.path.startsWith(prefix)),
      );
    }
    const answer = answers.get(url.pathname);
    if (!url.pathname.startsWith("/t/") || !answer)
      return sendJson(res, 404, { error: `tools fake: no route for ${req.method} ${url.pathname}` });
    requests.push({
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    });
    if (answer.hang) return; // the Worker's timeout ends it
    sendJson(res, answer.status, answer.body ?? {});
  });
}
