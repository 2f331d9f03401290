import { describe, expect, it } from "vitest";
import { CsvError, parseCsv } from "../../src/lib/csv";

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe("parseCsv (RFC 4180)", () => {
  it("reads plain and quoted fields, CRLF or LF, a BOM, and skips blank lines", () => {
    expect(fields('\uFEFFnumber,name\r\n+32470000001,Ann\n\n"+32 470 00 00 02","Smith, Bob"\r\n')).toEqual([
      ["number", "name"],
      ["+32470000001", "Ann"],
      ["+32 470 00 00 02", "Smith, Bob"],
    ]);
  });

  it("keeps doubled quotes, line breaks inside quotes and empty fields, and numbers records by their first line", () => {
    const recs = parseCsv('a,b,c\n"say ""hi""","two\nlines",\n,,x');
    expect(recs).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ['say "hi"', "two\nlines", ""] },
      { line: 4, fields: ["", "", "x"] },
    ]);
  });

  it("reads a last line without a line end, and a file of nothing as no records", () => {
    expect(fields("a\nb")).toEqual([["a"], ["b"]]);
    expect(fields("")).toEqual([]);
  });

  it("names the line of a malformed record", () => {
    const err = (text: string) => {
      try {
        parseCsv(text);
      } catch (e) {
        return e instanceof CsvError ? e.message : String(e);
      }
      return "parsed";
    };
    expect(err('a\nb"c\n')).toBe("line 2: a quote inside an unquoted field");
    expect(err('a\n"b"c\n')).toBe("line 2: text after a closing quote");
    expect(err('a\nb\n"never closed\n')).toBe("line 3: a quoted field is never closed");
  });
});
