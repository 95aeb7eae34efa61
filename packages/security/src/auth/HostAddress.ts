import { isIPv6 } from 'node:net';

/**
 * A client's address as Kafka sees it (Java's InetAddress.getHostAddress): what ACL hosts are
 * compared with, exactly, and what the audit log shows. Node writes an IPv4 client of a
 * dual-stack listener as `::ffff:10.0.0.5` and IPv6 in RFC 5952 short form (`::1`); Java writes
 * `10.0.0.5` and all eight groups in lower-case hex without leading zeros (`0:0:0:0:0:0:0:1`). An
 * ACL written for Kafka (`--allow-host 10.0.0.5`) must match the same client here.
 */
export function javaHostAddress(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  const percent = address.indexOf('%');
  const ip = percent < 0 ? address : address.slice(0, percent);
  const scope = percent < 0 ? '' : address.slice(percent);
  if (!isIPv6(ip)) return address;
  return expandIpv6(ip).join(':') + scope;
}

/** The eight groups of an IPv6 address, each as Java's Integer.toHexString writes it. */
function expandIpv6(ip: string): string[] {
  let head = ip;
  let tail = '';
  const gap = ip.indexOf('::');
  if (gap >= 0) {
    head = ip.slice(0, gap);
    tail = ip.slice(gap + 2);
  }
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        // an embedded IPv4 tail (::1.2.3.4): two groups
        const [a, b, c, d] = g.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  const all = gap >= 0 ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  return all.map((n) => n.toString(16));
}
