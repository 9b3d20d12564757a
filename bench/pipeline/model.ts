// Ready time of long videos on a fleet of one-vCPU workers, from per-task times measured in the
// same bench run: every chunk of the plan (planChunks, as in production) costs
// `overhead + perSecond × its length`, the audio task `audioPerSecond × duration`, and tasks
// start in queue order on the first free worker (list scheduling), one dispatch hop each.
import { planChunks } from "../../transcode-container/src/chunks/plan.ts";
import { buildLadder } from "../../transcode-container/src/ladder-profile.ts";

export type Measured = { chunkOverhead: number; chunkPerSecond: number; audioPerSecond: number; stills: number; plan: number; dispatch: number };

export function modelReady(minutes: number, workers: number, m: Measured): { ready: number; firstPlayable: number } {
  const duration = minutes * 60;
  const ladder = buildLadder({ width: 1920, height: 1080, frameRate: { num: 30, den: 1 }, hasAudio: true });
  const plan = planChunks({ durationSeconds: duration, ladder, videoStartSeconds: 0, storyboard: { interval: 10, tileWidth: 160, tileHeight: 90, columns: 10 } });
  const chunkTime = (seconds: number) => m.chunkOverhead + m.chunkPerSecond * seconds;
  const tasks = [chunkTime(plan.chunks[0]!.endSeconds), m.audioPerSecond * duration, m.stills, ...plan.chunks.slice(1).map((c) => chunkTime(c.endSeconds - c.startSeconds))];
  const free = Array.from({ length: workers }, () => m.plan);
  let ready = 0;
  let firstPlayable = 0;
  tasks.forEach((cost, i) => {
    let w = 0;
    for (let j = 1; j < free.length; j += 1) if (free[j]! < free[w]!) w = j;
    free[w] = free[w]! + m.dispatch + cost;
    ready = Math.max(ready, free[w]!);
    if (i === 0) firstPlayable = free[w]!;
  });
  return { ready, firstPlayable };
}
