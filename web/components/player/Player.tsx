// The video player: poster at once, hls.js (ABR) where Media Source Extensions exist, native HLS
// otherwise; custom controls that work with keyboard and pointer; seek previews; view reporting.
// Without JavaScript the server-rendered <video> carries the playlist and the browser's own controls.
// The pieces: use-playback (hls.js), use-media-state (the element's state), use-view-report,
// use-player-actions, use-keyboard-shortcuts, use-fullscreen, use-idle; SeekBar, ControlBar,
// SettingsMenu and PlayerOverlays draw the controls. Chapters mark the seek bar and are the
// video's chapters TextTrack (ChaptersTrack); use-resume saves the position and offers to resume;
// picture-in-picture and theatre mode are optional buttons; use-captions and CaptionsMenu offer
// the SUBTITLES group (a CC menu).
import { useEffect, useRef, useState } from "react";
import { useNonce } from "../../lib/nonce";
import { ControlBar } from "./ControlBar";
import { VIDEO_ELEMENT_ID, bootScript, type BootConfig } from "./hls-loader";
import { PlayerOverlays } from "./PlayerOverlays";
import { SeekBar } from "./SeekBar";
import { SettingsMenu } from "./SettingsMenu";
import { useFullscreen } from "./use-fullscreen";
import { useIdle } from "./use-idle";
import { useKeyboardShortcuts } from "./use-keyboard-shortcuts";
import { useMediaState } from "./use-media-state";
import { usePlayback } from "./use-playback";
import { usePlayerActions } from "./use-player-actions";
import { useViewReport } from "./use-view-report";
import { CaptionsMenu } from "./CaptionsMenu";
import { useCaptions } from "./use-captions";
import type { Chapter } from "../../lib/types";
import { chapterAt } from "./chapters";
import { ChaptersTrack } from "./ChaptersTrack";
import { ResumeOffer } from "./ResumeOffer";
import { usePictureInPicture } from "./use-picture-in-picture";
import { useResume } from "./use-resume";

export type PlayerVideo = {
  id: string;
  title: string;
  durationSeconds: number | null;
  processing: boolean;
  playback: { hls: string; poster: string | null; storyboard: string | null };
  /** From the video's metadata; sent back with the view report. */
  viewToken?: string;
};

type Extras = {
  /** Start muted (embeds that autoplay: browsers only allow muted autoplay). */
  muted?: boolean;
  chapters?: Chapter[];
  /** Fill the parent (the embed page) rather than a rounded 16:9 box. */
  fill?: boolean;
  /** Save the position and offer to resume: signed-in viewers through the API (`resumeAt`). */
  resume?: { signedIn: boolean; serverAt: number | null | undefined };
  /** A theatre-mode button; the page widens its layout. */
  theatre?: { on: boolean; onToggle: () => void };
};

export function Player({ video, autoPlay = true, startAt, muted, chapters = [], fill = false, resume, theatre }: { video: PlayerVideo; autoPlay?: boolean; startAt?: number } & Extras) {
  const nonce = useNonce();
  const media = useRef<HTMLVideoElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const [enhanced, setEnhanced] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [captionsOpen, setCaptionsOpen] = useState(false);
  useEffect(() => setEnhanced(true), []);

  const { hls: src, poster, storyboard } = video.playback;
  // The same on the server and in the browser: the boot script in the HTML must not differ.
  const boot: BootConfig = { src, start: startAt ?? (video.processing ? 0 : -1), autoplay: autoPlay, ...(muted ? { muted } : {}) };

  const state = useMediaState(media, { time: startAt ?? 0, duration: video.durationSeconds ?? 0 });
  const playback = usePlayback(media, { boot, nonce, enabled: enhanced, onAdopt: state.adopt });
  const views = useViewReport(video.id, video.durationSeconds, video.viewToken);
  const actions = usePlayerActions(media);
  const { fullscreen, toggleFullscreen } = useFullscreen(wrap);
  const { idle, wake } = useIdle();
  const pip = usePictureInPicture(media);
  const captions = useCaptions(media, enhanced);
  const resumer = useResume(media, {
    videoId: video.id,
    durationSeconds: video.durationSeconds,
    signedIn: !!resume?.signedIn,
    serverAt: resume?.serverAt,
    offer: !!resume && startAt === undefined,
  });
  const chapter = chapterAt(chapters, state.time);
  const theatreOffered = theatre && !fill ? theatre : undefined;
  useKeyboardShortcuts(enhanced, wrap, {
    ...actions,
    toggleFullscreen,
    wake,
    toggleCaptions: captions.toggle,
    togglePip: pip.supported ? pip.toggle : undefined,
    toggleTheatre: theatreOffered?.onToggle,
  });

  const { paused } = state;
  const showControls = !state.started || paused || !idle || settingsOpen || captionsOpen;

  return (
    <div
      ref={wrap}
      role="region"
      aria-label={`Video player: ${video.title}`}
      className={`group/player relative w-full overflow-hidden bg-black ${fill ? "h-full" : "aspect-video"} ${fullscreen || fill ? "" : "rounded-xl"} ${theatre?.on && !fullscreen ? "max-h-[80vh]" : ""} ${showControls ? "" : "cursor-none"}`}
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
        onClick={enhanced ? actions.toggle : undefined}
        onDoubleClick={enhanced ? toggleFullscreen : undefined}
        {...state.events}
        onPlay={() => {
          state.events.onPlay();
          wake();
        }}
        onPlaying={() => {
          state.events.onPlaying();
          playback.onPlaying();
        }}
        onTimeUpdate={() => {
          state.events.onTimeUpdate();
          views.onTimeUpdate(media.current!);
          resumer.onTimeUpdate(media.current!.currentTime);
        }}
        onSeeking={views.onSeeking}
        onError={playback.onError}
      >
        {chapters.length > 0 && <ChaptersTrack videoId={video.id} />}
      </video>
      {/* Starts loading as soon as the parser gets here, before hydration; the player attaches and plays once hydrated (see hls-loader.ts). */}
      <script nonce={nonce} dangerouslySetInnerHTML={{ __html: bootScript(boot) }} suppressHydrationWarning />
      {enhanced && (
        <>
          <p className="sr-only" aria-live="polite">
            {actions.announce}
          </p>
          <PlayerOverlays paused={paused} waiting={state.waiting} error={playback.error} onPlay={actions.toggle} />
          {resumer.offerAt !== null && <ResumeOffer at={resumer.offerAt} onAccept={resumer.accept} onDismiss={resumer.dismiss} />}
          <div
            className={`absolute inset-x-0 bottom-0 bg-gradient-to-t from-black/90 to-transparent px-3 pb-2 pt-8 transition-opacity focus-within:opacity-100 ${showControls ? "opacity-100" : "opacity-0"}`}
          >
            <SeekBar
              time={state.time}
              duration={state.duration}
              buffered={state.buffered}
              onSeek={state.seekTo}
              storyboard={storyboard}
              hasPlayed={state.hasPlayed}
              chapters={chapters}
            />
            <ControlBar
              paused={paused}
              muted={state.muted}
              volume={state.volume}
              time={state.time}
              duration={state.duration}
              processing={video.processing}
              fullscreen={fullscreen}
              onToggle={actions.toggle}
              onToggleMute={actions.toggleMute}
              onVolume={actions.setVolume}
              onToggleFullscreen={toggleFullscreen}
              chapterTitle={chapter?.chapter.title}
              pip={pip.supported ? { active: pip.active, onToggle: pip.toggle } : undefined}
              theatre={theatreOffered}
              settings={
                <>
                  <SettingsMenu
                    open={settingsOpen}
                    onOpenChange={setSettingsOpen}
                    levels={playback.levels}
                    level={playback.level}
                    playingLevel={playback.playingLevel}
                    onLevel={playback.chooseLevel}
                    rate={state.rate}
                    onRate={state.chooseRate}
                  />
                  <CaptionsMenu open={captionsOpen} onOpenChange={setCaptionsOpen} tracks={captions.tracks} active={captions.active} onChoose={captions.choose} />
                </>
              }
            />
          </div>
        </>
      )}
    </div>
  );
}
