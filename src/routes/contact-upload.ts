import { z } from "zod";
import { readTextLimited } from "../lib/body-limit";
import { CsvError, parseCsv } from "../lib/csv";
import { ApiError, type ValidationIssue } from "../lib/errors";
import { normalizePhone } from "../lib/phone";
import { toIssues } from "../lib/validate";

/** An upload is read whole (it is validated whole before anything is written): at most this many bytes and rows. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
export const MAX_UPLOAD_ROWS = 10_000;
/** The CSV column that holds the number (case and spacing ignored); every other column becomes metadata. */
const NUMBER_COLUMNS = ["number", "phone", "phonenumber", "phone_number", "to"];

export interface UploadRow {
  /** 1-based position among the upload's contacts (the CSV's data rows, the JSON array's items). */
  row: number;
  number: string;
  metadataJson: string | null;
}

/** A row that cannot be called, named by its position (and, in a CSV, its line). */
export interface RowError extends ValidationIssue {
  row: number;
  line?: number;
}

export interface ParsedUpload {
  rows: UploadRow[];
  errors: RowError[];
  /** Rows whose number an earlier row of the same upload has already. */
  repeated: { row: number; number: string }[];
}

export const jsonContact = z.object({
  number: z.string().max(64),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export const jsonUpload = z.union([z.array(z.unknown()), z.object({ contacts: z.array(z.unknown()) })]);

const rowError = (row: number, field: string, message: string, line?: number): RowError => ({
  path: `rows.${row}.${field}`,
  message: line === undefined ? message : `line ${line}: ${message}`,
  row,
  ...(line === undefined ? {} : { line }),
});

function fromCsv(text: string): {
  items: { row: number; line?: number; number: string; metadata: object | null }[];
  errors: RowError[];
} {
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    throw new ApiError(400, `Malformed CSV: ${e.message}`, {
      issues: [{ path: `line.${e.line}`, message: e.message }],
    });
  }
  const [header, ...data] = records;
  const names = (header?.fields ?? []).map((h) => h.trim());
  const numberAt = names.findIndex((h) => NUMBER_COLUMNS.includes(h.toLowerCase().replace(/\s+/g, "")));
  if (numberAt < 0)
    throw new ApiError(400, `The CSV's first line must name its columns, one of them "number"`, {
      issues: [{ path: "line.1", message: `no number column among: ${names.join(", ") || "(nothing)"}` }],
    });
  const errors: RowError[] = [];
  const items = data.flatMap((r, i) => {
    if (r.fields.length !== names.length) {
      errors.push(rowError(i + 1, "(row)", `expected ${names.length} fields, found ${r.fields.length}`, r.line));
      return [];
    }
    const metadata = Object.fromEntries(
      names.flatMap((n, k) => (k === numberAt || r.fields[k] === "" ? [] : [[n, r.fields[k]!]])),
    );
    return [
      {
        row: i + 1,
        line: r.line,
        number: r.fields[numberAt]!,
        metadata: Object.keys(metadata).length ? metadata : null,
      },
    ];
  });
  return { items, errors };
}

function fromJson(text: string) {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "Malformed JSON body");
  }
  const parsed = jsonUpload.safeParse(body);
  if (!parsed.success) throw new ApiError(400, "Expected an array of contacts or {contacts: [...]}");
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.contacts;
  const errors: RowError[] = [];
  const items = list.flatMap((item, i) => {
    const c = jsonContact.safeParse(typeof item === "string" ? { number: item } : item);
    if (c.success) return [{ row: i + 1, number: c.data.number, metadata: c.data.metadata ?? null }];
    for (const issue of toIssues(c.error.issues)) errors.push(rowError(i + 1, issue.path, issue.message));
    return [];
  });
  return { items, errors };
}

/**
 * A contact list, as CSV (`text/csv`, a header line naming a `number` column) or JSON (an array of `{number,
 * metadata?}` or of numbers, or `{contacts: [...]}`): every row validated (numbers normalized to `+digits`), rows
 * repeating a number of an earlier row set aside, every bad row reported.
 */
export async function readContactUpload(request: Request): Promise<ParsedUpload> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "text/csv" && type !== "application/json")
    throw new ApiError(415, "Send the contacts as text/csv or application/json");
  const text = await readTextLimited(request, MAX_UPLOAD_BYTES, "The contact list");
  const { items, errors } = type === "text/csv" ? fromCsv(text) : fromJson(text);
  if (items.length + errors.length > MAX_UPLOAD_ROWS)
    throw new ApiError(413, `At most ${MAX_UPLOAD_ROWS} contacts per upload`, { limitRows: MAX_UPLOAD_ROWS });
  const seen = new Set<string>();
  const rows: UploadRow[] = [];
  const repeated: ParsedUpload["repeated"] = [];
  for (const it of items) {
    const number = normalizePhone(it.number);
    if (!number) {
      const line = "line" in it ? it.line : undefined;
      errors.push(rowError(it.row, "number", `not a phone number in international form: "${it.number}"`, line));
    } else if (seen.has(number)) repeated.push({ row: it.row, number });
    else {
      seen.add(number);
      rows.push({ row: it.row, number, metadataJson: it.metadata ? JSON.stringify(it.metadata) : null });
    }
  }
  errors.sort((a, b) => a.row - b.row);
  return { rows, errors, repeated };
}
