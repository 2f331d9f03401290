/**
 * A local stand-in for the Twilio REST calls a translated call makes (protocols.md §5): placing the receiver's
 * leg (`POST …/Calls.json`) and modifying a call (`POST …/Calls/{CallSid}.json`: new TwiML, or `Status` to
 * cancel or hang up). Start the Worker with `TWILIO_API_BASE_URL` pointing here. It answers in Twilio's shapes,
 * checks only the shape (any credentials pass: it is local), tells the script about each request, and sends the
 * status callbacks Twilio would, signed with the tenant's auth token by the official `twilio` package.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { twilioSignature } from "./twiml-call";

export interface DialedLeg {
  sid: string;
  to: string;
  from: string;
  twiml: string;
  statusCallback: string | null;
  events: string[];
  timeoutSec: number | null;
}

export interface CallUpdate {
  sid: string;
  twiml: string | null;
  status: string | null;
}

export interface StandInEvents {
  onDial(leg: DialedLeg): void;
  onUpdate(update: CallUpdate): void;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};
const notFound = (res: ServerResponse, path: string) =>
  json(res, 404, { code: 20404, message: `The requested resource ${path} was not found`, status: 404 });

async function form(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export class TwilioRestStandIn {
  readonly legs = new Map<string, DialedLeg>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static listen(port: number, accountSid: string, events: StandInEvents): Promise<TwilioRestStandIn> {
    let standIn: TwilioRestStandIn;
    const server = createServer((req, res) => {
      standIn.handle(req, res, accountSid, events).catch((e: unknown) => json(res, 500, { message: String(e) }));
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        standIn = new TwilioRestStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        resolve(standIn);
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, accountSid: string, events: StandInEvents) {
    const path = new URL(req.url ?? "/", this.url).pathname;
    const prefix = `/2010-04-01/Accounts/${accountSid}`;
    if (req.method !== "POST" || !path.startsWith(prefix)) return notFound(res, path);
    const p = await form(req);
    const resource = (sid: string, to: string, from: string, status: string) => ({
      sid,
      account_sid: accountSid,
      to,
      from,
      status,
      direction: "outbound-api",
      parent_call_sid: null,
      start_time: null,
      end_time: null,
      duration: null,
    });
    if (path === `${prefix}/Calls.json`) {
      const to = p.get("To");
      const from = p.get("From");
      const twiml = p.get("Twiml");
      if (!to || !from || !twiml)
        return json(res, 400, { code: 21205, message: "To, From and Twiml are required here", status: 400 });
      const leg: DialedLeg = {
        sid: `CA${randomBytes(16).toString("hex")}`,
        to,
        from,
        twiml,
        statusCallback: p.get("StatusCallback"),
        events: p.getAll("StatusCallbackEvent"),
        timeoutSec: p.has("Timeout") ? Number(p.get("Timeout")) : null,
      };
      this.legs.set(leg.sid, leg);
      json(res, 201, resource(leg.sid, to, from, "queued"));
      return events.onDial(leg);
    }
    const m = new RegExp(`^${prefix}/Calls/(CA[0-9a-f]{32})\\.json$`).exec(path);
    if (!m) return notFound(res, path);
    const update: CallUpdate = { sid: m[1]!, twiml: p.get("Twiml"), status: p.get("Status") };
    json(res, 200, resource(update.sid, "", "", update.status ?? "in-progress"));
    events.onUpdate(update);
  }

  /** Twilio's `completed` status callback for a dialed leg that ended with `status`; resolves with the Worker's answer. */
  async statusCallback(leg: DialedLeg, status: string, accountSid: string, authToken: string) {
    if (!leg.statusCallback) return null;
    const params: Record<string, string> = {
      AccountSid: accountSid,
      ApiVersion: "2010-04-01",
      CallSid: leg.sid,
      CallStatus: status,
      Direction: "outbound-api",
      From: leg.from,
      To: leg.to,
      CallbackSource: "call-progress-events",
      SequenceNumber: "0",
      Timestamp: new Date().toUTCString().replace("GMT", "+0000"),
      CallDuration: "0",
    };
    const res = await fetch(leg.statusCallback, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": twilioSignature(authToken, leg.statusCallback, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: await res.text() };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
