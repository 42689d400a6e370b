// Kumo Surveys: the editor's fields around the questions — targets from the org tree, saving the
// draft, the preview, issuing, and reading an Excel 様式. The question builder itself is
// surveys_editor.js (window.KumoSurveyEditor), loaded before this file.
(function () {
  "use strict";
  var E = window.KumoSurveyEditor;
  var editor = document.getElementById("survey-editor");
  if (!E || !editor) { return; }
  var T = E.T;

  function each(root, selector, fn) { Array.prototype.forEach.call(root.querySelectorAll(selector), fn); }
  function value(id) { var node = document.getElementById(id); return node ? node.value : ""; }

  // --- targets: a 部局 checkbox picks all its 所属; the filter narrows the tree ----------------------
  var countText = editor.querySelector("[data-target-count]");
  function refreshTargets() {
    each(editor, "[data-group]", function (group) {
      var boxes = group.querySelectorAll('input[name="targets"]');
      var on = group.querySelectorAll('input[name="targets"]:checked').length;
      var toggle = group.querySelector("[data-group-toggle]");
      toggle.checked = on > 0 && on === boxes.length;
      toggle.indeterminate = on > 0 && on < boxes.length;
    });
    var count = editor.querySelectorAll('input[name="targets"]:checked').length;
    countText.textContent = E.fill(countText.getAttribute("data-text"), { count: count });
  }
  editor.addEventListener("change", function (event) {
    var node = event.target;
    if (node.hasAttribute("data-group-toggle")) {
      each(node.closest("[data-group]"), 'input[name="targets"]', function (box) {
        if (!box.closest("li").hidden) { box.checked = node.checked; }
      });
    }
    if (node.hasAttribute("data-group-toggle") || node.name === "targets") { refreshTargets(); }
  });
  var filter = document.getElementById("target-filter");
  filter.addEventListener("input", function () {
    var wanted = filter.value.trim().toLowerCase();
    each(editor, "[data-group]", function (group) {
      var groupName = group.querySelector("[data-group-toggle]").parentNode.textContent.toLowerCase();
      var any = false;
      each(group, "li[data-unit-name]", function (li) {
        var show = !wanted || groupName.indexOf(wanted) >= 0 || li.getAttribute("data-unit-name").toLowerCase().indexOf(wanted) >= 0;
        li.hidden = !show;
        any = any || show;
      });
      group.hidden = !any;
    });
  });
  refreshTargets();

  // --- saving ------------------------------------------------------------------------------------
  var template = null; // the 様式 an import kept (its id and where answers go), sent with the draft
  function draft() {
    var body = {
      title: value("title"),
      deadline: value("deadline_date") + "T" + (value("deadline_time") || "17:00"),
      instructions: value("instructions"),
      contact_details: value("contact_details"),
      remind_days_before: Number(value("remind_days_before") || 0),
      targets: Array.prototype.map.call(editor.querySelectorAll('input[name="targets"]:checked'), function (b) { return b.value; }),
      form: { questions: E.questions() }
    };
    if (document.getElementById("issuer_unit_id")) { body.issuer_unit_id = value("issuer_unit_id"); }
    if (window.KumoSurveyOutside) { body.external_targets = window.KumoSurveyOutside.collect(); }
    if (E.survey().id) { body.revision = E.survey().revision; }
    if (template) { body.template_id = template.id; body.layout = template.layout; }
    return body;
  }
  function clearErrors() {
    each(document, "[data-error-for]", function (p) { p.textContent = ""; });
    each(document, "[aria-invalid]", function (n) { n.removeAttribute("aria-invalid"); });
  }
  function showError(error) {
    var field = error.details && error.details.field;
    var slot = field && document.querySelector('[data-error-for="' + field + '"]');
    if (slot) {
      slot.textContent = error.message;
      var input = document.getElementById(field === "deadline" ? "deadline_date" : field);
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
    }
    E.status.textContent = E.fill(T.save_failed ? T.save_failed : "{reason}", { reason: error.message });
  }
  var conflict = editor.querySelector("[data-conflict]");
  function save() {
    var current = E.survey();
    E.status.textContent = T.saving;
    clearErrors();
    var call = current.id ? E.api("PUT", "/api/surveys/" + encodeURIComponent(current.id), draft())
      : E.api("POST", "/api/surveys", draft());
    return call.then(function (survey) {
      E.saved(survey.id, survey.revision);
      if (window.KumoSurveyOutside) { window.KumoSurveyOutside.saved(survey.external_targets || []); }
      if (!current.id) {
        window.history.replaceState(null, "", "/surveys/" + encodeURIComponent(survey.id) + "/edit");
        document.getElementById("issue-form").setAttribute("action", "/surveys/" + encodeURIComponent(survey.id) + "/issue");
      }
      E.status.textContent = E.fill(T.saved, { time: E.S.hhmm(new Date()) });
      return survey;
    }, function (error) {
      if (error.status === 409) { conflict.hidden = false; E.status.textContent = ""; } else { showError(error); }
      throw error;
    });
  }
  editor.addEventListener("submit", function (event) { event.preventDefault(); save().catch(function () {}); });
  each(editor, "[data-reload]", function (b) { b.addEventListener("click", function () { window.location.reload(); }); });

  // --- preview: the answer form's own template, read-only ----------------------------------------------
  var preview = document.getElementById("preview");
  editor.querySelector("[data-preview]").addEventListener("click", function () {
    save().then(function (survey) {
      return fetch("/surveys/" + encodeURIComponent(survey.id) + "/preview", { credentials: "same-origin", headers: { Accept: "text/html" } });
    }).then(function (response) {
      if (!response.ok) { throw new Error(T.preview_failed); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector('[data-testid="preview-form"]');
      var body = preview.querySelector("[data-preview-body]");
      body.textContent = "";
      if (fresh) { Array.prototype.forEach.call(fresh.childNodes, function (node) { body.appendChild(document.importNode(node, true)); }); }
      preview.hidden = false;
      preview.querySelector("h2").focus();
    }).catch(function (error) { if (error && error.message) { E.status.textContent = error.message; } });
  });
  preview.querySelector("[data-close-preview]").addEventListener("click", function () {
    preview.hidden = true;
    editor.querySelector("[data-preview]").focus();
  });

  // --- issuing: save, then the plain form (its problems come back on this page) -----------------------
  var issueForm = document.getElementById("issue-form");
  issueForm.addEventListener("submit", function (event) {
    event.preventDefault();
    save().then(function (survey) {
      issueForm.setAttribute("action", "/surveys/" + encodeURIComponent(survey.id) + "/issue");
      issueForm.submit();
    }).catch(function () {});
  });

  // --- 「Excelの様式から作成」: the .xlsx as the raw body of POST /api/surveys/import-form -----------------
  var importButton = editor.querySelector("[data-import]");
  var notes = editor.querySelector("[data-import-notes]");
  importButton.addEventListener("click", function () {
    var file = document.getElementById("import-file").files[0];
    if (!file) { notes.textContent = T.choose_file; return; }
    if (file.size > 5 * 1024 * 1024) { notes.textContent = T.too_big; return; }
    notes.textContent = T.importing;
    fetch("/api/surveys/import-form", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/octet-stream", Accept: "application/json",
        "X-CSRF-Token": E.meta ? E.meta.getAttribute("content") : "" },
      body: file
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error(body.message || response.statusText); }
        return body;
      });
    }).then(function (imported) {
      var title = document.getElementById("title");
      if (!title.value.trim() && imported.title) { title.value = imported.title; }
      E.replace((imported.form && imported.form.questions) || []);
      if (imported.template_id) { template = { id: imported.template_id, layout: imported.layout }; }
      notes.textContent = E.fill(T.imported, { count: E.questions().length });
      if (imported.notes && imported.notes.length) {
        notes.appendChild(E.el("ul", {}, imported.notes.map(function (note) { return E.el("li", { text: note }); })));
      }
    }).catch(function (error) { notes.textContent = error.message; });
  });
})();
