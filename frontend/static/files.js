// Kumo Files: the uploader (Uppy, straight to S3 through our API) and a one-step download.
// Every other action on these pages is a plain form; texts come from data- attributes.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function path(id) { return encodeURIComponent(id); }

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // A JSON call to our API. A refused request rejects with the server's message (already in the
  // reader's language); only 5xx and 429 carry a status, which is what tells Uppy to retry.
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
        if (response.status >= 500 || response.status === 429) { error.source = { status: response.status }; }
        throw error;
      });
    });
  }

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
    event.preventDefault();
    var body = {};
    if (form.getAttribute("data-version")) { body.version = Number(form.getAttribute("data-version")); }
    api("POST", "/api/files/" + path(form.getAttribute("data-file-id")) + "/download", body)
      .then(function (data) { window.location.assign(data.url); })
      .catch(function () { form.submit(); });  // the page route shows the reason in full
  });

  // --- upload ---
  var section = document.getElementById("upload");
  if (!section) { return; }
  var status = document.getElementById("upload-status");
  var errors = document.getElementById("upload-errors");
  var data = section.dataset;
  var texts = {
    blocked: data.textBlocked, uploading: data.textUploading, done: data.textDone, failed: data.textFailed,
    error: data.textError, network: data.textNetwork, paused: data.textPaused
  };
  // Uppy's Japanese pack has no "choose a folder" in its tagline: our own words, in both languages.
  function uppyText(text) { return String(text || "").replace(/\{(\w+)\}/g, "%{$1}"); }
  var dashboardStrings = {
    dropPasteBoth: uppyText(data.textDrop), browseFiles: data.textBrowseFiles, browseFolders: data.textBrowseFolders
  };
  var folderId = data.folderId;
  var threshold = Number(data.multipartThreshold);
  var maxBytes = Number(data.maxBytes);
  var blocked = (data.blocked || "").split(",").filter(Boolean);
  var MiB = 1024 * 1024;

  function say(text) { status.textContent = text; }
  function complain(name, message) {
    var item = document.createElement("li");
    item.textContent = fill(texts.error, { name: name, message: message });
    errors.appendChild(item);
  }

  if (typeof window.Uppy === "undefined") {  // the vendor bundle is missing: say so rather than fail silently
    say(texts.network);
    return;
  }
  var U = window.Uppy;

  function extension(name) {
    var dot = (name || "").lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }
  function isBlocked(name) {
    var ext = extension(name);
    return ext !== "" && blocked.indexOf(ext) !== -1;
  }

  // One request opens every upload: the server checks name, type, size and quota, makes the
  // folders of a dropped tree (relative_path), and answers with a form post or a multipart id.
  function start(file) {
    return api("POST", "/api/files/uploads", {
      folder_id: folderId, name: file.name, size: file.size, content_type: file.type || "",
      relative_path: file.meta.relativePath || null
    });
  }

  var uploadIdByKey = {};  // S3 key of a form upload -> our upload id, to complete it after the post

  // Uppy's own sender waits for an ETag header after a form POST. S3 sends one; the local emulator
  // (moto) does not, and the server checks what arrived itself (HeadObject) when the upload is
  // completed, so this sender needs no ETag. It completes the upload before reporting success,
  // so "complete" in the dashboard means the file is filed, and a refusal shows as that file's error.
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
        // Read from the list of exposed headers: asking for a hidden one logs an error in the console.
        var etag = /^etag:\s*(.*)$/im.exec(xhr.getAllResponseHeaders());
        resolve(etag ? etag[1].trim() : "");
      });
      if (signal) { signal.addEventListener("abort", abort); }
      xhr.send(body);
    }).then(function (etag) {
      return api("POST", "/api/files/uploads/" + path(uploadIdByKey[key]) + "/complete").then(function () {
        delete uploadIdByKey[key];
        options.onProgress({ loaded: options.size, lengthComputable: true });
        options.onComplete(etag);
        return { ETag: etag };
      });
    });
  }

  var uppy = new U.Uppy({
    id: "kumo-files",
    autoProceed: true,
    locale: data.language === "ja" && U.locales ? U.locales.ja_JP : undefined,
    restrictions: { maxFileSize: maxBytes },
    onBeforeFileAdded: function (file) {
      if (isBlocked(file.name)) {  // refused before any request; "restriction-failed" reports it
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
    locale: { strings: dashboardStrings }
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
      return api("POST", "/api/files/uploads/" + path(part.uploadId) + "/parts/" + part.partNumber)
        .then(function (signed) { return { method: "PUT", url: signed.url }; });
    },
    listParts: function (file, upload) {
      return api("GET", "/api/files/uploads/" + path(upload.uploadId) + "/parts")
        .then(function (answer) { return answer.parts; });
    },
    completeMultipartUpload: function (file, upload) {
      // The server reads the parts from S3 itself (it trusts no list from the browser).
      return api("POST", "/api/files/uploads/" + path(upload.uploadId) + "/complete").then(function () { return {}; });
    },
    abortMultipartUpload: function (file, upload) {
      return api("DELETE", "/api/files/uploads/" + path(upload.uploadId));
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
    // "Finished" is said once the list below shows the new files.
    (succeeded ? refreshList() : Promise.resolve()).then(function () { say(text); });
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
