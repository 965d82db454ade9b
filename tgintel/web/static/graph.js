/* The network view: fetches /graph/data.json with the form's filters and draws it with vendored cytoscape.js.
 * Labels come from data: cytoscape draws them on a canvas as text, never as HTML. */
(function () {
  "use strict";
  var box = document.getElementById("cy");
  if (!box || typeof cytoscape === "undefined") return;
  var form = document.getElementById("graphform");
  var info = document.getElementById("graphinfo");
  var colours = { channel: "#2357a5", actor: "#d55e00", entity: "#009e73" };
  var cy = cytoscape({
    container: box,
    style: [
      { selector: "node", style: {
          "background-color": function (n) { return colours[n.data("kind")] || "#7f8c9b"; },
          "label": "data(label)", "font-size": 9, "color": "#1d2430", "text-valign": "bottom",
          "text-margin-y": 3, "width": "mapData(size, 1, 50, 10, 40)", "height": "mapData(size, 1, 50, 10, 40)",
          "text-max-width": 120, "text-wrap": "ellipsis" } },
      { selector: "edge", style: {
          "width": "mapData(weight, 1, 20, 1, 6)", "line-color": "#c9ced6", "curve-style": "haystack",
          "opacity": 0.8 } },
      { selector: ":selected", style: { "border-width": 3, "border-color": "#1d2430" } }
    ]
  });

  function load() {
    var params = new URLSearchParams(new FormData(form));
    info.textContent = "Loading…";
    fetch("/graph/data.json?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.pending) {
          info.textContent = "The network is being computed for this store (a minute or more on large stores)…";
          setTimeout(load, 3000);
          return;
        }
        cy.elements().remove();
        cy.add(data.elements || []);
        cy.layout({ name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 70 }).run();
        info.textContent = (data.nodes || 0) + " nodes, " + (data.edges || 0) + " edges" +
          (data.truncated ? " (largest shown; narrow the filters to see more)" : "");
      })
      .catch(function () { info.textContent = "Could not load the graph."; });
  }

  cy.on("tap", "node", function (ev) {
    var d = ev.target.data();
    var text = d.kind + ": " + d.label + " · degree " + ev.target.degree();
    if (d.href) text += " · open with Enter";
    info.textContent = text;
    box.dataset.href = d.href || "";
  });
  cy.on("dbltap", "node", function (ev) { if (ev.target.data("href")) window.location = ev.target.data("href"); });
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter" && box.dataset.href) window.location = box.dataset.href; });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
  load();
})();
