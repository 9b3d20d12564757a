// Cue text sanitising: only WebVTT's own markup survives — <b> <i> <u> <c.class> <v Speaker>
// <lang tag> <ruby> <rt> and timestamp tags — every other tag (<script>, <font>, <img …>) is
// dropped while the text around and inside it stays. Entities are kept only when WebVTT knows
// them; a stray "&", "<" or ">" is escaped. Closing tags must match an open one; what is left
// open is closed at the end. The result is valid WebVTT cue text whatever came in. Players render
// it through TextTrack cues (never as HTML), so this is about a clean file, not about escaping.

const ALLOWED = new Set(["c", "i", "b", "u", "v", "lang", "ruby", "rt"]);
const CLASS = /^[A-Za-z0-9_-]{1,32}$/;
const LANG_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,6}$/;
const TIMESTAMP_TAG = /^(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}$/;
const NAMED_ENTITIES = new Set(["amp", "lt", "gt", "lrm", "rlm", "nbsp"]);

/** Plain text as WebVTT cue text: every "&", "<" and ">" escaped, so nothing in it is markup. */
export const escapeText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Escapes "&" unless it starts an entity WebVTT knows; "<" and ">" always. */
function cleanText(text: string): string {
  return text.replace(/&(?:([A-Za-z]{1,8})|#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6}));|[&<>]/g, (match, name?: string, dec?: string, hex?: string) => {
    if (name && NAMED_ENTITIES.has(name)) return match;
    const code = dec ? Number(dec) : hex ? parseInt(hex, 16) : NaN;
    if (Number.isFinite(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) return match;
    return escapeText(match);
  });
}

/** One start tag, or null when it is not WebVTT markup (then it is dropped). */
function startTag(inner: string): { name: string; text: string } | null {
  if (TIMESTAMP_TAG.test(inner)) return { name: "", text: `<${inner}>` };
  const match = /^([A-Za-z]+)((?:\.[^\s.]+)*)(?:[ \t](.*))?$/s.exec(inner);
  if (!match) return null;
  const name = match[1]!.toLowerCase();
  if (!ALLOWED.has(name)) return null;
  const classes = (match[2] ?? "").split(".").filter(Boolean).filter((c) => CLASS.test(c));
  const annotation = (match[3] ?? "").replace(/\s+/g, " ").trim();
  let tail = "";
  if (name === "v") {
    if (annotation) tail = ` ${escapeText(annotation).slice(0, 100)}`;
  } else if (name === "lang") {
    if (!LANG_TAG.test(annotation)) return null;
    tail = ` ${annotation}`;
  }
  return { name, text: `<${name}${classes.map((c) => `.${c}`).join("")}${tail}>` };
}

/** Sanitised cue text (lines joined with "\n"). */
export function sanitiseCueText(raw: string): string {
  let out = "";
  const open: string[] = [];
  let i = 0;
  // The next ">" at or after a position, found once per stretch (a run of "<" without ">" stays linear).
  let gtAt = -2;
  while (i < raw.length) {
    const lt = raw.indexOf("<", i);
    if (lt < 0) {
      out += cleanText(raw.slice(i));
      break;
    }
    out += cleanText(raw.slice(i, lt));
    if (gtAt !== -1 && gtAt <= lt) gtAt = raw.indexOf(">", lt + 1);
    const gt = gtAt;
    const nextLt = raw.indexOf("<", lt + 1);
    if (gt < 0 || (nextLt >= 0 && nextLt < gt) || /\s/.test(raw[lt + 1] ?? " ")) {
      // Not a tag ("a < b", or "<" with no ">" before the next "<"): a literal "<".
      out += "&lt;";
      i = lt + 1;
      continue;
    }
    const inner = raw.slice(lt + 1, gt).trimEnd();
    i = gt + 1;
    if (inner.startsWith("/")) {
      const name = inner.slice(1).trim().toLowerCase();
      const at = open.lastIndexOf(name);
      if (at < 0) continue;
      while (open.length > at) out += `</${open.pop()}>`;
      continue;
    }
    const tag = startTag(inner);
    if (!tag) continue;
    out += tag.text;
    if (tag.name) open.push(tag.name);
  }
  while (open.length) out += `</${open.pop()}>`;
  return out;
}

/** The cue text without markup (for length checks and tests). */
export const plainCueText = (text: string): string => text.replace(/<[^>]*>/g, "");
