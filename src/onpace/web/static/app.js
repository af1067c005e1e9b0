// Render every chart on the page: each [data-vega] element holds its Vega-Lite spec
// as JSON. Runs on load and again after htmx swaps part of the page. Vega's
// expressions are interpreted (vega-interpreter), not compiled with eval, so the
// Content-Security-Policy allows no eval at all.
(function () {
  "use strict";

  function render(root) {
    if (typeof vegaEmbed !== "function") return;
    root.querySelectorAll("[data-vega]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = el.querySelector("script[type='application/json']");
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      el.dataset.rendered = "1";
      var options = { actions: false, renderer: "svg", ast: true };
      if (window.vegaInterpreter) options.expr = window.vegaInterpreter.expressionInterpreter;
      vegaEmbed(el, spec, options).catch(function (err) {
        el.textContent = "chart error: " + err.message;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSwap", function (e) { render(e.target); });
  // htmx writes must carry the session's CSRF token, like forms do.
  document.addEventListener("htmx:configRequest", function (e) {
    var field = document.querySelector("input[name='csrf']");
    if (field) e.detail.headers["X-CSRF-Token"] = field.value;
  });
})();
