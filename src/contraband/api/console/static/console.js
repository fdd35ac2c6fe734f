// Keyboard shortcuts for the console: j/k move through a list, Enter opens the row,
// / goes to the filter, c and d press a case's Confirm and Dismiss (the reason is asked
// first). No shortcut fires while typing in a field.
(function () {
  "use strict";
  var selected = -1;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-rows] tr[data-href]")); }

  function select(index) {
    var all = rows();
    if (!all.length) { return; }
    selected = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
    var link = all[selected].querySelector("a");
    if (link) { link.focus(); }
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function press(key) {
    var button = document.querySelector('button[data-key="' + key + '"]');
    if (!button) { return false; }
    var reason = document.getElementById("reason");
    if (reason && !reason.value.trim()) {
      reason.focus();
      reason.setAttribute("placeholder", "A reason first, then " + key + " again (or the button)");
      reason.dataset.pending = key;
      return true;
    }
    button.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var handled = true;
    if (event.key === "j") { select(selected + 1); }
    else if (event.key === "k") { select(selected - 1); }
    else if (event.key === "Enter" && selected >= 0) { window.location.href = rows()[selected].dataset.href; }
    else if (event.key === "/") { var filter = document.getElementById("filter"); if (filter) { filter.focus(); } else { handled = false; } }
    else if (event.key === "c" || event.key === "d") { handled = press(event.key); }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  });

  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-href]");
    if (row && !event.target.closest("a")) { window.location.href = row.dataset.href; }
  });

  document.addEventListener("htmx:load", function () { selected = -1; });
})();
