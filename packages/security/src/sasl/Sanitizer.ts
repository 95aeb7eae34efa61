/**
 * Kafka's Sanitizer: how a user (or client id) name becomes a znode name under /config/users —
 * URL encoding as java.net.URLEncoder does it in UTF-8, then `+` → `%20` and `*` → `%2A` — and back.
 */
export function sanitize(name: string): string {
  let out = '';
  for (const ch of name) {
    if (/[A-Za-z0-9._\-~]/.test(ch)) out += ch === '~' ? '%7E' : ch;
    else if (ch === ' ') out += '%20';
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function desanitize(name: string): string {
  return decodeURIComponent(name);
}
