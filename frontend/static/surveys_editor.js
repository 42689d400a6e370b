// Kumo Surveys: the editor of a draft survey. The question builder keeps the form as the JSON the
// API takes (chalicelib/surveys/form.py) and draws it as fieldsets; saving sends the whole draft
// (POST /api/surveys, then PUT with the revision; a 409 means someone else saved first). The
// preview is the answer form's own template, fetched from /surveys/{id}/preview. Issuing is the
// plain form below the editor, sent once the draft is saved, so its problems come back translated.
(function () {
  "use strict";
  var editor = document.getElementById("survey-editor");
  if (!editor || !window.KumoUploader || !window.KumoSurveys) { return; }
  var api = window.KumoUploader.api, fill = window.KumoUploader.fill, S = window.KumoSurveys;
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var T = JSON.parse(document.getElementById("editor-texts").textContent);
  var questions = (data.form && data.form.questions) || [];
  var surveyId = data.id, revision = data.revision;
  var list = document.getElementById("questions");
  var status = editor.querySelector("[data-save-status]");
  var CHOICE_TYPES = ["single_choice", "multi_choice", "yes_no"];
  var meta = document.querySelector('meta[name="csrf-token"]');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else if (attrs[k] === true) { node.setAttribute(k, ""); }
      else if (attrs[k] !== false && attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function n(text, i) { return text.replace("{n}", String(i + 1)); }
  function nextId(prefix, taken) {
    var i = 1;
    while (taken.indexOf(prefix + i) >= 0) { i++; }
    return prefix + i;
  }

  // --- one question's fields ---------------------------------------------------------------------
  // A label beside its control (not around it: a select inside its label would be named by
  // its chosen option too).
  var uid = 0;
  function field(label, control) {
    control.id = "qe-field-" + (++uid);
    return el("div", { "class": "qe-field" }, [el("label", { "for": control.id, text: label }), control]);
  }
  function input(label, prop, value, extra) {
    var attrs = Object.assign({ type: "text", "data-prop": prop, value: value === undefined || value === null ? "" : value }, extra || {});
    return field(label, el("input", attrs));
  }
  function check(label, prop, on) {
    return el("label", { "class": "check-row" }, [el("input", { type: "checkbox", "data-prop": prop, checked: !!on }), document.createTextNode(" " + label)]);
  }
  function select(label, prop, options, value) {
    return field(label, el("select", { "data-prop": prop }, options.map(function (o) {
      return el("option", { value: o[0], selected: o[0] === value, text: o[1] });
    })));
  }
  // The visible word first, then what it acts on for screen readers (「上へ（質問2）」): the
  // name starts with what is seen, so voice control finds it by the word on the button.
  function button(word, what, attrs) {
    return el("button", Object.assign({ type: "button" }, attrs), [document.createTextNode(word),
      el("span", { "class": "visually-hidden", text: "（" + what + "）" })]);
  }
  function typeOptions(map) { return Object.keys(map).map(function (k) { return [k, map[k]]; }); }

  function columnEditor(q, c, j) {
    var box = el("fieldset", { "class": "column-editor", "data-column-index": j }, [el("legend", { text: n(T.column, j) })]);
    var grid = el("div", { "class": "qe-grid" }, [
      input(T.column_label, "col.label", c.label),
      select(T.column_type, "col.type", typeOptions(T.column_types), c.type || "text"),
      check(T.required, "col.required", c.required)
    ]);
    if (c.type === "number") {
      grid.appendChild(input(T.unit, "col.unit", c.unit, { "class": "short" }));
      grid.appendChild(input(T.minimum, "col.minimum", c.minimum, { inputmode: "decimal", "class": "short" }));
      grid.appendChild(input(T.maximum, "col.maximum", c.maximum, { inputmode: "decimal", "class": "short" }));
      grid.appendChild(check(T.total, "col.total", c.total));
    }
    if (c.type === "choice") { grid.appendChild(input(T.column_choices, "col.choices", (c.choices || []).join(", "))); }
    box.appendChild(grid);
    box.appendChild(button(T.delete, n(T.column, j), { "class": "small danger", "data-remove-column": j }));
    return box;
  }

  function conditionEditor(q, i) {
    var earlier = questions.slice(0, i).filter(function (p) { return CHOICE_TYPES.indexOf(p.type) >= 0; });
    if (!earlier.length) { return null; }
    var current = q.condition || { question_id: "", values: [] };
    var options = [["", T.condition_none]].concat(earlier.map(function (p) {
      return [p.question_id, n(T.question, questions.indexOf(p)) + " " + (p.label || "")];
    }));
    var box = el("div", { "class": "qe-wide" }, [select(T.condition, "condition", options, current.question_id)]);
    var source = earlier.filter(function (p) { return p.question_id === current.question_id; })[0];
    if (source) {
      var values = source.type === "yes_no" ? [["yes", T.yes], ["no", T.no]]
        : (source.choices || []).map(function (c) { return [c, c]; });
      if (source.allow_other) { values.push(["__other__", T.other]); }
      var group = el("fieldset", { "class": "condition-values" }, [el("legend", { text: T.condition_values })]);
      values.forEach(function (v) {
        group.appendChild(el("label", { "class": "check-row" }, [
          el("input", { type: "checkbox", "data-condition-value": v[0], checked: current.values.indexOf(v[0]) >= 0 }),
          document.createTextNode(" " + v[1])]));
      });
      box.appendChild(group);
    }
    return box;
  }

  function questionEditor(q, i) {
    var isSection = q.type === "section";
    var which = n(T.question, i);
    var tools = el("div", { "class": "qe-tools" }, [
      button(T.move_up, which, { "class": "small", "data-move": "-1", disabled: i === 0 }),
      button(T.move_down, which, { "class": "small", "data-move": "1", disabled: i === questions.length - 1 }),
      button(T.delete, which, { "class": "small danger", "data-remove": "1" })
    ]);
    var fieldset = el("fieldset", {}, [
      el("legend", { text: n(T.question, i) + " — " + T.types[q.type] }),
      el("div", { "class": "qe-head" }, [select(T.type, "type", typeOptions(T.types), q.type), tools]),
      el("ul", { "class": "field-errors", "data-problems-for": q.question_id }),
      el("div", { "class": "qe-wide" }, [input(isSection ? T.section_label : T.label, "label", q.label, { "data-testid": "question-label" })]),
      el("div", { "class": "qe-wide" }, [field(T.help, el("textarea", { "data-prop": "help", rows: "2", text: q.help || "" }))])
    ]);
    var grid = el("div", { "class": "qe-grid" });
    if (!isSection && q.type !== "table") { grid.appendChild(check(T.required, "required", q.required)); }
    if (q.type === "number") {
      grid.appendChild(input(T.unit, "unit", q.unit, { "class": "short" }));
      grid.appendChild(input(T.minimum, "minimum", q.minimum, { inputmode: "decimal" }));
      grid.appendChild(input(T.maximum, "maximum", q.maximum, { inputmode: "decimal" }));
      grid.appendChild(input(T.decimals, "decimals", q.decimals, { type: "number", min: "0", max: "10" }));
    }
    if (q.type === "short_text" || q.type === "long_text") {
      grid.appendChild(input(T.max_length, "max_length", q.max_length, { type: "number", min: "1" }));
    }
    if (q.type === "single_choice" || q.type === "multi_choice") {
      fieldset.appendChild(el("div", { "class": "qe-wide" }, [field(T.choices,
        el("textarea", { "data-prop": "choices", rows: "4", text: (q.choices || []).join("\n"), "data-testid": "question-choices" }))]));
      grid.appendChild(check(T.allow_other, "allow_other", q.allow_other));
    }
    if (q.type === "table") {
      grid.appendChild(input(T.min_rows, "min_rows", q.min_rows || 0, { type: "number", min: "0" }));
      grid.appendChild(input(T.max_rows, "max_rows", q.max_rows || 100, { type: "number", min: "1", max: "1000" }));
    }
    if (grid.childNodes.length) { fieldset.appendChild(grid); }
    if (q.type === "table") {
      var columns = el("div", { "class": "qe-wide" }, [el("p", { "class": "q-label", text: T.columns })]);
      (q.columns || []).forEach(function (c, j) { columns.appendChild(columnEditor(q, c, j)); });
      columns.appendChild(el("button", { type: "button", "class": "small", "data-add-column": "1", text: T.add_column, "data-testid": "add-column" }));
      fieldset.appendChild(columns);
    }
    var condition = conditionEditor(q, i);
    if (condition) { fieldset.appendChild(condition); }
    return el("li", { "class": "question-editor", id: "qe-" + q.question_id, "data-index": i, "data-testid": "question-editor" }, [fieldset]);
  }

  function render(focusSelector) {
    list.textContent = "";
    if (!questions.length) { list.appendChild(el("li", { "class": "muted", text: T.no_questions })); }
    questions.forEach(function (q, i) { list.appendChild(questionEditor(q, i)); });
    showProblems(data.problems || []);
    if (focusSelector) {
      var target = list.querySelector(focusSelector);
      if (target) { target.focus(); }
    }
  }

  function showProblems(problems) {
    problems.forEach(function (p) {
      var box = p.question_id && list.querySelector('[data-problems-for="' + p.question_id + '"]');
      var target = box || document.getElementById("err-form");
      var item = el(box ? "li" : "span", { text: p.message });
      target.appendChild(item);
      if (box) { box.closest(".question-editor").classList.add("has-error"); }
    });
  }

  // --- changes in the builder ----------------------------------------------------------------------
  function defaults(q, type) {
    var kept = { question_id: q.question_id, type: type, label: q.label || "", help: q.help || "" };
    if (type === "table") { kept.columns = q.columns || [{ column_id: "c1", label: "", type: "text" }]; kept.max_rows = 100; }
    if (type === "single_choice" || type === "multi_choice") { kept.choices = q.choices || []; }
    if (q.condition) { kept.condition = q.condition; }
    return kept;
  }
  function setProp(target, prop, node) {
    var value = node.type === "checkbox" ? node.checked : node.value;
    if (["decimals", "max_length", "min_rows", "max_rows"].indexOf(prop) >= 0) {
      value = node.value === "" ? null : Number(node.value);
    }
    if (prop === "choices") {
      value = node.value.split(node.tagName === "TEXTAREA" ? /\n/ : /[,、]/).map(function (s) { return s.trim(); }).filter(Boolean);
    }
    if (value === null || value === "" || value === false) { delete target[prop]; } else { target[prop] = value; }
  }
  function onChange(event) {
    var node = event.target, item = node.closest(".question-editor");
    if (!item) { return; }
    var i = Number(item.getAttribute("data-index")), q = questions[i];
    var prop = node.getAttribute("data-prop");
    if (node.hasAttribute("data-condition-value")) {
      var values = Array.prototype.map.call(item.querySelectorAll("[data-condition-value]:checked"),
        function (b) { return b.getAttribute("data-condition-value"); });
      q.condition = { question_id: q.condition.question_id, values: values };
      return;
    }
    if (!prop) { return; }
    if (prop.indexOf("col.") === 0) {
      var j = Number(node.closest("[data-column-index]").getAttribute("data-column-index"));
      setProp(q.columns[j], prop.slice(4), node);
      if (prop === "col.type" && event.type === "change") { render("#qe-" + q.question_id + ' [data-column-index="' + j + '"] select'); }
      return;
    }
    if (prop === "type") {
      if (event.type !== "change") { return; }
      questions[i] = defaults(q, node.value);
      render("#qe-" + q.question_id + ' [data-prop="type"]');
    } else if (prop === "condition") {
      if (event.type !== "change") { return; }
      if (node.value) { q.condition = { question_id: node.value, values: [] }; } else { delete q.condition; }
      render("#qe-" + q.question_id + ' [data-prop="condition"]');
    } else {
      setProp(q, prop, node);
    }
  }
  list.addEventListener("input", onChange);
  list.addEventListener("change", onChange);
  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    var item = button && button.closest(".question-editor");
    if (!item) { return; }
    var i = Number(item.getAttribute("data-index")), q = questions[i];
    if (button.hasAttribute("data-move")) {
      var to = i + Number(button.getAttribute("data-move"));
      questions.splice(i, 1);
      questions.splice(to, 0, q);
      render("#qe-" + q.question_id + ' [data-move="' + button.getAttribute("data-move") + '"]:not([disabled])');
    } else if (button.hasAttribute("data-remove")) {
      questions.splice(i, 1);
      questions.forEach(function (p) { if (p.condition && p.condition.question_id === q.question_id) { delete p.condition; } });
      render();
      (list.querySelector("[data-prop='label']") || document.getElementById("new-question-type")).focus();
    } else if (button.hasAttribute("data-add-column")) {
      q.columns = q.columns || [];
      q.columns.push({ column_id: nextId("c", q.columns.map(function (c) { return c.column_id; })), label: "", type: "text" });
      render("#qe-" + q.question_id + ' [data-column-index="' + (q.columns.length - 1) + '"] input');
    } else if (button.hasAttribute("data-remove-column")) {
      q.columns.splice(Number(button.getAttribute("data-remove-column")), 1);
      render("#qe-" + q.question_id + " [data-add-column]");
    }
  });

  var typeSelect = document.getElementById("new-question-type");
  typeOptions(T.types).forEach(function (o) { typeSelect.appendChild(el("option", { value: o[0], text: o[1] })); });
  typeSelect.value = "short_text";
  editor.querySelector("[data-add-question]").addEventListener("click", function () {
    var id = nextId("q", questions.map(function (q) { return q.question_id; }));
    questions.push(defaults({ question_id: id }, typeSelect.value));
    render("#qe-" + id + " [data-prop='label']");
  });

  window.KumoSurveyEditor = {
    questions: function () { return questions; },
    replace: function (next) { questions = next; data.problems = []; render(); },
    render: render, el: el, api: api, fill: fill, S: S, T: T, meta: meta,
    survey: function () { return { id: surveyId, revision: revision }; },
    saved: function (id, rev) { surveyId = id; revision = rev; },
    status: status
  };
  render();
})();
