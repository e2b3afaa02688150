import ipaddr from 'ipaddr.js';

/**
 * Every rule about which hosts and addresses this service may connect to, in one place.
 *
 * A caller-supplied URL (a webhook `callbackUrl`) must not reach inside the network the service
 * runs in. Addresses are judged on their bytes, not their spelling: the URL parser rewrites
 * `[::ffff:10.0.0.1]` to `[::ffff:a00:1]`, and `0x7f.1` to `127.0.0.1`, so every IPv4 address
 * embedded in an IPv6 one is unwrapped and judged as IPv4.
 */
export type AddressClass = 'public' | 'loopback' | 'internal';

// Azure's wire server (DHCP, DNS, the VM agent, health probes): a unicast address no tenant's app may reach.
const AZURE_WIRESERVER = ipaddr.IPv4.parse('168.63.129.16');

/** Whether a string is an IP address in any notation ipaddr.js reads (brackets and a zone id allowed). */
function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : undefined;
}

/**
 * The IPv4 address an IPv6 address carries, for the forms that route to it:
 * mapped `::ffff:0:0/96`, compatible `::/96` (RFC 4291, deprecated), translated `::ffff:0:0:0/96`
 * (RFC 2765), NAT64 `64:ff9b::/96` (RFC 6052) and 6to4 `2002::/16` (RFC 3056).
 */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = v6.parts;
  const fromWords = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const zeros = (from: number, to: number) => p.slice(from, to).every((w) => w === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return fromWords(p[6]!, p[7]!); // mapped
  if (zeros(0, 6) && !(p[6] === 0 && p[7]! <= 1)) return fromWords(p[6]!, p[7]!); // compatible (not :: or ::1)
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return fromWords(p[6]!, p[7]!); // translated
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) return fromWords(p[6]!, p[7]!); // NAT64 well-known prefix
  if (p[0] === 0x2002) return fromWords(p[1]!, p[2]!); // 6to4
  return undefined;
}

function classifyIPv4(v4: ipaddr.IPv4): AddressClass {
  const range = v4.range();
  if (range === 'loopback') return 'loopback';
  // Everything ipaddr.js does not call unicast is refused: private, link-local (the metadata
  // address 169.254.169.254), CGNAT 100.64/10, 0/8, benchmarking 198.18/15, multicast, 240/4, broadcast.
  if (range !== 'unicast' || v4.toString() === AZURE_WIRESERVER.toString()) return 'internal';
  return 'public';
}

/** What an IP address is, or undefined when the text is not an IP address. */
export function classifyAddress(text: string): AddressClass | undefined {
  const ip = parseIp(text);
  if (!ip) return undefined;
  if (ip.kind() === 'ipv4') return classifyIPv4(ip as ipaddr.IPv4);
  const v6 = ip as ipaddr.IPv6;
  if (v6.zoneId) return 'internal'; // a zone id means a link-scoped address
  const v4 = embeddedIPv4(v6);
  if (v4) return classifyIPv4(v4);
  const range = v6.range();
  if (range === 'loopback') return 'loopback';
  // Refused: unspecified, link-local, site-local, ULA fc00::/7, multicast, Teredo, the local-use
  // NAT64 prefix 64:ff9b:1::/48, documentation and every other special-purpose block.
  return range === 'unicast' ? 'public' : 'internal';
}

/** `localhost` and `*.localhost` always mean this machine (RFC 6761). */
const isLoopbackName = (hostname: string) => /(^|\.)localhost\.?$/i.test(hostname);

/** What a URL's host names: an address class, or `name` for a DNS name judged when it is resolved. */
export function classifyHost(hostname: string): AddressClass | 'name' {
  if (isLoopbackName(hostname)) return 'loopback';
  return classifyAddress(hostname) ?? 'name';
}

/** Whether the service may connect to this address: public ones, and loopback when allowed. */
export function isAllowedAddress(ip: string, allowLoopback: boolean): boolean {
  const kind = classifyAddress(ip);
  return kind === 'public' || (allowLoopback && kind === 'loopback');
}

/**
 * Why a URL of the service's own settings (Graph, OpenID metadata) is refused, if it is:
 * https only, or http on loopback when `ALLOW_LOOPBACK_URLS` is set for local development.
 */
export function settingUrlProblem(value: unknown, allowLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && allowLoopback && classifyHost(url.hostname) === 'loopback') return undefined;
  return allowLoopback ? 'must be https, or http on a loopback address' : 'must be an https URL';
}

/**
 * Why a caller-supplied URL the service will POST to is refused, if it is. Names are judged
 * again at connect time on every address they resolve to (postJson), since DNS may change.
 */
export function callbackUrlProblem(url: URL, allowLoopback: boolean): string | undefined {
  const host = classifyHost(url.hostname);
  if (url.protocol !== 'https:' && !(allowLoopback && url.protocol === 'http:' && host === 'loopback'))
    return 'must be an https URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (host === 'internal' || (host === 'loopback' && !allowLoopback)) {
    return 'must not point to a loopback, private, link-local or other internal address';
  }
  return undefined;
}
