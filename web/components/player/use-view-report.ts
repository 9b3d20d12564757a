// View reporting: real playback accumulated from timeupdate, reported once past the threshold
// (10 seconds, or half of a shorter video).
import { useRef } from "react";
import { callApi } from "../../lib/client-api";

export function useViewReport(videoId: string, durationSeconds: number | null) {
  const watched = useRef({ seconds: 0, last: null as number | null, sent: false });

  const onTimeUpdate = (el: HTMLVideoElement) => {
    const t = el.currentTime;
    const w = watched.current;
    if (w.last !== null && !el.paused && !el.seeking) {
      const d = t - w.last;
      if (d > 0 && d < 1.5 * Math.max(1, el.playbackRate)) w.seconds += d;
    }
    w.last = t;
    const known = durationSeconds || (Number.isFinite(el.duration) ? el.duration : 0) || 20;
    if (!w.sent && w.seconds >= Math.min(10, known / 2)) {
      w.sent = true;
      void callApi(`/api/videos/${videoId}/views`, {
        method: "POST",
        body: JSON.stringify({ watchedSeconds: Math.round(w.seconds * 10) / 10 }),
        keepalive: true,
      }).catch(() => (w.sent = false));
    }
  };

  /** A seek is not playback: the next timeupdate starts counting afresh. */
  const onSeeking = () => {
    watched.current.last = null;
  };

  return { onTimeUpdate, onSeeking };
}
