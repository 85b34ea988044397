// Starts ReDoc (an ES module) on the service's own OpenAPI document, on a closed network:
// - its telemetry, which would post to another host, is off;
// - its sidebar credit loads a logo from Redocly's CDN: that one image comes from here instead.
import { init } from "./vendor/redoc.standalone.js";

const CDN = "https://cdn.redoc.ly/";
const LOCAL_LOGO = "/docs/static/redocly-credit.svg";
const setAttribute = Element.prototype.setAttribute;
Element.prototype.setAttribute = function (name, value) {
  const offsite = this instanceof HTMLImageElement && name === "src" && String(value).startsWith(CDN);
  return setAttribute.call(this, name, offsite ? LOCAL_LOGO : value);
};

const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
Object.defineProperty(HTMLImageElement.prototype, "src", {
  ...src,
  set(value) {
    src.set.call(this, String(value).startsWith(CDN) ? LOCAL_LOGO : value);
  },
});

init("/openapi.json", { disableTelemetry: true }, document.getElementById("redoc"));
