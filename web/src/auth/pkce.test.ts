import { describe, expect, it } from "vitest";
import { base64url, challengeFor, randomToken } from "./pkce";

// RFC 7636, appendix B.
const RFC_OCTETS = [
  116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91,
  88, 5, 88, 83, 132, 141, 121,
];
const RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

describe("PKCE", () => {
  it("encodes the appendix B octets as the appendix's verifier", () => {
    expect(base64url(new Uint8Array(RFC_OCTETS))).toBe(RFC_VERIFIER);
  });

  it("derives the appendix B S256 challenge from its verifier", async () => {
    expect(await challengeFor(RFC_VERIFIER)).toBe(RFC_CHALLENGE);
  });

  it("makes fresh 43-character URL-safe verifiers", () => {
    const a = randomToken();
    const b = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});
