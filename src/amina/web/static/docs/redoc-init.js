// Starts ReDoc on the service's own OpenAPI document (no inline script: the page has a CSP).
window.addEventListener("DOMContentLoaded", () => {
  window.Redoc.init("/openapi.json", { hideDownloadButton: false }, document.getElementById("redoc"));
});
