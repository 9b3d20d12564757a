// Ready time of long videos on a fleet of one-vCPU workers, from per-task times measured in the
// same bench run: every video chunk of the plan (planChunks, as in production) costs
// `overhead + perSecond × its length`, every audio chunk (planAudioChunks) likewise with its own
// fit, and tasks start in the Worker's order (the first video and audio chunks, then by start
// time with the stills at CHUNK_PROFILE.stillsAtSeconds) on the first free worker (list
// scheduling), one dispatch hop each.
import { CHUNK_PROFILE, planAudioChunks, planChunks } from "../../transcode-container/src/chunks/plan.ts";
import { buildLadder } from "../../transcode-container/src/ladder-profile.ts";

export type Measured = { chunkOverhead: number; chunkPerSecond: number; audioOverhead: number; audioPerSecond: number; stills: number; plan: number; dispatch: number };

export function modelReady(minutes: number, workers: number, m: Measured): { ready: number; firstPlayable: number } {
  const duration = minutes * 60;
  const ladder = buildLadder({ width: 1920, height: 1080, frameRate: { num: 30, den: 1 }, hasAudio: true });
  const plan = planChunks({ durationSeconds: duration, ladder, videoStartSeconds: 0, storyboard: { interval: 10, tileWidth: 160, tileHeight: 90, columns: 10 } });
  const chunkTime = (seconds: number) => m.chunkOverhead + m.chunkPerSecond * seconds;
  const audioTime = (seconds: number) => m.audioOverhead + m.audioPerSecond * seconds;
  const audio = planAudioChunks(duration);
  const timeline = [
    ...plan.chunks.slice(1).map((c) => ({ start: c.startSeconds, cost: chunkTime(c.endSeconds - c.startSeconds) })),
    ...audio.slice(1).map((c) => ({ start: c.startSeconds, cost: audioTime(c.endSeconds - c.startSeconds) })),
    { start: CHUNK_PROFILE.stillsAtSeconds, cost: m.stills },
  ].sort((a, b) => a.start - b.start);
  const tasks = [chunkTime(plan.chunks[0]!.endSeconds), audioTime(audio[0]!.endSeconds), ...timeline.map((t) => t.cost)];
  const free = Array.from({ length: workers }, () => m.plan);
  let ready = 0;
  let firstPlayable = 0;
  tasks.forEach((cost, i) => {
    let w = 0;
    for (let j = 1; j < free.length; j += 1) if (free[j]! < free[w]!) w = j;
    free[w] = free[w]! + m.dispatch + cost;
    ready = Math.max(ready, free[w]!);
    if (i <= 1) firstPlayable = Math.max(firstPlayable, free[w]!); // the first video and audio chunks
  });
  return { ready, firstPlayable };
}
