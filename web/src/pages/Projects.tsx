import type { Api, MeAnswer } from "../api/client";
import { projectFromPath } from "../lib/projects";
import { useLocation } from "../lib/router";
import { useDirectory } from "./projects/directory";
import { ProjectList } from "./projects/ProjectList";
import { ProjectView } from "./projects/ProjectView";
import "./projects.css";

/** `/projects`: the list and a new project; `/projects/<name>[?owner=<id>]`: one project. */
export function ProjectsPage({ api, me }: { api: Api; me: MeAnswer }) {
  const { pathname, search } = useLocation();
  const target = projectFromPath(pathname, search);
  const directory = useDirectory(api);
  if (!target) return <ProjectList api={api} me={me} directory={directory} />;
  return <ProjectView key={`${target.owner ?? ""}/${target.name}`} api={api} me={me} name={target.name} owner={target.owner} directory={directory} />;
}
export default ProjectsPage;
