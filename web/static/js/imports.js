// The import page: send the file with its upload progress, then follow the import until its report is ready.
// Without this file the form posts and the report comes back when the import is done.
(function () {
  "use strict";

  function start(form) {
    var box = document.getElementById("import-progress");
    var bar = document.getElementById("import-bar");
    var phase = document.getElementById("import-phase");
    var percent = document.getElementById("import-percent");
    var button = form.querySelector("button[type=submit]");
    function show(value, label) {
      bar.value = value;
      percent.textContent = Math.round(value) + " %";
      if (label) phase.textContent = label;
    }
    function fail(message) {
      button.disabled = false;
      phase.textContent = message || document.getElementById("import-failed").textContent;
    }
    function follow(url) {
      var request = new XMLHttpRequest();
      request.open("GET", url);
      request.responseType = "json";
      request.onload = function () {
        var job = request.response;
        if (request.status !== 200 || !job) return fail();
        if (job.finished) { show(100); window.location.assign(job.report_url); return; }
        if (job.total) show(Math.min(99, 100 * job.done / job.total));
        window.setTimeout(function () { follow(url); }, 400);
      };
      request.onerror = function () { fail(); };
      request.send();
    }
    var upload = new XMLHttpRequest();
    upload.open("POST", form.dataset.startUrl);
    upload.responseType = "json";
    upload.setRequestHeader("X-CSRFToken", form.querySelector("input[name=csrf_token]").value);
    upload.upload.onprogress = function (event) {
      if (event.lengthComputable) show(100 * event.loaded / event.total);
    };
    upload.onload = function () {
      var job = upload.response;
      if (upload.status !== 202 || !job) return fail(job && job.error);
      show(0, document.getElementById("import-checking").textContent);
      follow(job.status_url);
    };
    upload.onerror = function () { fail(); };
    box.hidden = false;
    button.disabled = true;
    show(0);
    upload.send(new FormData(form));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("import-form");
    if (!form || !window.FormData) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      start(form);
    });
  });
})();
