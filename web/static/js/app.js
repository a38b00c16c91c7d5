// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // Open the action form a link points at (#action-cell_vote) and move focus to it.
  function openTarget() {
    var id = decodeURIComponent((window.location.hash || "").slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      var summary = target.querySelector("summary");
      if (summary) summary.focus();
    }
  }

  // After a refused form, bring the first message into view for keyboard and screen-reader users.
  function focusErrors() {
    var box = document.querySelector(".form-errors");
    if (box) {
      var details = box.closest("details");
      if (details) details.open = true;
      box.focus();
    }
  }

  // Close the account menu with Escape.
  function escapeMenus(event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  }

  // Scroll a wide procedure diagram so that the current step is in view (phones).
  function centreDiagrams() {
    document.querySelectorAll(".diagram-scroll").forEach(function (box) {
      var current = box.querySelector('[aria-current="step"]');
      if (!current || box.scrollWidth <= box.clientWidth) return;
      var boxRect = box.getBoundingClientRect();
      var rect = current.getBoundingClientRect();
      box.scrollLeft += rect.left + rect.width / 2 - (boxRect.left + boxRect.width / 2);
    });
  }

  // «Copy» buttons (data-copy="#field"): the field's text to the clipboard, and a word that it was done.
  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.querySelector(button.getAttribute("data-copy"));
        if (!field) return;
        field.select();
        var done = function () { button.textContent = button.getAttribute("data-copied") || "✓"; };
        if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () {});
        else if (document.execCommand("copy")) done();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    centreDiagrams();
    focusErrors();
    openTarget();
  });
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("keydown", escapeMenus);
})();
