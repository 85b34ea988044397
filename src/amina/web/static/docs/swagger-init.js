// Starts Swagger UI on the service's own OpenAPI document (no inline script: the page has a CSP).
window.addEventListener("DOMContentLoaded", () => {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null, // the public validator is another host: never called
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
