// Kumo Files: the uploader (uploader.js, aimed at /api/files) and a one-step download.
// Every other action on these pages is a plain form; texts come from data- attributes.
(function () {
  "use strict";
  function path(id) { return encodeURIComponent(id); }

  var api = window.KumoUploader ? window.KumoUploader.api : null;

  // --- copy a new share link (shown once); without JS the field is there to select and copy ------
  Array.prototype.forEach.call(document.querySelectorAll(".js-copy"), function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.getElementById("copy-status");
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      var copied = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(field.value)
        : new Promise(function (resolve, reject) { (document.execCommand("copy") ? resolve : reject)(); });
      copied.then(function () { status.textContent = button.getAttribute("data-text-copied"); },
        function () { status.textContent = button.getAttribute("data-text-failed"); });
    });
  });

  // --- download: ask for a short-lived link, then go there (the form does the same without JS) ---
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-download")) { return; }
    if (!api) { return; }  // the form does it without the script
    event.preventDefault();
    var body = {};
    if (form.getAttribute("data-version")) { body.version = Number(form.getAttribute("data-version")); }
    api("POST", "/api/files/" + path(form.getAttribute("data-file-id")) + "/download", body)
      .then(function (data) { window.location.assign(data.url); })
      .catch(function () { form.submit(); });  // the page route shows the reason in full
  });

  // --- upload: the shared uploader (uploader.js), aimed at /api/files ---
  var section = document.getElementById("upload");
  if (!section || !window.KumoUploader) { return; }
  var folderId = section.dataset.folderId;
  window.KumoUploader.create({
    section: section,
    id: "kumo-files",
    api: "/api/files",
    planUrl: "/api/folders/" + path(folderId) + "/upload-plan",
    planBody: function (names) { return { names: names }; },
    startBody: function () { return { folder_id: folderId }; },
    refresh: refreshList
  });

  // The list and the usage bar as the server now sees them, without leaving the page (the
  // uploader keeps its state and messages).
  function refreshList() {
    return fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["listing", "space-usage"].forEach(function (id) {
          var current = document.getElementById(id) || document.querySelector('[data-testid="' + id + '"]');
          var next = fresh.getElementById(id) || fresh.querySelector('[data-testid="' + id + '"]');
          if (current && next) { current.replaceWith(document.importNode(next, true)); }
        });
      })
      .catch(function () { /* the list is refreshed on the next visit */ });
  }
})();
