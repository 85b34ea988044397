// Geolocation through the browser, and the LOCATION reports built from it.

export class GeoError extends Error {
  constructor(code) {
    super(code);
    this.code = code; // location_denied | location_unavailable | location_timeout | location_unsupported
  }
}

const CODES = { 1: "location_denied", 2: "location_unavailable", 3: "location_timeout" };

export function currentPosition({ timeoutMs = 20_000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) {
      reject(new GeoError("location_unsupported"));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve(position),
      (error) => reject(new GeoError(CODES[error.code] || "location_unavailable")),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 30_000 },
    );
  });
}

const round = (value, places) => Math.round(value * 10 ** places) / 10 ** places;

/** A LOCATION report (api.md) from a browser position. */
export function positionReport(position) {
  const { latitude, longitude, accuracy } = position.coords;
  const at = Math.min(position.timestamp || Date.now(), Date.now());
  return {
    id: crypto.randomUUID(),
    lat: round(latitude, 6),
    lon: round(longitude, 6),
    accuracy_m: Number.isFinite(accuracy) ? round(accuracy, 1) : null,
    recorded_at: new Date(at).toISOString(),
    source: "fused", // the browser does not say which; Android's provider fuses GPS and network
    mock: false,
  };
}

/** A heartbeat: the device is alive, but has no location to give. */
export function heartbeatReport() {
  return {
    id: crypto.randomUUID(),
    lat: null,
    lon: null,
    accuracy_m: null,
    recorded_at: new Date().toISOString(),
    source: "fused",
    mock: false,
  };
}

/** Whether the location permission is already refused (where the browser tells). */
export async function permissionState() {
  try {
    const status = await navigator.permissions.query({ name: "geolocation" });
    return status.state; // granted | prompt | denied
  } catch {
    return "unknown";
  }
}
