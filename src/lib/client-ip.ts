/**
 * The key a client's address is counted under: the IPv4 address, or the /64 prefix of an IPv6 one (a single host
 * usually holds a whole /64, so counting full addresses would let it rotate freely). Cloudflare sets
 * CF-Connecting-IP on every request it forwards; without it (local runs) every client shares one key.
 */
export function clientIpKey(request: Request): string {
  const ip = request.headers.get("CF-Connecting-IP")?.trim() ?? "";
  if (!ip.includes(":")) return ip || "unknown";
  const [head = "", tail = ""] = ip.toLowerCase().split("::", 2);
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") && tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
