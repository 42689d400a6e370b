// Kumo Surveys: filling in an answer (or a part of one). Reads the values from the form that
// surveys/form_macros.html renders, saves them as they are typed (PUT with the revision the page
// started from; a 409 means someone else saved first), shows and hides conditional questions,
// adds and removes table rows and keeps the totals row current. The steps that move the answer
// on (提出, 承認, ...) are plain forms: each first waits for the last save, with its revision.
(function () {
  "use strict";
  var page = document.getElementById("answer-page");
  var form = document.getElementById("survey-form");
  if (!page || !form || !window.KumoUploader || !window.KumoSurveys) { return; }
  var api = window.KumoUploader.api, fill = window.KumoUploader.fill, S = window.KumoSurveys;
  var saveUrl = page.getAttribute("data-save-url");
  var revision = Number(page.getAttribute("data-revision") || 0);
  var status = page.querySelector("[data-save-status]");
  var conflict = page.querySelector("[data-conflict]");
  var SAVE_AFTER_MS = 1200;
  var timer = null, saving = null, dirty = false, stopped = false;

  function each(root, selector, fn) { Array.prototype.forEach.call(root.querySelectorAll(selector), fn); }
  function questionsOf() { return Array.prototype.slice.call(form.querySelectorAll("[data-question]")); }
  function text(name) { return page.getAttribute("data-text-" + name) || ""; }

  // --- values, as answers.py takes them (chalicelib/surveys/form.py) ----------------------------
  function other(q) { var o = q.querySelector("[data-other]"); return o ? o.value : ""; }
  function checked(q) {
    return Array.prototype.map.call(q.querySelectorAll("input[data-field]:checked"), function (i) { return i.value; });
  }
  // Every row as shown, empty ones too: the server drops those, and counts the rows of its
  // problems in this list, so they point at the rows on the screen. A merged row keeps its 係.
  function tableRows(q) {
    return Array.prototype.map.call(q.querySelectorAll("tbody tr[data-row]"), function (tr) {
      var row = {};
      each(tr, "[data-column]", function (cell) { row[cell.getAttribute("data-column")] = cell.value; });
      if (tr.getAttribute("data-part")) { row._part = tr.getAttribute("data-part"); }
      return row;
    });
  }
  function valueOf(q) {
    switch (q.getAttribute("data-type")) {
      case "section": return undefined;
      case "single_choice": return { choice: checked(q)[0] || "", other: other(q) };
      case "multi_choice": return { choices: checked(q), other: other(q) };
      case "yes_no": return checked(q)[0] || "";
      case "file": return JSON.parse(q.querySelector("[data-files]").getAttribute("data-files") || "[]");
      case "table": return tableRows(q);
      default: return q.querySelector("[data-field]").value;
    }
  }
  function collect() {
    var values = {};
    questionsOf().forEach(function (q) {
      var v = valueOf(q);
      if (v !== undefined) { values[q.getAttribute("data-question")] = v; }
    });
    return values;
  }

  // --- conditions: a question shows when an earlier answer is one of the values --------------------
  function matches(value, wanted) {
    if (value && typeof value === "object") {
      var picked = value.choices || (value.choice ? [value.choice] : []);
      return picked.some(function (v) { return wanted.indexOf(v) >= 0; });
    }
    return wanted.indexOf(value) >= 0;
  }
  function applyConditions() {
    var values = collect(), shown = {};
    questionsOf().forEach(function (q) {
      var raw = q.getAttribute("data-condition"), id = q.getAttribute("data-question"), visible = true;
      if (raw) {
        var condition = JSON.parse(raw);
        visible = !!shown[condition.question_id] && matches(values[condition.question_id], condition.values);
      }
      shown[id] = visible;
      q.hidden = !visible;
    });
  }

  // --- tables: rows, their numbers and limits, the totals row ----------------------------------------
  function decimalParts(raw) {
    var s = String(raw || "").normalize("NFKC").replace(/,/g, "").trim();
    if (!/^-?\d+(\.\d+)?$/.test(s)) { return null; }
    return { text: s, places: (s.split(".")[1] || "").length };
  }
  function total(values) {  // summed as scaled integers, so 0.1 + 0.2 shows 0.3
    var parts = values.map(decimalParts).filter(Boolean);
    var places = parts.reduce(function (m, p) { return Math.max(m, p.places); }, 0);
    var sum = parts.reduce(function (acc, p) { return acc + Math.round(Number(p.text) * Math.pow(10, places)); }, 0);
    var negative = sum < 0, digits = String(Math.abs(sum));
    if (places) {
      while (digits.length <= places) { digits = "0" + digits; }
      digits = digits.slice(0, -places) + "." + digits.slice(-places);
    }
    return (negative ? "-" : "") + digits;
  }
  function refreshTable(q) {
    var table = q.querySelector("table.answer-table");
    if (!table) { return; }
    var rows = table.querySelectorAll("tbody tr[data-row]");
    var min = Number(table.getAttribute("data-min-rows") || 0), max = Number(table.getAttribute("data-max-rows") || 100);
    var rowText = form.getAttribute("data-text-row"), removeText = form.getAttribute("data-text-remove-row");
    Array.prototype.forEach.call(rows, function (tr, i) {
      var n = String(i + 1);
      tr.querySelector("[data-row-number]").textContent = n;
      each(tr, "[data-column]", function (cell) {
        cell.setAttribute("aria-label", cell.getAttribute("data-column-label") + " " + rowText.replace("{n}", n));
      });
      var remove = tr.querySelector("[data-remove-row]");
      if (remove) {
        remove.setAttribute("aria-label", removeText.replace("{n}", n));
        remove.disabled = rows.length <= Math.max(min, 1);
      }
    });
    var add = q.querySelector("[data-add-row]");
    if (add) { add.disabled = rows.length >= max; }
    each(table, "[data-total-for]", function (td) {
      var column = td.getAttribute("data-total-for");
      td.textContent = total(Array.prototype.map.call(table.querySelectorAll('tbody [data-column="' + column + '"]'),
        function (cell) { return cell.value; }));
    });
  }
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var q = button.closest("[data-question]");
    if (button.hasAttribute("data-add-row")) {
      var template = q.querySelector("template[data-row-template]");
      var tbody = q.querySelector("tbody");
      tbody.appendChild(document.importNode(template.content, true));
      refreshTable(q);
      var cells = tbody.lastElementChild.querySelectorAll("[data-column]");
      if (cells.length) { cells[0].focus(); }
    } else if (button.hasAttribute("data-remove-row")) {
      var tr = button.closest("tr"), next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      refreshTable(q);
      var focus = next && next.querySelector("[data-column]");
      (focus || q.querySelector("[data-add-row]")).focus();
      changed();
    } else if (button.hasAttribute("data-add-file")) {
      attachFile(q);
    } else if (button.hasAttribute("data-remove-file")) {
      var list = q.querySelector("[data-files]");
      var files = JSON.parse(list.getAttribute("data-files")).filter(function (f) { return f.file_id !== button.value; });
      list.setAttribute("data-files", JSON.stringify(files));
      renderFiles(q);
      changed();
    }
  });

  // --- files: a file already in Kumo, by its address -------------------------------------------------
  function renderFiles(q) {
    var list = q.querySelector("[data-files]");
    var files = JSON.parse(list.getAttribute("data-files") || "[]");
    list.textContent = "";
    files.forEach(function (f) {
      var li = document.createElement("li"), a = document.createElement("a"), remove = document.createElement("button");
      a.href = (page.getAttribute("data-file-base") || "/files/") + encodeURIComponent(f.file_id);
      a.textContent = f.name;
      remove.type = "button";
      remove.className = "small danger";
      remove.value = f.file_id;
      remove.setAttribute("data-remove-file", "");
      remove.textContent = "×";
      remove.setAttribute("aria-label", f.name + " ×");
      li.appendChild(a);
      var state = scanStates[f.file_id];
      if (state) {  // the virus check has not cleared it (yet): submission waits for it
        var tag = document.createElement("span");
        tag.className = "tag scan " + (state === "pending" ? "scan-pending" : "scan-bad");
        tag.setAttribute("data-testid", "scan-status");
        tag.textContent = text(state === "pending" ? "scan-pending" : "scan-bad");
        li.appendChild(document.createTextNode(" "));
        li.appendChild(tag);
      }
      if (saveUrl) { li.appendChild(document.createTextNode(" ")); li.appendChild(remove); }
      list.appendChild(li);
    });
  }
  function attachFile(q) {
    var input = q.querySelector("[data-file-address]");
    var m = /(?:\/files\/)?([A-Za-z0-9_-]+)\/?$/.exec(input.value.trim().split(/[?#]/)[0]);
    var errors = q.querySelector("[data-errors-for]");
    if (!m) { errors.textContent = text("attach-failed"); return; }
    api("GET", "/api/files/" + encodeURIComponent(m[1])).then(function (file) {
      var list = q.querySelector("[data-files]");
      var files = JSON.parse(list.getAttribute("data-files") || "[]");
      files.push({ file_id: file.id || m[1], name: file.name });
      list.setAttribute("data-files", JSON.stringify(files));
      input.value = "";
      errors.textContent = "";
      renderFiles(q);
      changed();
    }).catch(function () { errors.textContent = text("attach-failed"); });
  }

  // --- upload boxes: one per file question (files_macros.html upload_parts); each upload goes into
  // the answer's folder (scanned, never a new version) and is added to the question's list ---------
  var scanStates = JSON.parse(page.getAttribute("data-file-states") || "{}");
  function addFile(q, entry) {
    if (entry.scan_status && entry.scan_status !== "clean") { scanStates[entry.id] = entry.scan_status; }
    var list = q.querySelector("[data-files]");
    var files = JSON.parse(list.getAttribute("data-files") || "[]");
    if (files.some(function (f) { return f.file_id === entry.id; })) { return; }
    files.push({ file_id: entry.id, name: entry.name });
    list.setAttribute("data-files", JSON.stringify(files));
    renderFiles(q);
    changed();
  }
  function startUploaders() {
    each(form, "[data-answer-upload]", function (box) {
      var q = box.closest("[data-question]");
      window.KumoUploader.create({
        section: box,
        id: "answer-" + q.getAttribute("data-question"),
        api: box.getAttribute("data-upload-api") || "/api/files",  // /api/share: an outside organisation
        startUrl: box.getAttribute("data-upload-url"),
        onFiled: function (entry) { addFile(q, entry); },
        refresh: function () { return flush(); }
      });
    });
  }

  // --- autosave ------------------------------------------------------------------------------------
  function showProblems(problems) {
    each(form, "[data-errors-for]", function (list) { list.textContent = ""; });
    each(form, ".has-error", function (el) { el.classList.remove("has-error"); });
    (problems || []).forEach(function (p) {
      var list = form.querySelector('[data-errors-for="' + p.question_id + '"]');
      if (!list) { return; }
      var li = document.createElement("li");
      li.textContent = p.row !== null && p.row !== undefined
        ? form.getAttribute("data-text-row").replace("{n}", p.row + 1) + ": " + p.message : p.message;
      list.appendChild(li);
      list.closest("[data-question]").classList.add("has-error");
    });
  }
  function save() {
    if (stopped) { return Promise.resolve(); }
    if (saving) { return saving.then(save); }
    dirty = false;
    status.textContent = text("saving");
    saving = api("PUT", saveUrl, { values: collect(), revision: revision }).then(function (data) {
      revision = data.answer.revision;
      each(document, "[data-revision-field]", function (field) { field.value = String(revision); });
      status.textContent = fill(text("saved"), { time: S.hhmm(new Date()) });
      showProblems(data.problems);
    }).catch(function (error) {
      if (error.status === 409) {
        stopped = true;
        status.textContent = "";
        conflict.hidden = false;
      } else {
        dirty = true;
        status.textContent = fill(text("failed"), { reason: error.message });
      }
    }).then(function () { saving = null; });
    return saving;
  }
  function changed() {
    if (!saveUrl || stopped) { return; }
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, SAVE_AFTER_MS);
  }
  function flush() {
    window.clearTimeout(timer);
    return dirty ? save() : (saving || Promise.resolve());
  }

  function onEdit(event) {
    var q = event.target.closest("[data-question]");
    if (q && q.getAttribute("data-type") === "table") { refreshTable(q); }
    applyConditions();
    changed();
  }

  questionsOf().forEach(function (q) {
    if (q.getAttribute("data-type") === "table") { refreshTable(q); }
  });
  if (!saveUrl) { return; }  // read-only: nothing more to do
  each(form, ".file-add", function (row) { row.hidden = false; });
  startUploaders();
  questionsOf().forEach(function (q) { if (q.getAttribute("data-type") === "file") { renderFiles(q); } });
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);
  each(page, "[data-reload]", function (b) { b.addEventListener("click", function () { window.location.reload(); }); });
  each(document, "form[data-flush-first]", function (action) {
    action.addEventListener("submit", function (event) {
      if (!dirty && !saving) { return; }
      event.preventDefault();
      flush().then(function () { if (!stopped && !dirty) { action.submit(); } });
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty || saving) { flush(); event.preventDefault(); event.returnValue = ""; }
  });
})();
