// The device key: Ed25519. WebCrypto keeps the private key non-extractable where the browser
// supports Ed25519; elsewhere the audited @noble/ed25519 library (vendored from npm, loaded
// only then) signs with a random seed kept in IndexedDB. No cryptography is written here.
import { kvGet, kvSet } from "./store.js";

const STORE_KEY = "device_key";
let cached = null;

export function base64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const loadNoble = () => import("../vendor/noble-ed25519.js");

async function createWebCrypto() {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { kind: "webcrypto", pair, publicKey };
}

async function createNoble() {
  const ed = await loadNoble();
  const { secretKey, publicKey } = await ed.keygenAsync();
  return { kind: "noble", secretKey, publicKey };
}

async function create() {
  try {
    return await createWebCrypto();
  } catch {
    return createNoble();
  }
}

async function signer(record) {
  if (record.kind === "webcrypto") {
    return async (bytes) =>
      new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, record.pair.privateKey, bytes));
  }
  const ed = await loadNoble();
  return (bytes) => ed.signAsync(bytes, record.secretKey);
}

/** The device key: `{kind, publicKey (base64url, raw 32 bytes), sign(bytes) → Uint8Array}`. */
export async function deviceKey() {
  if (cached) return cached;
  const loadOrCreate = async () => {
    let stored = await kvGet(STORE_KEY);
    if (!stored) {
      stored = await create();
      await kvSet(STORE_KEY, stored);
    }
    return stored;
  };
  // Two tabs starting at once must not make two keys.
  const record = navigator.locks
    ? await navigator.locks.request("amina-device-key", loadOrCreate)
    : await loadOrCreate();
  cached = { kind: record.kind, publicKey: base64url(record.publicKey), sign: await signer(record) };
  return cached;
}

/** Signs the exact bytes that will be sent; returns the Amina-Signature header value. */
export async function signBody(bytes) {
  const key = await deviceKey();
  return base64url(await key.sign(bytes));
}
