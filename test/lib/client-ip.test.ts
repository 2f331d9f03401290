import { describe, expect, it } from "vitest";
import { clientIpKey, isLoopback } from "../../src/lib/client-ip";

const key = (ip?: string) =>
  clientIpKey(new Request("https://voicedesk.test/", { headers: ip === undefined ? {} : { "CF-Connecting-IP": ip } }));

describe("clientIpKey", () => {
  it("has no key without a real client address: none, or a loopback one", () => {
    for (const ip of [undefined, "", "  ", "127.0.0.1", "127.255.1.2", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) {
      expect(key(ip), String(ip)).toBeNull();
    }
  });

  it("counts an IPv4 address as itself and an IPv6 address by its /64", () => {
    expect(key("198.51.100.7")).toBe("198.51.100.7");
    expect(key(" 203.0.113.9 ")).toBe("203.0.113.9");
    expect(key("2001:db8:77:1::5")).toBe("2001:db8:77:1::/64");
    expect(key("2001:0DB8:0077:0001:0:ffff:1:2")).toBe("2001:db8:77:1::/64");
    expect(key("::2")).toBe("0:0:0:0::/64");
    expect(key("not-an-ip")).toBe("not-an-ip");
  });
});

describe("isLoopback", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["::1", true],
    ["0000:0000:0000:0000:0000:0000:0000:0001", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:7f00:1", true],
    ["128.0.0.1", false],
    ["10.0.0.1", false],
    ["1127.0.0.1", false],
    ["::", false],
    ["::2", false],
    ["1::1", false],
    ["::ffff:10.0.0.1", false],
    ["2001:db8::1", false],
    ["not-an-ip", false],
    ["1:2:3:4:5:6:7:8:9", false],
  ])("%s → %s", (ip, loopback) => {
    expect(isLoopback(ip)).toBe(loopback);
  });
});
