// Cache-Control per kind of media object. Segments and init files never change once written;
// playlists still growing change every few seconds; finished ones are stable.
export function cacheControlFor(key: string, opts: { playlistEnded?: boolean; signedUntil?: number }): string {
  const scope = opts.signedUntil ? "private" : "public";
  const cap = (seconds: number) =>
    opts.signedUntil ? Math.max(0, Math.min(seconds, opts.signedUntil - Math.floor(Date.now() / 1000))) : seconds;
  if (key.endsWith(".m3u8")) {
    if (key.endsWith("/master.m3u8")) return `${scope}, max-age=${cap(60)}`;
    return opts.playlistEnded ? `${scope}, max-age=${cap(86400)}` : `${scope}, max-age=1`;
  }
  if (key.endsWith(".vtt")) return `${scope}, max-age=${cap(3600)}`;
  return `${scope}, max-age=${cap(31536000)}, immutable`;
}
