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
      // numbers, currency and month names in the page's language (see i18n.vega_locale)
      var locale = document.getElementById("vega-locale");
      if (locale) {
        var both = JSON.parse(locale.textContent);
        options.formatLocale = both.number;
        options.timeFormatLocale = both.time;
      }
      if (window.vegaInterpreter) options.expr = window.vegaInterpreter.expressionInterpreter;
      vegaEmbed(el, spec, options).catch(function (err) {
        el.textContent = "chart error: " + err.message;
      });
    });
  }

  // On a phone a table is shown as cards: each cell carries its column's name.
  function label(root) {
    root.querySelectorAll("table").forEach(function (table) {
      var head = table.tHead && table.tHead.rows[0];
      if (!head) return;
      var names = [];
      Array.prototype.forEach.call(head.cells, function (cell) {
        for (var i = 0; i < (cell.colSpan || 1); i++) names.push(cell.textContent.trim());
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (cell.tagName === "TD" && names[column] && !cell.dataset.label) {
              cell.dataset.label = names[column];
            }
            column += cell.colSpan || 1;
          });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { label(document); render(document); });
  document.addEventListener("htmx:afterSwap", function (e) { label(document); render(e.target); });
  // A new grain asks for its own period: clear a period typed for the old grain, so
  // the picker never shows a month's label over a quarter (capture runs before htmx).
  document.addEventListener("change", function (e) {
    if (e.target && e.target.id === "grain") {
      var period = document.getElementById("period");
      if (period) period.value = "";
    }
  }, true);
  // htmx writes must carry the session's CSRF token, like forms do.
  document.addEventListener("htmx:configRequest", function (e) {
    var field = document.querySelector("input[name='csrf']");
    if (field) e.detail.headers["X-CSRF-Token"] = field.value;
  });
})();
