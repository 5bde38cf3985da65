export { useDirectory, type Directory, type Person } from "../../lib/directory";
