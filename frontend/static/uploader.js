// Kumo's one browser uploader: Uppy straight to S3 through our API, used by the staff files page
// (files.js, /api/files) and the partner's share page (share.js, /api/share). Pages pass what
// differs (where to start, what to send with it, what to do when a file is filed); texts come
// from the section's data- attributes, already in the reader's language.
//
// Before anything is sent, the server says where each file will go (upload-plan): a new file,
// the next version of a file this person may replace, or a new name ("見積書 (2).xlsx") when the
// same-named file is someone else's. When nothing collides, the upload starts at once; otherwise
// the plan is shown and the person starts it with Uppy's upload button.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var MiB = 1024 * 1024;

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
        error.status = response.status;
        error.details = (data && data.details) || {};
        if (response.status >= 500 || response.status === 429) { error.source = { status: response.status }; }
        throw error;
      });
    });
  }

  // A part's CRC-32 as S3 writes it (x-amz-checksum-crc32): 4 bytes, big-endian, base64.
  // CRC32 is SheetJS's crc-32 (static/vendor/crc32.js).
  function crc32Of(blob) {
    return blob.arrayBuffer().then(function (buffer) {
      var value = CRC32.buf(new Uint8Array(buffer)) >>> 0;
      return btoa(String.fromCharCode(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255));
    });
  }

  function extension(name) {
    var dot = (name || "").lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }

  // S3 answers a form POST with an ETag; the local emulator does not, and the server reads what
  // arrived itself (HeadObject) when the upload is completed, so this sender needs no ETag. It
  // completes the upload before reporting success, so "complete" in the dashboard means the
  // file is filed, and a refusal shows as that file's error.
  function postForm(options, complete, networkText) {
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
      xhr.addEventListener("error", function () { reject(new Error(networkText)); });
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
      return complete(key).then(function () {
        options.onProgress({ loaded: options.size, lengthComputable: true });
        options.onComplete(etag);
        return { ETag: etag };
      });
    });
  }

  // Uppy's Dashboard lists the files it holds (finished ones too) in a scrolling box, and two
  // things there fail WCAG, so the list is fixed up whenever Uppy draws it:
  // - each file is role="listitem", but a single file's list is drawn as a bare <div> (FileList's
  //   isSingleFile branch; the virtual list of several files has role="list"), so the one file
  //   is an item of no list (axe: aria-required-parent) and screen readers lose "list, 1 item";
  // - a finished file has no button, so once the list scrolls (a short box, or many files) a
  //   keyboard cannot reach or scroll it (axe: scrollable-region-focusable): the list itself
  //   takes focus, under a name.
  // Preact leaves alone the attributes it did not set, so marking each new list once is enough.
  function markFileList(root, label) {
    function mark() {
      Array.prototype.forEach.call(root.querySelectorAll(".uppy-Dashboard-files:not([data-kumo-list])"), function (list) {
        list.setAttribute("data-kumo-list", "");
        if (!list.hasAttribute("role")) { list.setAttribute("role", "list"); }
        list.setAttribute("tabindex", "0");
        if (label) { list.setAttribute("aria-label", label); }
      });
    }
    new MutationObserver(mark).observe(root, { childList: true, subtree: true });
    mark();
  }

  // options: section (the box's root element: files_macros.html upload_parts inside it), api
  // ("/api/files" or "/api/share": parts and completion), startUrl (where an upload is opened;
  // api + "/uploads" by default), id (unique on the page), startBody(file) -> extra fields for
  // the start request, planBody(names) -> the plan request (or null to skip the plan), planUrl,
  // mayAdd(file) -> false to refuse quietly, onStarted(ticket), onFiled(entry), height (of the
  // drop area), refresh() -> a promise that resolves once the page shows the new files. Everything is looked up inside the
  // section, so a page may hold several boxes (one per file question of a survey answer).
  function create(options) {
    var section = options.section;
    var data = section.dataset;
    function part(name) { return section.querySelector("[data-upload-" + name + "]"); }
    var status = part("status");
    var errors = part("errors");
    var planList = part("plan");
    var target = section.querySelector("[data-uploader]");
    var texts = {
      blocked: data.textBlocked, uploading: data.textUploading, done: data.textDone, failed: data.textFailed,
      error: data.textError, network: data.textNetwork, paused: data.textPaused, planVersion: data.textPlanVersion,
      planRenamed: data.textPlanRenamed, planReady: data.textPlanReady, notAllowed: data.textNotAllowed
    };
    var threshold = Number(data.multipartThreshold);
    var maxBytes = Number(data.maxBytes);
    var blocked = (data.blocked || "").split(",").filter(Boolean);
    var allowed = (data.allowed || "").split(",").filter(Boolean);  // partners: only these types
    var uploadsPath = options.api + "/uploads/";
    var startUrl = options.startUrl || options.api + "/uploads";

    function say(text) { status.textContent = text; }
    function complain(name, message) {
      var item = document.createElement("li");
      item.textContent = fill(texts.error, { name: name, message: message });
      errors.appendChild(item);
    }
    function refusal(name) {
      var ext = extension(name);
      if (ext !== "" && blocked.indexOf(ext) !== -1) { return fill(texts.blocked, { ext: ext }); }
      if (allowed.length && allowed.indexOf(ext) === -1) {
        return fill(texts.notAllowed, { ext: ext || "—", allowed: allowed.join(" ") });
      }
      return "";
    }

    if (typeof window.Uppy === "undefined") {  // the vendor bundle is missing: say so rather than fail silently
      say(texts.network);
      return null;
    }
    var U = window.Uppy;

    function path(id) { return uploadsPath + encodeURIComponent(id); }
    function start(file) {
      var body = { name: file.name, size: file.size, content_type: file.type || "",
        relative_path: file.meta.relativePath || null };
      var extra = options.startBody ? options.startBody(file) : {};
      Object.keys(extra).forEach(function (k) { body[k] = extra[k]; });
      return api("POST", startUrl, body).then(function (ticket) {
        if (options.onStarted) { options.onStarted(ticket); }
        return ticket;
      });
    }
    var uploadIdByKey = {};  // S3 key of a form upload -> our upload id, to complete it after the post
    function completeUpload(uploadId) {
      return api("POST", path(uploadId) + "/complete").then(function (entry) {
        if (options.onFiled) { options.onFiled(entry); }
        return entry;
      });
    }

    var uppy = new U.Uppy({
      id: options.id,
      autoProceed: false,
      locale: data.language === "ja" && U.locales ? U.locales.ja_JP : undefined,
      restrictions: { maxFileSize: maxBytes },
      onBeforeFileAdded: function (file) {
        if (options.mayAdd && !options.mayAdd(file)) { return false; }
        var why = refusal(file.name);
        if (why) {  // refused before any request; "restriction-failed" reports it
          uppy.info(why, "error", 6000);
          return false;
        }
        return true;
      }
    });

    var strings = {
      dropPasteBoth: String(data.textDrop || "").replace(/\{(\w+)\}/g, "%{$1}"),
      browseFiles: data.textBrowseFiles, browseFolders: data.textBrowseFolders
    };
    // The "add more" button's name must hold its visible caption (WCAG 2.5.3); Uppy's own
    // locales label it differently ("ファイルを追加" over "さらに追加"), so both get one text.
    if (data.textAddMore) { strings.addMore = strings.addMoreFiles = data.textAddMore; }
    uppy.use(U.Dashboard, {
      inline: true,
      target: target,
      width: "100%",
      height: options.height || 300,
      fileManagerSelectionType: "both",
      showProgressDetails: true,
      proudlyDisplayPoweredByUppy: false,
      locale: { strings: strings }
    });
    markFileList(target, data.textFileList);

    uppy.use(U.AwsS3, {
      limit: 6,  // Uppy's default: a browser opens six connections to one host (HTTP/1.1)
      shouldUseMultipart: function (file) { return file.size > threshold; },
      getChunkSize: function (file) { return Math.max(16 * MiB, Math.ceil(file.size / 9000)); },
      getUploadParameters: function (file) {
        return start(file).then(function (ticket) {
          uploadIdByKey[ticket.fields.key] = ticket.upload_id;
          return { method: "POST", url: ticket.url, fields: ticket.fields, headers: {} };
        });
      },
      uploadPartBytes: function (opts) {
        var method = (opts.signature.method || "PUT").toUpperCase();
        if (method !== "POST") { return U.AwsS3.uploadPartBytes(opts); }
        return postForm(opts, function (key) {
          var id = uploadIdByKey[key];
          delete uploadIdByKey[key];
          return completeUpload(id);
        }, texts.network);
      },
      createMultipartUpload: function (file) {
        return start(file).then(function (ticket) { return { uploadId: ticket.upload_id, key: ticket.key }; });
      },
      signPart: function (file, part) {
        // The part's length and CRC-32 are signed too: S3 then takes exactly these bytes (a part
        // damaged on the way is refused, and Uppy sends it again).
        var size = part.body && typeof part.body.size === "number" ? part.body.size : null;
        return crc32Of(part.body).then(function (crc) {
          return api("POST", path(part.uploadId) + "/parts/" + part.partNumber, { size: size, crc32: crc })
            .then(function (signed) {
              return { method: "PUT", url: signed.url, headers: { "x-amz-checksum-crc32": crc } };
            });
        });
      },
      listParts: function (file, upload) {
        return api("GET", path(upload.uploadId) + "/parts").then(function (answer) { return answer.parts; });
      },
      completeMultipartUpload: function (file, upload) {
        // The server reads the parts from S3 itself (it trusts no list from the browser).
        return completeUpload(upload.uploadId).then(function () { return {}; });
      },
      abortMultipartUpload: function (file, upload) {
        return api("DELETE", path(upload.uploadId));
      }
    });

    // --- the plan: what happens to each name, said before the upload starts ------------------
    function showPlan(items) {
      if (!planList) { return; }
      var notes = items.filter(function (p) { return p.adds_version || p.renamed; }).map(function (p) {
        var item = document.createElement("li");
        item.setAttribute("data-testid", "plan-item");
        item.textContent = p.adds_version ? fill(texts.planVersion, { name: p.name })
          : fill(texts.planRenamed, { requested: p.requested, name: p.name });
        return item;
      });
      planList.replaceChildren.apply(planList, notes);
      planList.hidden = notes.length === 0;
    }
    uppy.on("files-added", function (added) {
      var names = added.map(function (f) { return f.name; });
      var nested = added.some(function (f) { return f.meta && f.meta.relativePath; });
      var body = nested || !options.planBody ? null : options.planBody(names);  // a dropped folder's tree is new: no plan
      var planned = body ? api("POST", options.planUrl, body) : Promise.resolve({ items: [] });
      planned.then(function (answer) {
        var items = answer.items || [];
        showPlan(items);
        if (items.some(function (p) { return p.adds_version || p.renamed; })) {
          say(texts.planReady);  // the person reads the plan and presses Uppy's upload button
          return;
        }
        uppy.upload();
      }, function (error) {
        complain(names.join(", "), error.message);
        added.forEach(function (f) { uppy.removeFile(f.id); });
      });
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
      complain(name, refusal(name) || error.message);
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
      showPlan([]);
      // "Finished" is said once the page shows the new files. The finished list stays, so the
      // person sees what went up; Uppy's "done" button (or another drop) starts afresh.
      (succeeded ? options.refresh() : Promise.resolve()).then(function () { say(text); });
    });
    return uppy;
  }

  window.KumoUploader = { api: api, fill: fill, create: create };
})();
