// Bounds on what one FFmpeg run may do, whatever the source claims about itself: it decodes no
// more media than was planned from the probe (input `-t`), and it is killed when it runs longer
// than a generous wall-clock budget for the media it encodes.

export const RUN_LIMITS = {
  /** Read this much past the planned end: containers disagree with themselves by a frame or so. */
  inputMarginSeconds: 1,
  /** Every run may take this long regardless of length (start-up, first bytes, muxing). */
  baseBudgetMs: 60_000,
  /** …plus this much per second of media encoded (10× slower than real time). */
  budgetMsPerMediaSecond: 10_000,
} as const;

function assertDuration(name: string, seconds: number): void {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new RangeError(`${name} must be a positive number of seconds, got ${seconds}`);
}

/**
 * Input options that stop FFmpeg reading the source after the planned duration (+ margin). Put
 * them before `-i` (after any input `-ss`): a header that understates the length then never
 * gets more decoded than was planned.
 */
export function inputDurationOptions(plannedSeconds: number, marginSeconds: number = RUN_LIMITS.inputMarginSeconds): string[] {
  assertDuration("plannedSeconds", plannedSeconds);
  if (!Number.isFinite(marginSeconds) || marginSeconds < 0) throw new RangeError(`marginSeconds must be >= 0, got ${marginSeconds}`);
  return ["-t", (plannedSeconds + marginSeconds).toFixed(6)];
}

/** Wall-clock budget for a run encoding `mediaSeconds` of media: pass as runFfmpeg's timeoutMs. */
export function wallClockBudgetMs(mediaSeconds: number): number {
  assertDuration("mediaSeconds", mediaSeconds);
  return Math.ceil(RUN_LIMITS.baseBudgetMs + RUN_LIMITS.budgetMsPerMediaSecond * mediaSeconds);
}

/** True if a run that started at `startedAt` (ms) has used up its budget: it was killed for it. */
export function overBudget(startedAt: number, budgetMs: number, now: number = Date.now()): boolean {
  return now - startedAt >= budgetMs;
}
