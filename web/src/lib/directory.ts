import { call, type Api } from "../api/client";
import type { components } from "../api/schema";
import { useResource, type LoadedResource } from "./useResource";

export type Person = components["schemas"]["Person"];

/** What to call a person: their name, else their email, else their id (never blank). */
export function personLabel(p: { name?: string | null; email?: string | null; id?: string | null }): string {
  return p.name?.trim() || p.email?.trim() || p.id || "Someone";
}

/** The tenant's directory: people by id, to show names where the service gives ids. */
export type Directory = {
  resource: LoadedResource<Person[]>;
  people: Person[];
  /** Their name (else email), or "A colleague" while the directory is not there. */
  name: (id: string) => string;
  /** The person of `id`, when the directory has them. */
  byId: (id: string) => Person | undefined;
};

export function useDirectory(api: Api): Directory {
  const resource = useResource("users", async () => (await call(api.GET("/v1/users"))).people);
  const people = resource.data ?? [];
  const map = new Map(people.map((p) => [p.id, p]));
  return {
    resource,
    people,
    byId: (id) => map.get(id),
    name: (id) => {
      const p = map.get(id);
      return p ? personLabel(p) : "A colleague";
    },
  };
}
