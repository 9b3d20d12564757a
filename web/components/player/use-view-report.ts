// View reporting: real playback accumulated from timeupdate in wall-clock seconds (media time
// divided by the playback rate, so 2× speed does not claim more time than passed), reported once
// past the threshold (10 seconds, or half of a shorter video) with the page's view token. A token
// that has expired (a page left open for hours) is swapped for a fresh one and counting restarts,
// since the server only accepts watch time that fits in the time since its token was issued.
import { useRef } from "react";
import { callApi } from "../../lib/client-api";
import type { Video } from "../../lib/types";

export function useViewReport(videoId: string, durationSeconds: number | null, viewToken: string | undefined) {
  const watched = useRef({ seconds: 0, last: null as number | null, sent: false, token: viewToken });

  async function renewToken() {
    const res = await callApi(`/api/videos/${videoId}`);
    const fresh = res.ok ? ((await res.json()) as Video).viewToken : undefined;
    watched.current = { seconds: 0, last: null, sent: !fresh, token: fresh };
  }

  async function report(seconds: number) {
    const w = watched.current;
    const res = await callApi(`/api/videos/${videoId}/views`, {
      method: "POST",
      body: JSON.stringify({ watchedSeconds: Math.round(seconds * 10) / 10, viewToken: w.token }),
      keepalive: true,
    });
    if (res.status === 422) await renewToken();
    else if (res.status === 429 || res.status >= 500) w.sent = false; // try again on a later timeupdate
  }

  const onTimeUpdate = (el: HTMLVideoElement) => {
    const t = el.currentTime;
    const w = watched.current;
    if (w.last !== null && !el.paused && !el.seeking) {
      const rate = Math.max(1, el.playbackRate);
      const d = t - w.last;
      if (d > 0 && d < 1.5 * rate) w.seconds += d / rate;
    }
    w.last = t;
    const known = durationSeconds || (Number.isFinite(el.duration) ? el.duration : 0) || 20;
    if (!w.sent && w.token && w.seconds >= Math.min(10, known / 2)) {
      w.sent = true;
      void report(w.seconds).catch(() => (w.sent = false));
    }
  };

  /** A seek is not playback: the next timeupdate starts counting afresh. */
  const onSeeking = () => {
    watched.current.last = null;
  };

  return { onTimeUpdate, onSeeking };
}
