import { call, type Api } from "../../api/client";
import type { components } from "../../api/schema";
import { personLabel } from "../../lib/projects";
import { useResource, type LoadedResource } from "../../lib/useResource";

export type Person = components["schemas"]["Person"];

/** The tenant's directory: people by id, to show names where the service gives ids. */
export type Directory = {
  resource: LoadedResource<Person[]>;
  people: Person[];
  /** Their name (else email), or "A colleague" while the directory is not there. */
  name: (id: string) => string;
};

export function useDirectory(api: Api): Directory {
  const resource = useResource("users", async () => (await call(api.GET("/v1/users"))).people);
  const people = resource.data ?? [];
  const byId = new Map(people.map((p) => [p.id, p]));
  return {
    resource,
    people,
    name: (id) => {
      const p = byId.get(id);
      return p ? personLabel(p) : "A colleague";
    },
  };
}
