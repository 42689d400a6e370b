// Kumo share links, the partner's side: opening the link, quicker downloads, and sending files
// with the shared uploader (uploader.js) through /api/share. Texts come from data- attributes (already in the
// reader's language); the CSRF token from the page's meta tag (the cookie is HttpOnly).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  // The shared uploader's JSON call (uploader.js), where this page sends files; a plain one otherwise.
  var api = window.KumoUploader ? window.KumoUploader.api : function (method, url) {
    return fetch(url, { method: method, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.statusText); }
        return response.json();
      });
  };

  // --- opening: the token lives in the fragment, never in a request line, a log or a Referer ----
  var openForm = document.getElementById("share-open-form");
  if (openForm) {
    var token = window.location.hash.replace(/^#/, "");
    // Out of the address bar (and the history) before anything else happens.
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    if (!token) {  // back from the page, or a link without its token: the session decides
      window.location.replace(openForm.getAttribute("data-view") || "/s/view");
      return;
    }
    try { token = decodeURIComponent(token); } catch (e) { /* sent as it is: the server says it does not work */ }
    document.getElementById("share-opening").hidden = false;
    openForm.elements.token.value = token;
    openForm.submit();  // before the page has loaded: the browser replaces this history entry
    return;
  }

  // --- download: ask for the two-minute link, go there, show how many are left ----------------
  var left = document.querySelector('[data-testid="downloads-left"]');
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-download")) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    api("POST", "/api/share/files/" + encodeURIComponent(form.getAttribute("data-file-id")) + "/download")
      .then(function (data) {
        window.location.assign(data.url);
        if (button) { button.disabled = false; }
        if (!left) { return null; }
        return api("GET", "/api/share").then(function (share) {
          if (share.downloads_left === null || share.downloads_left === undefined) { return; }
          left.textContent = String(share.downloads_left);
          if (share.downloads_left <= 0) {
            Array.prototype.forEach.call(document.querySelectorAll(".js-download button, .share-zip button"),
              function (b) { b.disabled = true; });
          }
        });
      })
      .catch(function () { form.submit(); });  // the page route shows why, on a page of its own
  });

  // --- sending files (file request, exchange) --------------------------------------------------
  var section = document.getElementById("upload");
  if (!section) { return; }
  var data = section.dataset;
  var status = document.getElementById("upload-status");
  var errors = document.getElementById("upload-errors");
  var nameForm = document.getElementById("uploader-name-form");
  var nameInput = document.getElementById("uploader-name");
  var nameError = document.getElementById("uploader-name-error");
  var filesStep = document.getElementById("uploader-step-files");
  var sendingAs = document.getElementById("uploader-as");
  var change = document.getElementById("uploader-change");
  var sentSection = document.getElementById("sent");
  var sentList = document.getElementById("sent-list");
  var sentEmpty = document.getElementById("sent-empty");
  var nameMissing = data.textNameMissing;
  var uploaderName = "";
  if (!window.KumoUploader) { return; }

  // Step 1: who is sending (required: the recipient files what arrives under this name).
  function showStep(files, focus) {
    nameForm.hidden = files;
    filesStep.hidden = !files;
    if (files) { sendingAs.textContent = uploaderName; }
    if (focus && !files) { nameInput.focus(); }
  }
  function cleanName(value) { return String(value || "").replace(/\s+/g, " ").trim(); }
  nameForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = cleanName(nameInput.value);
    if (!name) {
      nameError.textContent = nameMissing;
      nameInput.setAttribute("aria-invalid", "true");
      nameInput.focus();
      return;
    }
    nameError.textContent = "";
    nameInput.removeAttribute("aria-invalid");
    uploaderName = name;
    showStep(true, true);
    var picker = filesStep.querySelector(".uppy-Dashboard-browse");
    if (picker) { picker.focus(); }
  });
  change.addEventListener("click", function () { showStep(false, true); });
  if (cleanName(nameInput.value)) {  // this session already sent files under this name
    uploaderName = cleanName(nameInput.value);
    change.hidden = Boolean(data.nameFixed);  // a file request's folder is named after it
    showStep(true);
  } else {
    showStep(false, false);
  }
  function fixName() {  // after the first file a file request keeps the name (its folder is made)
    if (data.kind === "request") { change.hidden = true; }
  }

  // --- what you sent: the server's list, plus what this page sent that it does not list ---------
  var sentHere = {};
  function humanSize(size) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var value = Number(size) || 0;
    for (var i = 0; i < units.length; i += 1) {
      if (value < 1024 || i === units.length - 1) {
        if (i === 0) { return Math.floor(value) + " B"; }
        return (value < 10 ? value.toFixed(1) : value.toFixed(0)) + " " + units[i];
      }
      value /= 1024;
    }
    return size + " B";
  }
  function jst(iso) {  // as the pages show dates: 2026-11-27 14:05, Japan time
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Tokyo", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23"
    }).formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }
  function sentItem(entry) {
    var scan = entry.scan_status || "clean";
    var item = document.createElement("li");
    item.className = "share-item";
    item.setAttribute("data-testid", "sent-item");
    item.setAttribute("data-id", entry.id);
    item.setAttribute("data-name", entry.name);
    var icon = document.createElement("span");
    icon.className = "icon icon-file";
    icon.setAttribute("aria-hidden", "true");
    var main = document.createElement("div");
    main.className = "share-item-main";
    var name = document.createElement("span");
    name.className = "share-item-name";
    name.textContent = entry.name;
    var info = document.createElement("span");
    info.className = "share-item-meta";
    var when = document.createElement("time");
    when.setAttribute("datetime", entry.updated_at);
    when.textContent = jst(entry.updated_at);
    info.appendChild(document.createTextNode(humanSize(entry.size) + " · "));
    info.appendChild(when);
    main.appendChild(name);
    main.appendChild(info);
    var badge = document.createElement("span");
    badge.className = "scan scan-" + scan;
    badge.textContent = sentSection.getAttribute("data-status-" + scan) || scan;
    item.appendChild(icon);
    item.appendChild(main);
    item.appendChild(badge);
    return item;
  }
  function showSent(items) {
    var seen = {};
    var all = items.slice();
    items.forEach(function (entry) { seen[entry.id] = true; });
    Object.keys(sentHere).forEach(function (id) { if (!seen[id]) { all.push(sentHere[id]); } });
    all.sort(function (a, b) { return a.name.localeCompare(b.name, "ja"); });
    sentList.replaceChildren.apply(sentList, all.map(sentItem));
    sentList.hidden = all.length === 0;
    sentEmpty.hidden = all.length > 0;
  }
  function refreshSent() {
    return api("GET", "/api/share/uploads")
      .then(function (answer) { showSent(answer.items || []); })
      .catch(function () { showSent([]); });
  }
  function completed(entry) {
    if (entry && entry.id) { sentHere[entry.id] = entry; }
    return entry;
  }

  window.KumoUploader.create({
    section: section,
    id: "kumo-share",
    api: "/api/share",
    planUrl: "/api/share/upload-plan",
    planBody: function (names) { return { uploader_name: uploaderName, names: names }; },
    startBody: function () { return { uploader_name: uploaderName }; },
    mayAdd: function () {
      if (!uploaderName) {  // cannot happen through the page (step 2 is hidden), but never send nameless
        showStep(false, true);
        return false;
      }
      return true;
    },
    onStarted: fixName,
    onFiled: completed,
    refresh: refreshSent
  });
})();
