import { formatMinutes, spokenMinutes } from "../lib/time";

/** `h:mm`, with the spoken length as its title and a machine-readable duration. */
export function Duration({ minutes }: { minutes: number }) {
  const m = Math.max(0, Math.round(minutes));
  return (
    <time dateTime={`PT${Math.floor(m / 60)}H${m % 60}M`} title={spokenMinutes(m)}>
      {formatMinutes(m)}
    </time>
  );
}
