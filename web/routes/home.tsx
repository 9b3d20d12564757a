export function meta() {
  return [{ title: "Edge Video" }, { name: "description", content: "Watch and share videos, fast, everywhere." }];
}

export default function Home() {
  return (
    <main className="mx-auto max-w-6xl p-6">
      <h1 className="text-3xl font-bold">Edge Video</h1>
      <p className="mt-2 text-neutral-300">No videos yet.</p>
    </main>
  );
}
