// The API reference page (/docs, served by the Worker): Swagger UI over this Worker's /openapi.json. Everything it
// loads comes from this origin (console/build.mjs copies Swagger UI here), so it works offline.
window.addEventListener("load", () => {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#reference",
    deepLinking: true,
    // no badge from the public validator service: nothing leaves this origin
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
});
