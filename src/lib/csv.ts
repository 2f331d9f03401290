/**
 * CSV as RFC 4180 writes it (and spreadsheets export it): comma-separated fields, fields in double quotes may hold
 * commas, line breaks and doubled quotes; CRLF or LF line ends; a leading byte-order mark is dropped. Blank lines
 * are skipped. A quote inside an unquoted field, text after a closing quote, or an unclosed quote is an error
 * naming its line, so a malformed row is reported rather than guessed at.
 */

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "CsvError";
  }
}

export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let start = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== "") records.push({ line: start, fields });
    fields = [];
    field = "";
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      if (field !== "") throw new CsvError("a quote inside an unquoted field", line);
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvError("a quoted field is never closed", quoteLine);
        const q = text[i]!;
        if (q === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (q === '"') {
          i++;
          break;
        } else {
          if (q === "\n") line++;
          field += q;
          i++;
        }
      }
      const next = text[i];
      if (next !== undefined && next !== "," && next !== "\n" && next !== "\r")
        throw new CsvError("text after a closing quote", line);
      continue;
    }
    if (ch === ",") {
      fields.push(field);
      field = "";
      i++;
    } else if (ch === "\r" || ch === "\n") {
      endRecord();
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      start = line;
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== "" || fields.length > 0) endRecord();
  return records;
}
