// What the <video> element reports, as React state: play/pause, time, duration, buffer, volume,
// speed. `events` are its handlers; `adopt` reads an element that was already playing (the boot
// script may start playback before hydration).
import { useCallback, useState, type RefObject } from "react";
import { VOLUME_KEY } from "./hls-loader";

const bufferedEnd = (el: HTMLVideoElement) => (el.buffered.length ? el.buffered.end(el.buffered.length - 1) : null);

export function useMediaState(media: RefObject<HTMLVideoElement | null>, initial: { time: number; duration: number }) {
  const [paused, setPaused] = useState(true);
  const [started, setStarted] = useState(false);
  const [hasPlayed, setHasPlayed] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [time, setTime] = useState(initial.time);
  const [duration, setDuration] = useState(initial.duration);
  const [buffered, setBuffered] = useState(0);
  const [volume, setVolume] = useState(1);
  const [muted, setMuted] = useState(false);
  const [rate, setRate] = useState(1);

  const adopt = useCallback((el: HTMLVideoElement) => {
    setVolume(el.volume);
    setMuted(el.muted);
    setPaused(el.paused);
    if (!el.paused || el.currentTime > 0) setStarted(true);
    if (!el.paused && el.currentTime > 0) setHasPlayed(true); // began before hydration
  }, []);

  const readBuffered = (el: HTMLVideoElement) => {
    const end = bufferedEnd(el);
    if (end !== null) setBuffered(end);
  };
  const readDuration = () => {
    const el = media.current!;
    if (Number.isFinite(el.duration) && el.duration > 0) setDuration(el.duration);
    else if (el.seekable.length) setDuration(el.seekable.end(el.seekable.length - 1));
  };

  const seekTo = (t: number) => {
    if (media.current) media.current.currentTime = t;
    setTime(t);
  };
  const chooseRate = (value: number) => {
    setRate(value);
    if (media.current) media.current.playbackRate = value;
  };

  const events = {
    onPlay: () => {
      setPaused(false);
      setStarted(true);
    },
    onPause: () => setPaused(true),
    onPlaying: () => {
      setWaiting(false);
      setHasPlayed(true);
    },
    onWaiting: () => setWaiting(true),
    onCanPlay: () => setWaiting(false),
    onTimeUpdate: () => {
      const el = media.current!;
      setTime(el.currentTime);
      readBuffered(el);
    },
    onDurationChange: readDuration,
    onLoadedMetadata: readDuration,
    onProgress: () => {
      readBuffered(media.current!);
      readDuration();
    },
    onVolumeChange: () => {
      const el = media.current!;
      setVolume(el.volume);
      setMuted(el.muted);
      try {
        localStorage.setItem(VOLUME_KEY, JSON.stringify({ volume: el.volume, muted: el.muted }));
      } catch {
        // Storage unavailable: the choice lasts for this page only.
      }
    },
    onRateChange: () => setRate(media.current!.playbackRate),
  };

  return { paused, started, hasPlayed, waiting, time, duration, buffered, volume, muted, rate, adopt, seekTo, chooseRate, events };
}
