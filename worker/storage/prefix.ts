// Deletes every object under a prefix through the R2 binding, 1,000 keys per call.
export async function deletePrefix(bucket: R2Bucket, prefix: string, include: (key: string) => boolean = () => true): Promise<string[]> {
  const deleted: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, cursor, limit: 1000 });
    const keys = page.objects.map((o) => o.key).filter(include);
    if (keys.length) {
      await bucket.delete(keys);
      deleted.push(...keys);
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return deleted;
}
