// Type-checked with `tsc --noEmit` (strict, skipLibCheck off, so the
// package's own .d.ts files are checked too) against the installed package:
// what a TypeScript app writes with @passbind/sdk. The @ts-expect-error lines
// must fail to type-check: they prove the types are precise, not `any`.
import init, {
  bindPasskey,
  isBindPasskeyUrl,
  parseBindPasskeyUrl,
  type BindPasskeyError,
  type BindPasskeyErrorCode,
  type BindPasskeyOptions,
  type BindPasskeyRejectionReason,
  type BoundPasskey,
  type ParsedBindPasskeyUrl,
} from "@passbind/sdk";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

assertType<Equal<Awaited<ReturnType<typeof bindPasskey>>, BoundPasskey>>();
assertType<Equal<ReturnType<typeof parseBindPasskeyUrl>, ParsedBindPasskeyUrl | null>>();
assertType<Equal<ReturnType<typeof isBindPasskeyUrl>, boolean>>();
assertType<Equal<Awaited<ReturnType<typeof init>>, void>>();

/** What the app shows for each code; `never` below makes the switch exhaustive. */
function describe(code: BindPasskeyErrorCode): string {
  switch (code) {
    case "NOT_ALLOWED":
    case "ABORTED":
    case "NETWORK":
      return "try again";
    case "INVALID_LINK":
    case "LINK_EXPIRED":
    case "JOB_COMPLETE":
    case "JOB_REVOKED":
      return "ask for a new link";
    case "IDENTITY_SUSPENDED":
    case "ALREADY_REGISTERED":
    case "UNSUPPORTED":
    case "SECURITY":
    case "ATTESTATION_REJECTED":
    case "SERVER":
      return "contact support";
    default: {
      const unknownCode: never = code;
      return unknownCode;
    }
  }
}

export async function addPasskey(link: string, timeoutMs: number): Promise<string> {
  await init(); // optional, and harmless when the module has loaded the wasm
  const parts = parseBindPasskeyUrl(link);
  // @ts-expect-error: the result may be null
  parts.jobId;
  if (!isBindPasskeyUrl(link) || parts === null) return "not a binding link";
  const where: string = `${parts.apiBaseUrl} ${parts.tenantId}/${parts.realmId}/${parts.identityId}/${parts.jobId}`;
  // @ts-expect-error: the token is never part of the parsed link
  parts.token;

  const controller = new AbortController();
  setTimeout(() => controller.abort(), timeoutMs);
  const options: BindPasskeyOptions = { signal: controller.signal };
  try {
    const { passkey, postBindingRedirectUri } = await bindPasskey(link, options);
    const id: string = passkey.credentialId;
    const email: string | null = passkey.identity.emailAddress;
    const transports: string[] = passkey.authenticator.transports;
    const backedUp: boolean = passkey.authenticator.backedUp;
    const model: string = passkey.authenticator.name ?? passkey.authenticator.aaguid;
    const next: string = postBindingRedirectUri ?? "/";
    return `${where}: ${id} ${passkey.identity.username} ${email ?? ""} ${transports.join()} ${backedUp} ${model} → ${next}`;
  } catch (e) {
    const error = e as BindPasskeyError;
    const message: string = error.message;
    const reason: BindPasskeyRejectionReason | undefined = error.reason;
    return `${describe(error.code)} (${message}${reason === "aaguid_not_allowed" ? ": not an allowed model" : ""})`;
  }
}

export function misuses(link: string): void {
  // @ts-expect-error: the link is a string
  void bindPasskey(42);
  // @ts-expect-error: signal is an AbortSignal
  void bindPasskey(link, { signal: "soon" });
  // @ts-expect-error: not an error code
  describe("TIMEOUT");
  // @ts-expect-error: the passkey has no such field
  void bindPasskey(link).then(({ passkey }) => passkey.privateKey);
  void init({ module_or_path: new URL("/assets/passbind.wasm", location.href) });
}
