// One client for counting purposes (rate limits, view dedupe): an IPv4 address, or the /64 network
// of an IPv6 address, since one subscriber usually holds a whole /64 and can pick any address in it.
/** The part of an address that identifies one subscriber: IPv4 whole, IPv6 its /64 prefix. */
export function addressBucket(address: string): string {
  const value = address.trim().toLowerCase();
  if (!value.includes(":")) return value;
  // An IPv4 address written as IPv6 (::ffff:192.0.2.1, NAT64) is that IPv4 address.
  if (value.includes(".")) return value.slice(value.lastIndexOf(":") + 1);
  const [head = "", tail] = value.split("::", 2) as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

