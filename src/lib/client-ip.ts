/**
 * The key a client's address is counted under: the IPv4 address, or the /64 prefix of an IPv6 one (a single host
 * usually holds a whole /64, so counting full addresses would let it rotate freely). Null when there is no real
 * client address to count: no CF-Connecting-IP, or a loopback one (127.0.0.0/8, ::1). Cloudflare sets
 * CF-Connecting-IP on every request it forwards, to the address the request came from (a client cannot set it),
 * and that is never a loopback address; only local runs (wrangler dev, tests on 127.0.0.1) have none, where one
 * shared key would let one client's requests use up every other's budget.
 */
export function clientIpKey(request: Request): string | null {
  const ip = request.headers.get("CF-Connecting-IP")?.trim() ?? "";
  if (!ip || isLoopback(ip)) return null;
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::", 2);
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") && tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail is two of them), or null when it is none. */
function ipv6Groups(ip: string): number[] | null {
  let s = ip.toLowerCase();
  const v4 = /(?:^|:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, s.length - v4[0].length)}:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < 0) return null;
  const groups = [...left, ...Array<string>(fill).fill("0"), ...right];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}

/** 127.0.0.0/8 or ::1, in any spelling (also an IPv4-mapped ::ffff:127.x.x.x). */
export function isLoopback(ip: string): boolean {
  const v4 = IPV4.exec(ip);
  if (v4) return v4[1] === "127";
  const g = ipv6Groups(ip);
  if (!g || g.slice(0, 5).some((x) => x !== 0)) return false;
  if (g[5] === 0 && g[6] === 0) return g[7] === 1;
  return g[5] === 0xffff && g[6]! >> 8 === 127;
}
