// The video player: poster at once, hls.js (ABR) where Media Source Extensions exist, native HLS
// otherwise; custom controls that work with keyboard and pointer; seek previews; view reporting.
// Without JavaScript the server-rendered <video> carries the playlist and the browser's own controls.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import type HlsType from "hls.js";
import { callApi } from "../../lib/client-api";
import { formatDuration } from "../../lib/format";
import { VIDEO_ELEMENT_ID, VOLUME_KEY, bootInBrowser, bootScript, type BootConfig, type PlayerElement } from "./hls-loader";
import { cueAt, parseStoryboard, type StoryboardCue } from "./storyboard";
import { useNonce } from "../../lib/nonce";

export type PlayerVideo = {
  id: string;
  title: string;
  durationSeconds: number | null;
  processing: boolean;
  playback: { hls: string; poster: string | null; storyboard: string | null };
};

type Level = { index: number; height: number; bitrate: number };

const SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false" fill="currentColor">
      <path d={d} />
    </svg>
  );
}
const ICONS = {
  play: "M8 5v14l11-7z",
  pause: "M6 5h4v14H6zm8 0h4v14h-4z",
  volume: "M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z",
  muted: "M3 9v6h4l5 5V4L7 9H3zm13.6 3 2.7-2.7-1.4-1.4-2.7 2.7-2.7-2.7-1.4 1.4 2.7 2.7-2.7 2.7 1.4 1.4 2.7-2.7 2.7 2.7 1.4-1.4z",
  full: "M7 14H5v5h5v-2H7v-3zm-2-4h2V7h3V5H5v5zm12 7h-3v2h5v-5h-2v3zM14 5v2h3v3h2V5h-5z",
  exitFull: "M5 16h3v3h2v-5H5v2zm3-8H5v2h5V5H8v3zm6 11h2v-3h3v-2h-5v5zm2-11V5h-2v5h5V8h-3z",
  settings:
    "M19.4 13a7.5 7.5 0 0 0 0-2l2.1-1.6-2-3.4-2.5 1a7.3 7.3 0 0 0-1.7-1L15 3h-4l-.3 2.6a7.3 7.3 0 0 0-1.7 1l-2.5-1-2 3.4L6.6 11a7.5 7.5 0 0 0 0 2l-2.1 1.6 2 3.4 2.5-1a7.3 7.3 0 0 0 1.7 1L11 21h4l.3-2.6a7.3 7.3 0 0 0 1.7-1l2.5 1 2-3.4zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z",
};

export function Player({ video, autoPlay = true, startAt }: { video: PlayerVideo; autoPlay?: boolean; startAt?: number }) {
  const nonce = useNonce();
  const media = useRef<HTMLVideoElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const hlsRef = useRef<HlsType | null>(null);
  const [enhanced, setEnhanced] = useState(false);
  const [paused, setPaused] = useState(true);
  const [started, setStarted] = useState(false);
  const [hasPlayed, setHasPlayed] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [time, setTime] = useState(startAt ?? 0);
  const [duration, setDuration] = useState(video.durationSeconds ?? 0);
  const [buffered, setBuffered] = useState(0);
  const [volume, setVolume] = useState(1);
  const [muted, setMuted] = useState(false);
  const [rate, setRate] = useState(1);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(-1); // -1: automatic
  const [playingLevel, setPlayingLevel] = useState(-1);
  const [fullscreen, setFullscreen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [idle, setIdle] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [cues, setCues] = useState<StoryboardCue[]>([]);
  const [hover, setHover] = useState<{ x: number; time: number } | null>(null);
  const [announce, setAnnounce] = useState("");

  const { hls: src, poster, storyboard } = video.playback;

  useEffect(() => setEnhanced(true), []);

  // The same on the server and in the browser: the boot script in the HTML must not differ.
  const boot: BootConfig = { src, start: startAt ?? (video.processing ? 0 : -1), autoplay: autoPlay };

  // Adopt the playback the boot script started (or start it now, after a client-side navigation).
  useEffect(() => {
    const el = media.current as PlayerElement | null;
    if (!enhanced || !el) return;
    if (!el.__ev) bootInBrowser(boot, nonce);
    let cancelled = false;
    setVolume(el.volume);
    setMuted(el.muted);
    setPaused(el.paused);
    if (!el.paused || el.currentTime > 0) setStarted(true);
    if (!el.paused && el.currentTime > 0) setHasPlayed(true); // began before hydration
    const onFatal = () => setError("This video cannot be played right now. Reload the page to try again.");
    el.addEventListener("ev-fatal", onFatal);
    void el.__ev?.then((booted) => {
      if (cancelled || !booted) return;
      const { Hls, hls } = booted;
      hlsRef.current = hls;
      const sync = () => setLevels(hls.levels.map((l, index) => ({ index, height: l.height, bitrate: l.bitrate })));
      if (hls.levels?.length) sync();
      hls.on(Hls.Events.MANIFEST_PARSED, sync);
      hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => setPlayingLevel(data.level));
      if (hls.currentLevel >= 0) setPlayingLevel(hls.currentLevel);
    });
    return () => {
      cancelled = true;
      el.removeEventListener("ev-fatal", onFatal);
      const running = el.__ev;
      el.__ev = undefined;
      hlsRef.current = null;
      void running?.then((booted) => booted?.hls.destroy());
    };
  }, [enhanced, src]);

  // Storyboard cues for the seek-bar preview: fetched once frames are playing (or the pointer
  // reaches the seek bar), so they never compete with the first segments.
  const [wantCues, setWantCues] = useState(false);
  useEffect(() => {
    if (!storyboard || !(wantCues || hasPlayed)) return;
    let live = true;
    fetch(storyboard)
      .then((r) => (r.ok ? r.text() : ""))
      .then((text) => live && setCues(parseStoryboard(text, storyboard)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [storyboard, wantCues || hasPlayed]);

  // View reporting: real playback accumulated from timeupdate, reported once past the threshold.
  const watched = useRef({ seconds: 0, last: null as number | null, sent: false });
  const onTimeUpdate = () => {
    const el = media.current!;
    const t = el.currentTime;
    setTime(t);
    const w = watched.current;
    if (w.last !== null && !el.paused && !el.seeking) {
      const d = t - w.last;
      if (d > 0 && d < 1.5 * Math.max(1, el.playbackRate)) w.seconds += d;
    }
    w.last = t;
    const known = video.durationSeconds || (Number.isFinite(el.duration) ? el.duration : 0) || 20;
    if (!w.sent && w.seconds >= Math.min(10, known / 2)) {
      w.sent = true;
      void callApi(`/api/videos/${video.id}/views`, {
        method: "POST",
        body: JSON.stringify({ watchedSeconds: Math.round(w.seconds * 10) / 10 }),
        keepalive: true,
      }).catch(() => (w.sent = false));
    }
    if (el.buffered.length) setBuffered(el.buffered.end(el.buffered.length - 1));
  };

  const onDuration = () => {
    const el = media.current!;
    if (Number.isFinite(el.duration) && el.duration > 0) setDuration(el.duration);
    else if (el.seekable.length) setDuration(el.seekable.end(el.seekable.length - 1));
  };

  // Controls fade while playing and the pointer rests; any input brings them back.
  const idleTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const wake = useCallback(() => {
    setIdle(false);
    clearTimeout(idleTimer.current);
    idleTimer.current = setTimeout(() => setIdle(true), 2500);
  }, []);
  useEffect(() => () => clearTimeout(idleTimer.current), []);

  const toggle = useCallback(() => {
    const el = media.current as PlayerElement | null;
    if (!el) return;
    // Pressed before hls.js is attached: play once it is (attaching would cancel an earlier play()).
    if (el.paused || el.ended) void (el.__ev ?? Promise.resolve()).then(() => el.play()).catch(() => undefined);
    else el.pause();
  }, []);
  const seekBy = useCallback((delta: number) => {
    const el = media.current;
    if (!el) return;
    const end = Number.isFinite(el.duration) ? el.duration : el.seekable.length ? el.seekable.end(el.seekable.length - 1) : el.currentTime;
    el.currentTime = Math.min(Math.max(0, el.currentTime + delta), Math.max(0, end - 0.1));
    setAnnounce(`${delta > 0 ? "Forward" : "Back"} ${Math.abs(delta)} seconds`);
  }, []);
  const changeVolume = useCallback((delta: number) => {
    const el = media.current;
    if (!el) return;
    el.volume = Math.min(1, Math.max(0, Math.round((el.volume + delta) * 100) / 100));
    if (el.volume > 0) el.muted = false;
    setAnnounce(`Volume ${Math.round(el.volume * 100)}%`);
  }, []);
  const toggleMute = useCallback(() => {
    const el = media.current;
    if (el) el.muted = !el.muted;
  }, []);
  const toggleFullscreen = useCallback(() => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void wrap.current?.requestFullscreen?.().catch(() => undefined);
  }, []);

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement === wrap.current);
    document.addEventListener("fullscreenchange", onChange);
    return () => document.removeEventListener("fullscreenchange", onChange);
  }, []);

  // Keyboard shortcuts: anywhere on the page except while typing; arrows up/down only inside the player.
  useEffect(() => {
    if (!enhanced) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const target = e.target as HTMLElement;
      const tag = target.tagName;
      const typing = tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable || (tag === "INPUT" && (target as HTMLInputElement).type !== "range");
      if (typing) return;
      const inside = !!wrap.current?.contains(target);
      const onControl = tag === "BUTTON" || tag === "SUMMARY" || tag === "A";
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const isVolumeSlider = target.dataset.role === "volume";
      let handled = true;
      switch (key) {
        case " ":
          if (onControl) return;
          toggle();
          break;
        case "k":
          toggle();
          break;
        case "j":
          seekBy(-10);
          break;
        case "l":
          seekBy(10);
          break;
        case "ArrowLeft":
          if (isVolumeSlider) return;
          seekBy(-5);
          break;
        case "ArrowRight":
          if (isVolumeSlider) return;
          seekBy(5);
          break;
        case "ArrowUp":
          if (!inside || isVolumeSlider) return;
          changeVolume(0.05);
          break;
        case "ArrowDown":
          if (!inside || isVolumeSlider) return;
          changeVolume(-0.05);
          break;
        case "f":
          toggleFullscreen();
          break;
        case "m":
          toggleMute();
          break;
        default:
          handled = false;
      }
      if (handled) {
        e.preventDefault();
        wake();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [enhanced, toggle, seekBy, changeVolume, toggleFullscreen, toggleMute, wake]);

  const chooseLevel = (index: number) => {
    setLevel(index);
    const hls = hlsRef.current;
    if (hls) hls.currentLevel = index;
  };
  const chooseRate = (value: number) => {
    setRate(value);
    if (media.current) media.current.playbackRate = value;
  };

  const seekTrack = useRef<HTMLDivElement>(null);
  const onSeekHover = (clientX: number) => {
    const box = seekTrack.current?.getBoundingClientRect();
    if (!box || !duration) return;
    const fraction = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    setHover({ x: fraction * box.width, time: fraction * duration });
  };
  const hoverCue = hover ? cueAt(cues, hover.time) : undefined;
  const previewWidth = hoverCue?.w ?? 40;
  const trackWidth = seekTrack.current?.clientWidth ?? 0;

  const showControls = !started || paused || !idle || settingsOpen;
  const heightLabel = (h: number) => `${h}p`;
  const currentHeight = levels.find((l) => l.index === playingLevel)?.height;
  const pct = duration ? (time / duration) * 100 : 0;
  const bufferedPct = duration ? Math.min(100, (buffered / duration) * 100) : 0;
  const button = "grid h-10 w-10 place-items-center rounded text-white hover:bg-white/15";

  return (
    <div
      ref={wrap}
      role="region"
      aria-label={`Video player: ${video.title}`}
      className={`group/player relative aspect-video w-full overflow-hidden bg-black ${fullscreen ? "" : "rounded-xl"} ${showControls ? "" : "cursor-none"}`}
      onPointerMove={wake}
      onFocus={wake}
    >
      <video
        ref={media}
        id={VIDEO_ELEMENT_ID}
        className="h-full w-full"
        poster={poster ?? undefined}
        playsInline
        preload="none"
        controls={!enhanced}
        src={src}
        aria-label={video.title}
        onClick={enhanced ? toggle : undefined}
        onDoubleClick={enhanced ? toggleFullscreen : undefined}
        onPlay={() => {
          setPaused(false);
          setStarted(true);
          wake();
        }}
        onPause={() => setPaused(true)}
        onPlaying={() => {
          setWaiting(false);
          setHasPlayed(true);
          // Small buffer for a fast start; once playing, keep more ahead.
          const hls = hlsRef.current;
          if (hls && hls.config.maxBufferLength < 30) hls.config.maxBufferLength = 30;
        }}
        onWaiting={() => setWaiting(true)}
        onCanPlay={() => setWaiting(false)}
        onTimeUpdate={onTimeUpdate}
        onSeeking={() => (watched.current.last = null)}
        onDurationChange={onDuration}
        onLoadedMetadata={onDuration}
        onProgress={() => {
          const el = media.current!;
          if (el.buffered.length) setBuffered(el.buffered.end(el.buffered.length - 1));
          onDuration();
        }}
        onVolumeChange={() => {
          const el = media.current!;
          setVolume(el.volume);
          setMuted(el.muted);
          try {
            localStorage.setItem(VOLUME_KEY, JSON.stringify({ volume: el.volume, muted: el.muted }));
          } catch {
            // Storage unavailable: the choice lasts for this page only.
          }
        }}
        onRateChange={() => setRate(media.current!.playbackRate)}
        onError={() => {
          if (!hlsRef.current && media.current?.error) setError("This video cannot be played in this browser.");
        }}
      />
      {/* Starts playback as soon as the parser gets here, before hydration (see hls-loader.ts). */}
      <script nonce={nonce} dangerouslySetInnerHTML={{ __html: bootScript(boot) }} suppressHydrationWarning />
      {enhanced && (
        <>
          <p className="sr-only" aria-live="polite">
            {announce}
          </p>
          {waiting && !paused && (
            <div className="pointer-events-none absolute inset-0 grid place-items-center" aria-hidden="true">
              <div className="h-12 w-12 animate-spin rounded-full border-4 border-white/30 border-t-white" />
            </div>
          )}
          {paused && !error && (
            <button
              type="button"
              onClick={toggle}
              aria-label="Play"
              className="absolute left-1/2 top-1/2 grid h-16 w-16 -translate-x-1/2 -translate-y-1/2 place-items-center rounded-full bg-black/70 text-white hover:bg-red-600"
            >
              <svg viewBox="0 0 24 24" width="36" height="36" aria-hidden="true" fill="currentColor">
                <path d={ICONS.play} />
              </svg>
            </button>
          )}
          {error && (
            <div role="alert" className="absolute inset-x-0 top-0 bg-black/85 p-4 text-center text-white">
              {error}
            </div>
          )}
          <div
            className={`absolute inset-x-0 bottom-0 bg-gradient-to-t from-black/90 to-transparent px-3 pb-2 pt-8 transition-opacity focus-within:opacity-100 ${showControls ? "opacity-100" : "opacity-0"}`}
          >
            <div
              ref={seekTrack}
              className="relative h-5"
              onPointerEnter={() => setWantCues(true)}
              onPointerMove={(e) => onSeekHover(e.clientX)}
              onPointerLeave={() => setHover(null)}
            >
              <div className="pointer-events-none absolute inset-x-0 top-2 h-1 rounded bg-white/30">
                <div className="absolute inset-y-0 left-0 rounded bg-white/50" style={{ width: `${bufferedPct}%` }} />
                <div className="absolute inset-y-0 left-0 rounded bg-red-500" style={{ width: `${pct}%` }} />
              </div>
              <input
                type="range"
                min={0}
                max={duration || 0}
                step="any"
                value={Math.min(time, duration || 0)}
                aria-label="Seek"
                aria-valuetext={`${formatDuration(time)} of ${formatDuration(duration)}`}
                onChange={(e) => {
                  const el = media.current;
                  if (el) el.currentTime = Number(e.target.value);
                  setTime(Number(e.target.value));
                }}
                className="absolute inset-0 h-5 w-full cursor-pointer opacity-0"
              />
              {hover && (
                <div
                  className="pointer-events-none absolute bottom-6 flex -translate-x-1/2 flex-col items-center"
                  style={{ left: Math.min(Math.max(hover.x, previewWidth / 2 + 4), Math.max(trackWidth - previewWidth / 2 - 4, previewWidth / 2)) }}
                  aria-hidden="true"
                >
                  {hoverCue && (
                    <div
                      data-testid="seek-preview"
                      className="overflow-hidden rounded border border-white/70 bg-black"
                      style={{
                        width: hoverCue.w,
                        height: hoverCue.h,
                        backgroundImage: `url("${hoverCue.url}")`,
                        backgroundPosition: `-${hoverCue.x}px -${hoverCue.y}px`,
                      }}
                    />
                  )}
                  <span className="mt-1 rounded bg-black/85 px-1.5 text-xs text-white">{formatDuration(hover.time)}</span>
                </div>
              )}
            </div>
            <div className="flex items-center gap-1 text-white">
              <button type="button" className={button} onClick={toggle} aria-label={paused ? "Play (k)" : "Pause (k)"}>
                <Icon d={paused ? ICONS.play : ICONS.pause} />
              </button>
              <button type="button" className={button} onClick={toggleMute} aria-label={muted ? "Unmute (m)" : "Mute (m)"}>
                <Icon d={muted || volume === 0 ? ICONS.muted : ICONS.volume} />
              </button>
              <input
                type="range"
                data-role="volume"
                min={0}
                max={1}
                step={0.05}
                value={muted ? 0 : volume}
                aria-label="Volume"
                aria-valuetext={`${Math.round((muted ? 0 : volume) * 100)}%`}
                onChange={(e) => {
                  const el = media.current;
                  if (!el) return;
                  el.volume = Number(e.target.value);
                  el.muted = el.volume === 0;
                }}
                className="hidden w-20 sm:block"
              />
              <span className="ml-2 text-sm tabular-nums" aria-hidden="true">
                {formatDuration(time)} / {formatDuration(duration)}
              </span>
              {video.processing && <span className="ml-2 rounded bg-amber-500 px-1.5 text-xs font-semibold text-black">PROCESSING</span>}
              <div className="relative ml-auto">
                <button
                  type="button"
                  className={button}
                  aria-label="Settings: quality and speed"
                  aria-expanded={settingsOpen}
                  aria-controls="player-settings"
                  onClick={() => setSettingsOpen((o) => !o)}
                >
                  <Icon d={ICONS.settings} />
                </button>
                {settingsOpen && (
                  <div
                    id="player-settings"
                    className="absolute bottom-12 right-0 z-10 w-56 space-y-3 rounded-lg bg-neutral-900/95 p-3 text-sm shadow-lg"
                    onKeyDown={(e: ReactKeyboardEvent) => {
                      if (e.key === "Escape") setSettingsOpen(false);
                    }}
                  >
                    {levels.length > 0 && (
                      <div className="flex items-center justify-between gap-2">
                        <label htmlFor="player-quality">Quality</label>
                        <select
                          id="player-quality"
                          value={level}
                          onChange={(e) => chooseLevel(Number(e.target.value))}
                          className="rounded border border-neutral-600 bg-neutral-800 px-2 py-1"
                        >
                          <option value={-1}>Auto{level === -1 && currentHeight ? ` (${heightLabel(currentHeight)})` : ""}</option>
                          {[...levels]
                            .sort((a, b) => b.height - a.height)
                            .map((l) => (
                              <option key={l.index} value={l.index}>
                                {heightLabel(l.height)}
                              </option>
                            ))}
                        </select>
                      </div>
                    )}
                    <div className="flex items-center justify-between gap-2">
                      <label htmlFor="player-speed">Speed</label>
                      <select
                        id="player-speed"
                        value={rate}
                        onChange={(e) => chooseRate(Number(e.target.value))}
                        className="rounded border border-neutral-600 bg-neutral-800 px-2 py-1"
                      >
                        {SPEEDS.map((s) => (
                          <option key={s} value={s}>
                            {s === 1 ? "Normal" : `${s}×`}
                          </option>
                        ))}
                      </select>
                    </div>
                  </div>
                )}
              </div>
              <button type="button" className={button} onClick={toggleFullscreen} aria-label={fullscreen ? "Exit full screen (f)" : "Full screen (f)"}>
                <Icon d={fullscreen ? ICONS.exitFull : ICONS.full} />
              </button>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
