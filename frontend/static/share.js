// Kumo share links, the partner's side: opening the link, quicker downloads, and sending files
// with Uppy straight to S3 through /api/share. Texts come from data- attributes (already in the
// reader's language); the CSRF token from the page's meta tag (the cookie is HttpOnly).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // A JSON call to the partner API. A refusal rejects with the server's message (in the reader's
  // language); only 5xx and 429 carry a status, which is what tells Uppy to retry.
  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) { return data; }
        var error = new Error((data && data.message) || response.statusText);
        error.status = response.status;
        if (response.status >= 500 || response.status === 429) { error.source = { status: response.status }; }
        throw error;
      });
    });
  }

  // --- opening: the token lives in the fragment, never in a request line, a log or a Referer ----
  var openForm = document.getElementById("share-open-form");
  if (openForm) {
    var token = window.location.hash.replace(/^#/, "");
    // Out of the address bar (and the history) before anything else happens.
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    if (!token) {  // back from the files, or a link without its token: the session decides
      window.location.replace("/s/view");
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
  var texts = {
    blocked: data.textBlocked, uploading: data.textUploading, done: data.textDone, failed: data.textFailed,
    error: data.textError, network: data.textNetwork, paused: data.textPaused, nameMissing: data.textNameMissing
  };
  var threshold = Number(data.multipartThreshold);
  var maxBytes = Number(data.maxBytes);
  var blocked = (data.blocked || "").split(",").filter(Boolean);
  var MiB = 1024 * 1024;
  var uploaderName = "";

  function say(text) { status.textContent = text; }
  function complain(name, message) {
    var item = document.createElement("li");
    item.textContent = fill(texts.error, { name: name, message: message });
    errors.appendChild(item);
  }

  if (typeof window.Uppy === "undefined") {  // the vendor bundle did not load: say so, do not fail silently
    say(texts.network);
    return;
  }
  var U = window.Uppy;

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
      nameError.textContent = texts.nameMissing;
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

  function extension(name) {
    var dot = (name || "").lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }
  function isBlocked(name) {
    var ext = extension(name);
    return ext !== "" && blocked.indexOf(ext) !== -1;
  }

  function start(file) {
    return api("POST", "/api/share/uploads", {
      uploader_name: uploaderName, name: file.name, size: file.size, content_type: file.type || "",
      relative_path: file.meta.relativePath || null
    }).then(function (ticket) { fixName(); return ticket; });
  }
  function uploadPath(id) { return "/api/share/uploads/" + encodeURIComponent(id); }

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

  var uploadIdByKey = {};  // S3 key of a form upload -> our upload id, to complete it after the post

  // As in files.js: S3 answers a form POST with an ETag, the local emulator does not, and the
  // server reads what arrived itself when the upload is completed, so no ETag is needed. The
  // upload is completed before success is reported: "complete" means the file was received.
  function postForm(options) {
    var body = options.body;
    var key = body.get("key");
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      var signal = options.signal;
      function abort() { xhr.abort(); }
      xhr.open("POST", options.signature.url, true);
      xhr.upload.addEventListener("progress", function (event) { options.onProgress(event); });
      xhr.addEventListener("abort", function () {
        var error = new Error("aborted");
        error.name = "AbortError";
        reject(error);
      });
      xhr.addEventListener("error", function () { reject(new Error(texts.network)); });
      xhr.addEventListener("load", function () {
        if (signal) { signal.removeEventListener("abort", abort); }
        if (xhr.status < 200 || xhr.status >= 300) {
          var error = new Error("S3 " + xhr.status);
          error.source = xhr;
          reject(error);
          return;
        }
        var etag = /^etag:\s*(.*)$/im.exec(xhr.getAllResponseHeaders());
        resolve(etag ? etag[1].trim() : "");
      });
      if (signal) { signal.addEventListener("abort", abort); }
      xhr.send(body);
    }).then(function (etag) {
      return api("POST", uploadPath(uploadIdByKey[key]) + "/complete").then(function (entry) {
        completed(entry);
        delete uploadIdByKey[key];
        options.onProgress({ loaded: options.size, lengthComputable: true });
        options.onComplete(etag);
        return { ETag: etag };
      });
    });
  }

  var uppy = new U.Uppy({
    id: "kumo-share",
    autoProceed: true,
    locale: data.language === "ja" && U.locales ? U.locales.ja_JP : undefined,
    restrictions: { maxFileSize: maxBytes },
    onBeforeFileAdded: function (file) {
      if (!uploaderName) {  // cannot happen through the page (step 2 is hidden), but never send nameless
        showStep(false, true);
        return false;
      }
      if (isBlocked(file.name)) {
        uppy.info(fill(texts.blocked, { ext: extension(file.name) }), "error", 6000);
        return false;
      }
      return true;
    }
  });

  uppy.use(U.Dashboard, {
    inline: true,
    target: "#uploader",
    width: "100%",
    height: 300,
    fileManagerSelectionType: "both",
    showProgressDetails: true,
    proudlyDisplayPoweredByUppy: false,
    locale: { strings: {
      dropPasteBoth: String(data.textDrop || "").replace(/\{(\w+)\}/g, "%{$1}"),
      browseFiles: data.textBrowseFiles, browseFolders: data.textBrowseFolders
    } }
  });

  uppy.use(U.AwsS3, {
    limit: 4,
    shouldUseMultipart: function (file) { return file.size > threshold; },
    getChunkSize: function (file) { return Math.max(16 * MiB, Math.ceil(file.size / 9000)); },
    getUploadParameters: function (file) {
      return start(file).then(function (ticket) {
        uploadIdByKey[ticket.fields.key] = ticket.upload_id;
        return { method: "POST", url: ticket.url, fields: ticket.fields, headers: {} };
      });
    },
    uploadPartBytes: function (options) {
      var method = (options.signature.method || "PUT").toUpperCase();
      return method === "POST" ? postForm(options) : U.AwsS3.uploadPartBytes(options);
    },
    createMultipartUpload: function (file) {
      return start(file).then(function (ticket) { return { uploadId: ticket.upload_id, key: ticket.key }; });
    },
    signPart: function (file, part) {
      return api("POST", uploadPath(part.uploadId) + "/parts/" + part.partNumber)
        .then(function (signed) { return { method: "PUT", url: signed.url }; });
    },
    listParts: function (file, upload) {
      return api("GET", uploadPath(upload.uploadId) + "/parts").then(function (answer) { return answer.parts; });
    },
    completeMultipartUpload: function (file, upload) {
      // The server reads the parts from S3 itself (it trusts no list from the browser).
      return api("POST", uploadPath(upload.uploadId) + "/complete").then(function (entry) {
        completed(entry);
        return {};
      });
    },
    abortMultipartUpload: function (file, upload) {
      return api("DELETE", uploadPath(upload.uploadId));
    }
  });

  var done = 0;
  var total = 0;
  uppy.on("upload", function (uploadId, files) {
    total += files ? files.length : 0;
    say(fill(texts.uploading, { done: done, total: total }));
  });
  uppy.on("upload-success", function () {
    done += 1;
    say(fill(texts.uploading, { done: done, total: total }));
  });
  uppy.on("upload-error", function (file, error) {
    complain(file ? file.name : "", error && error.message ? error.message : texts.network);
  });
  uppy.on("restriction-failed", function (file, error) {
    var name = file ? file.name : "";
    complain(name, isBlocked(name) ? fill(texts.blocked, { ext: extension(name) }) : error.message);
  });
  function sayPaused(paused) { say(paused ? texts.paused : fill(texts.uploading, { done: done, total: total })); }
  uppy.on("pause-all", function () { sayPaused(true); });
  uppy.on("resume-all", function () { sayPaused(false); });
  uppy.on("upload-pause", function (file, isPaused) { sayPaused(isPaused); });
  uppy.on("complete", function (result) {
    var succeeded = result.successful ? result.successful.length : 0;
    var failed = result.failed ? result.failed.length : 0;
    var text = succeeded ? fill(texts.done, { count: succeeded }) : "";
    if (failed) { text = (text + " " + fill(texts.failed, { count: failed })).trim(); }
    done = 0;
    total = 0;
    // "Sent" is said once the list below shows the files.
    (succeeded ? refreshSent() : Promise.resolve()).then(function () { say(text); });
  });
})();
