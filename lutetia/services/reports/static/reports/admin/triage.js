/*
 * Keyboard shortcuts of the triage queue. Every one of them has a link, checkbox or button
 * on the page; this only makes them faster. j/k move, Enter opens, x selects, a/s/p/r set the
 * status of the selection (or of the current report when nothing is selected), ? shows help.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-triage]");
  if (!form) {
    return;
  }
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-triage-row]"));
  var help = document.getElementById("triage-help");
  var statusField = form.querySelector("[name='bulk-status']");
  var statusButton = form.querySelector("[data-triage-status]");
  var STATUSES = { a: "acknowledged", s: "scheduled", p: "in_progress", r: "resolved" };
  var current = -1;

  function checkbox(row) {
    return row.querySelector("input[type='checkbox']");
  }

  function move(index) {
    if (!rows.length) {
      return;
    }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (current >= 0) {
      rows[current].classList.remove("triage-row--current");
    }
    current = index;
    rows[current].classList.add("triage-row--current");
    rows[current].querySelector("[data-triage-link]").focus();
  }

  function setStatus(status) {
    var selected = rows.filter(function (row) { return checkbox(row).checked; });
    if (!selected.length && current >= 0) {
      checkbox(rows[current]).checked = true;
      selected = [rows[current]];
    }
    if (!selected.length || !statusField || !statusButton) {
      return;
    }
    statusField.value = status;
    form.requestSubmit(statusButton);
  }

  function typing(target) {
    var field = target.closest("input, select, textarea, [contenteditable]");
    return field !== null && field.type !== "checkbox";
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    if (event.key === "?") {
      help.open = !help.open;
    } else if (event.key === "j") {
      move(current + 1);
    } else if (event.key === "k") {
      move(current - 1);
    } else if (event.key === "x" && current >= 0) {
      var box = checkbox(rows[current]);
      box.checked = !box.checked;
    } else if (event.key === "Enter" && current >= 0 && !event.target.closest("a, button")) {
      window.location.href = rows[current].querySelector("[data-triage-link]").href;
    } else if (Object.prototype.hasOwnProperty.call(STATUSES, event.key)) {
      setStatus(STATUSES[event.key]);
    } else {
      return;
    }
    event.preventDefault();
  });

  rows.forEach(function (row, index) {
    row.addEventListener("focusin", function () {
      if (current >= 0) {
        rows[current].classList.remove("triage-row--current");
      }
      current = index;
      row.classList.add("triage-row--current");
    });
  });
})();
