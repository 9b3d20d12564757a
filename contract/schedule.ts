// Scheduled publishing (API.md "Playback extras": `publishAt`). Dependency-free: the Worker
// validates with these rules and the studio shows the same ones.
//
// A public video with `publishAt` ahead is reachable by its link (like an unlisted one) but in no
// list, search or feed, and notifies nobody, until then. A time that has already passed is refused
// (422), not taken as "publish now": a form left open too long must not publish by surprise;
// `publishAt: null` is how to publish now (it clears the schedule).

/** How far ahead a video may be scheduled. */
export const PUBLISH_AT_MAX_DAYS = 365;

const DAY_MS = 86_400_000;

/** Why `at` cannot be a video's publishAt at `now`, or null when it can. */
export function publishAtProblem(at: Date, now = Date.now()): string | null {
  if (at.getTime() <= now) return "Pick a time in the future, or leave it empty to publish as soon as the video is ready.";
  if (at.getTime() > now + PUBLISH_AT_MAX_DAYS * DAY_MS) return `Schedule at most ${PUBLISH_AT_MAX_DAYS} days ahead.`;
  return null;
}

/** Whether a video's publishAt is still ahead (it is then held back from every list). */
export const isScheduled = (publishAt: string | null | undefined, now = Date.now()): publishAt is string =>
  !!publishAt && Date.parse(publishAt) > now;
