// PKCE (RFC 7636) with the S256 method.

export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A random string of 43 URL-safe characters (32 random octets), usable as verifier or state. */
export function randomToken(octets = 32): string {
  const bytes = new Uint8Array(octets);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/** `BASE64URL(SHA256(ASCII(verifier)))`. */
export async function challengeFor(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}
