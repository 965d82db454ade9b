/* tgintel workspace behaviour. Loaded from /static (the CSP allows no inline script).
 * Keyboard: "/" focuses search; on the triage page j/k move, c confirm, r reject, l relabel. */
(function () {
  "use strict";

  function typing(ev) {
    var t = ev.target;
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable);
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev)) return;
    if (ev.key === "/") {
      var q = document.getElementById("q") || document.getElementById("quick-q");
      if (q) { ev.preventDefault(); q.focus(); q.select(); }
      return;
    }
    var rows = Array.prototype.slice.call(document.querySelectorAll(".triage-row:not(.done)"));
    if (!rows.length) return;
    var cur = document.querySelector(".triage-row.selected:not(.done)") || rows[0];
    var i = rows.indexOf(cur);
    function select(row) {
      rows.forEach(function (r) { r.classList.remove("selected"); });
      row.classList.add("selected");
      row.scrollIntoView({ block: "nearest" });
    }
    if (ev.key === "j") { select(rows[Math.min(i + 1, rows.length - 1)]); ev.preventDefault(); }
    else if (ev.key === "k") { select(rows[Math.max(i - 1, 0)]); ev.preventDefault(); }
    else if (ev.key === "c" || ev.key === "r") {
      var btn = cur.querySelector(ev.key === "c" ? "button.confirm" : "button.reject");
      if (btn) { select(cur); btn.click(); ev.preventDefault(); }
    } else if (ev.key === "l") {
      var sel = cur.querySelector("select.relabel");
      if (sel) { select(cur); sel.focus(); ev.preventDefault(); }
    }
  });

  // After a label lands, mark the row done and move the selection on.
  document.addEventListener("htmx:afterSwap", function (ev) {
    var row = ev.target.closest ? ev.target.closest(".triage-row") : null;
    if (!row) return;
    row.classList.add("done");
    row.classList.remove("selected");
    var next = document.querySelector(".triage-row:not(.done)");
    if (next) next.classList.add("selected");
  });

  var first = document.querySelector(".triage-row:not(.done)");
  if (first) first.classList.add("selected");
})();

// Choosing a category in a triage row's "relabel as" list submits the relabel.
document.addEventListener("change", function (ev) {
  var sel = ev.target;
  if (!sel.classList || !sel.classList.contains("relabel") || !sel.value) return;
  var go = sel.parentNode.querySelector("button.relabel-go");
  if (go) go.click();
});
