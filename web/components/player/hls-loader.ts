// Starting playback. hls.js is loaded only by the watch page, only where Media Source Extensions
// exist (elsewhere the browser plays HLS natively), and only once. The full build: the light one
// has neither the subtitle controllers (captions, decision 0012) nor the alternate-audio ones.
// It is imported from its own URL (the package's prebuilt ES module, copied as an asset) so that
// the server-rendered page can start it before React has hydrated: the player's HTML carries a
// small inline script (BOOT, below) that restores the volume, loads hls.js and starts loading the
// master, its playlists and the first segments. Only the React player, once hydrated, attaches
// hls.js to the <video> (`attach`) and starts playing: attached, hls.js adds a <track> child per
// subtitle track, and a <video> whose children differ from the server's HTML makes React discard
// that HTML and render the page again (a hydration mismatch, React error #418). The player adopts
// what the script started (or runs the same script itself after a client-side navigation).
import type HlsType from "hls.js";
import hlsUrl from "hls.js/dist/hls.min.mjs?url";

export { hlsUrl };

export const VIDEO_ELEMENT_ID = "player-video";
export const VOLUME_KEY = "ev:volume";

export type BootConfig = {
  /** The master playlist. */
  src: string;
  /** hls.js startPosition: -1 = default, 0 for a still-growing (EVENT) playlist, or a start time. */
  start: number;
  autoplay: boolean;
  /** Start muted whatever the saved volume (muted autoplay for embeds). */
  muted?: boolean;
};

/** What the boot script started: hls.js loading, not yet attached; `attach` attaches it and plays. */
export type Booted = { Hls: typeof HlsType; hls: HlsType; attach: () => void } | null;
export type PlayerElement = HTMLVideoElement & { __ev?: Promise<Booted> };

/**
 * The boot script, as source text so that the server can inline it. Plain ES2017, no imports.
 * hls.js settings for a fast start: the start rung is the highest at or below 480 lines and the
 * player's pixel height, levels are capped to the player size, the first buffer target is short,
 * and the first segments load before the <video> is attached (startFragPrefetch). Without Media
 * Source Extensions the browser plays the playlist itself, started at once: native HLS never adds
 * children to the <video>.
 */
const BOOT = `function(v,c,u){
if(!v||v.__ev)return;
var w=window;
try{var s=JSON.parse(localStorage.getItem(${JSON.stringify(VOLUME_KEY)})||"null");if(s){if(typeof s.volume=="number")v.volume=Math.min(1,Math.max(0,s.volume));if(typeof s.muted=="boolean")v.muted=s.muted}}catch(e){}
if(c.muted)v.muted=true;
var play=function(f){if(f){var p=v.play();if(p)p.catch(function(){})}};
v.__ev=(w.MediaSource||w.ManagedMediaSource?import(u).then(function(m){return m.default},function(){return null}):Promise.resolve(null)).then(function(H){
if(H&&H.isSupported()){
var h=new H({capLevelToPlayerSize:true,startPosition:c.start,startFragPrefetch:true,maxBufferLength:8,maxMaxBufferLength:60,backBufferLength:30,enableWorker:false,testBandwidth:false,abrEwmaDefaultEstimate:2e6});
h.on(H.Events.MANIFEST_PARSED,function(e,d){var cap=Math.min(480,Math.max(240,(v.clientHeight||360)*(w.devicePixelRatio||1))),b=0;d.levels.forEach(function(l,i){if(l.height<=cap&&l.height>=d.levels[b].height)b=i});h.startLevel=b});
var n=0;h.on(H.Events.ERROR,function(e,d){if(!d.fatal)return;if(d.type===H.ErrorTypes.MEDIA_ERROR)h.recoverMediaError();else if(d.type===H.ErrorTypes.NETWORK_ERROR&&n++<5)setTimeout(function(){h.startLoad()},1e3*n);else v.dispatchEvent(new Event("ev-fatal"))});
h.loadSource(c.src);return{Hls:H,hls:h,attach:function(){var was=!v.paused;h.attachMedia(v);play(c.autoplay||was)}}}
v.preload="auto";if(v.getAttribute("src")!==c.src)v.src=c.src;if(c.start>0)v.currentTime=c.start;play(c.autoplay);return null})}`;

/** The inline script for the server-rendered player (runs as soon as the parser reaches it). */
export const bootScript = (config: BootConfig) =>
  `(${BOOT})(document.getElementById(${JSON.stringify(VIDEO_ELEMENT_ID)}),${JSON.stringify(config)},${JSON.stringify(hlsUrl)})`;

/** Runs the boot script for an element rendered in the browser (client-side navigation). */
export function bootInBrowser(config: BootConfig, nonce?: string) {
  const script = document.createElement("script");
  // The page's CSP allows inline scripts only with its nonce.
  if (nonce) script.nonce = nonce;
  script.text = bootScript(config);
  document.body.append(script);
  script.remove();
}

/** Starts fetching hls.js early (the watch route calls this when its module loads). */
export function prefetchHls() {
  if (typeof window === "undefined" || !("MediaSource" in window || "ManagedMediaSource" in window)) return;
  if (document.querySelector(`link[href="${hlsUrl}"]`)) return;
  const link = document.createElement("link");
  link.rel = "modulepreload";
  link.href = hlsUrl;
  document.head.append(link);
}
