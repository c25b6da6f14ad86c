// Small enhancements; every flow works without this file.
(function () {
  // Confirm dialogs on destructive forms.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    var msg = f.getAttribute && f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  // "Back" links go back in history (the link's own href is the way without script).
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-back]");
    if (a && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
  // "Copy" next to a link: selects it and copies it (without script the field is
  // selectable by hand).
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button[data-copy]");
    if (!b) return;
    var input = b.parentNode.querySelector("input");
    if (!input) return;
    input.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(input.value); }
    else { document.execCommand("copy"); }
  });
  // "/" focuses the global search, as in most business tools.
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      var s = document.querySelector(".global-search input");
      if (s) { e.preventDefault(); s.focus(); }
    }
  });
  // The column chooser: drag a column's line to reorder (the ↑ buttons do the same
  // without a mouse); the ticked columns are saved in the order of the lines.
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var li = e.target.closest && e.target.closest(".column-list li");
    if (!li) return;
    dragged = li;
    li.classList.add("dragging");
    if (e.dataTransfer) {
      e.dataTransfer.effectAllowed = "move";
      try { e.dataTransfer.setData("text/plain", li.querySelector("input").value); } catch (_) {}
    }
  });
  document.addEventListener("dragover", function (e) {
    if (!dragged) return;
    var li = e.target.closest && e.target.closest(".column-list li");
    if (!li || li === dragged || li.parentNode !== dragged.parentNode) return;
    e.preventDefault();
    var r = li.getBoundingClientRect();
    li.parentNode.insertBefore(dragged, e.clientY > r.top + r.height / 2 ? li.nextSibling : li);
  });
  document.addEventListener("drop", function (e) { if (dragged) e.preventDefault(); });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); dragged = null; }
  });
  // Government level only applies to government bodies and institutions.
  var kind = document.querySelector("select[name=kind]");
  var level = document.querySelector("select[name=gov_level]");
  if (kind && level && kind.closest("form.form")) {
    var sync = function () {
      var gov = kind.value === "government";
      level.disabled = !gov;
      if (!gov) level.value = "";
    };
    kind.addEventListener("change", sync);
    sync();
  }
})();
