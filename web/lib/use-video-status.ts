// Live status of videos still on their way (uploading, queued, processing): each is polled while
// the page is visible until it is ready or failed, without reloading the page. Used by the studio
// list, the upload page (after the upload) and the watch page (a video still being processed).
import { useEffect, useMemo, useRef, useState } from "react";
import { callApi } from "./client-api";
import type { Video } from "./types";

const ACTIVE = new Set<Video["status"]>(["uploading", "queued", "processing"]);

/** Still uploading or being processed: its status will change. */
export const isActive = (video: Pick<Video, "status">) => ACTIVE.has(video.status);

type Options = {
  /** How often to ask, in milliseconds. */
  intervalMs?: number;
  /** Keep the media URLs the page started with (a private video's signed prefix rotates). */
  keepPlayback?: boolean;
};

/** A polled copy, valid while the loader still hands out the same source object; null: gone (404). */
type Polled = { source: Video; video: Video | null };

async function fetchVideo(id: string): Promise<{ id: string; video: Video | null } | null> {
  try {
    const res = await callApi(`/api/videos/${id}`);
    if (res.status === 404) return { id, video: null };
    return res.ok ? { id, video: (await res.json()) as Video } : null;
  } catch {
    return null; // Offline for a moment: try again on the next tick.
  }
}

/**
 * The latest copy of each of `sources` (fresh loader data replaces what was polled); a video the
 * API no longer has is left out.
 */
export function useVideoStatuses(sources: readonly Video[], { intervalMs = 2000, keepPlayback = false }: Options = {}): Video[] {
  const [polled, setPolled] = useState<ReadonlyMap<string, Polled>>(() => new Map());
  const videos = useMemo(
    () =>
      sources.flatMap((source) => {
        const p = polled.get(source.id);
        if (!p || p.source !== source) return [source];
        return p.video ? [p.video] : [];
      }),
    [sources, polled],
  );
  const current = useRef(sources);
  current.current = sources;

  const active = videos.filter(isActive).map((v) => v.id);
  const activeKey = active.join(",");
  useEffect(() => {
    if (!active.length) return;
    let stopped = false;
    const tick = async () => {
      if (document.hidden) return;
      const updates = await Promise.all(active.map(fetchVideo));
      if (stopped) return;
      setPolled((prev) => {
        const next = new Map(prev);
        for (const u of updates) {
          const source = u && current.current.find((s) => s.id === u.id);
          if (!u || !source) continue;
          const before = prev.get(u.id);
          const shown = before?.source === source ? (before.video ?? source) : source;
          const video = u.video && keepPlayback ? { ...u.video, playback: shown.playback ?? u.video.playback } : u.video;
          next.set(u.id, { source, video });
        }
        return next;
      });
    };
    const timer = setInterval(tick, intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [activeKey, intervalMs]);

  return videos;
}

/** One video's latest copy (the video itself while nothing newer has been polled, or if it is gone). */
export function useVideoStatus<V extends Video | null>(source: V, options?: Options): V {
  const sources = useMemo(() => (source ? [source] : []), [source]);
  const [latest] = useVideoStatuses(sources, options);
  return (source && latest ? latest : source) as V;
}
