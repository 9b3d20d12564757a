import type { User } from "#contract/api.ts";
import type { users } from "#db/schema.ts";

type UserRow = typeof users.$inferSelect;

/** The public shape of a user: never the password hash. */
export function presentUser(user: UserRow): User {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt.toISOString() };
}
