// The edge cache's generation: part of every key, so changing it drops all cached public reads
// of this data center at once (lists, pages and search results name many videos each, so a
// change to one cannot be traced to the keys that show it). Kept in the Cache API itself: a
// local read per request, no database, no extra binding.
const LIFETIME_SECONDS = 86_400;

const generationKey = (origin: string) => new Request(`${origin}/__edge-cache/generation`);
// In a header of a body-less entry: read on every cached request, and reading a body is a
// stream to drain (a quarter of a millisecond of the isolate's time per hit, bench/api/profile.ts).
const HEADER = "x-edge-generation";

async function store(origin: string, generation: string): Promise<void> {
  await caches.default.put(
    generationKey(origin),
    new Response(null, { headers: { [HEADER]: generation, "cache-control": `public, max-age=${LIFETIME_SECONDS}` } }),
  );
}

const fresh = () => crypto.randomUUID();

/** Generations this isolate is creating: a burst of first requests agrees on one. */
const creating = new Map<string, Promise<string>>();

/** The current generation; a lost one is replaced by a new one (never by an old value). */
export async function currentGeneration(origin: string): Promise<string> {
  const stored = (await caches.default.match(generationKey(origin)))?.headers.get(HEADER);
  if (stored) return stored;
  const pending = creating.get(origin);
  if (pending) return pending;
  const generation = fresh();
  const created = store(origin, generation).then(() => generation);
  creating.set(origin, created);
  try {
    return await created;
  } finally {
    creating.delete(origin);
  }
}

/** Starts a new generation: every public read cached here so far is no longer served. */
export async function nextGeneration(origin: string): Promise<void> {
  await store(origin, fresh());
}
