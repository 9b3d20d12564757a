// RSS 2.0 documents. Everything a user wrote is escaped as XML text (never CDATA, which a "]]>"
// in a title would end) and stripped of the characters XML 1.0 cannot carry at all.
import { contentTypeFor } from "#contract/media-layout.ts";

// XML 1.0 allows tab, newline, carriage return and everything from U+0020 except U+FFFE/U+FFFF;
// lone surrogates never reach here (validate.ts refuses them on input).
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export type RssItem = { title: string; link: string; guid: string; description: string; pubDate: Date; imageUrl: string | null; imageKey: string | null };
export type RssChannel = { title: string; link: string; selfUrl: string; description: string; items: RssItem[] };

const element = (name: string, text: string) => `<${name}>${xmlEscape(text)}</${name}>`;

function item(entry: RssItem): string {
  const parts = [
    element("title", entry.title),
    element("link", entry.link),
    `<guid isPermaLink="true">${xmlEscape(entry.guid)}</guid>`,
    element("description", entry.description),
    // RFC 822 dates, as RSS 2.0 requires (toUTCString gives "Tue, 01 Dec 2026 00:00:00 GMT").
    element("pubDate", entry.pubDate.toUTCString()),
  ];
  // The poster as the item's enclosure; its byte length is not known here, which RSS readers accept as 0.
  if (entry.imageUrl && entry.imageKey) parts.push(`<enclosure url="${xmlEscape(entry.imageUrl)}" length="0" type="${xmlEscape(contentTypeFor(entry.imageKey))}"/>`);
  return `<item>${parts.join("")}</item>`;
}

export function renderRss(channel: RssChannel): string {
  const newest = channel.items[0]?.pubDate;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>`,
    element("title", channel.title),
    element("link", channel.link),
    element("description", channel.description || channel.title),
    `<atom:link href="${xmlEscape(channel.selfUrl)}" rel="self" type="application/rss+xml"/>`,
    newest ? element("lastBuildDate", newest.toUTCString()) : "",
    ...channel.items.map(item),
    `</channel></rss>`,
    "",
  ].join("\n");
}
