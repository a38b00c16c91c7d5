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

  // ---------------------------------------------------------------- forms that forgive (issue 13)

  // What a form sends is kept for this tab until the next page: should the session have ended, the server
  // says so and the page after signing in again fills the form in (data-restore-drafts on <body>).
  var DRAFT = "quytrinh.draft:";
  var SKIP = { csrf_token: true, revision: true, password: true, current_password: true, new_password: true,
               confirm: true };

  function keepDraft(event) {
    var form = event.target;
    if (!form.matches || !form.matches('form[method="post"]') || form.hasAttribute("data-no-draft")) return;
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "file" || el.type === "password" || el.type === "submit") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      values[el.name] = el.value;
    });
    try {
      window.sessionStorage.setItem(DRAFT + new URL(form.action, window.location.href).pathname,
                                    JSON.stringify(values));
    } catch (e) { /* private mode or full storage: nothing to keep */ }
  }

  function restoreDrafts() {
    var note = document.body.getAttribute("data-restore-drafts");
    if (!note) return;
    document.querySelectorAll('form[method="post"]').forEach(function (form) {
      var key = DRAFT + new URL(form.action, window.location.href).pathname;
      var saved = null;
      try { saved = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
      if (!saved) return;
      Object.keys(saved).forEach(function (name) {
        var el = form.elements.namedItem(name);
        if (!el || SKIP[name]) return;
        if (el.type === "checkbox" || el.type === "radio") el.checked = true;
        else el.value = saved[name];
      });
      window.sessionStorage.removeItem(key);
      var details = form.closest("details");
      if (details) details.open = true;
      var box = document.createElement("p");
      box.className = "flash flash--info form-restored";
      box.setAttribute("role", "status");
      box.textContent = note;
      form.insertBefore(box, form.firstChild);
      box.scrollIntoView({ block: "center" });
    });
  }

  // A minute before the idle timeout, say so and offer to keep working (a request to the server).
  function idleWarning() {
    var seconds = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
    if (!seconds) return;
    var timer = null;
    var banner = null;
    function arm() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(warn, Math.max(seconds - 60, 1) * 1000);
    }
    function warn() {
      if (banner) return;
      banner = document.createElement("div");
      banner.className = "idle-warning";
      banner.setAttribute("role", "alert");
      var text = document.createElement("p");
      text.textContent = document.body.getAttribute("data-idle-warning");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = document.body.getAttribute("data-idle-button");
      button.addEventListener("click", function () {
        window.fetch(document.body.getAttribute("data-keepalive"), { credentials: "same-origin" })
          .then(function () { banner.remove(); banner = null; arm(); });
      });
      banner.appendChild(text);
      banner.appendChild(button);
      document.body.appendChild(banner);
      button.focus();
    }
    arm();
  }

  // A picker of people searches as one types: accents, «đ» and case ignored («tuan» finds «Tuấn»).
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  function searchablePickers() {
    document.querySelectorAll("select[data-search]").forEach(function (select) {
      var box = document.createElement("input");
      box.type = "search";
      box.className = "picker__search";
      box.placeholder = select.getAttribute("data-search");
      box.setAttribute("aria-label", select.getAttribute("data-search"));
      box.setAttribute("aria-controls", select.id);
      select.parentNode.insertBefore(box, select);
      box.addEventListener("input", function () {
        var words = fold(box.value).split(/\s+/).filter(Boolean);
        var shown = 0;
        Array.prototype.forEach.call(select.options, function (option) {
          var text = fold(option.textContent);
          var match = !option.value || words.every(function (w) { return text.indexOf(w) !== -1; });
          option.hidden = !match;
          if (match && option.value) shown += 1;
        });
        select.size = words.length ? Math.min(Math.max(shown, 1) + 1, 8) : 0;
      });
    });
  }

  document.addEventListener("submit", keepDraft, true);

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    centreDiagrams();
    focusErrors();
    openTarget();
    restoreDrafts();
    idleWarning();
    searchablePickers();
  });
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("keydown", escapeMenus);
})();
