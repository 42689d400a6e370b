// Kumo Surveys: the editor's organisations outside the prefecture (市町村, partner bodies) — rows of
// a name and a contact e-mail, added one by one or pasted as a list (from Excel: name<TAB>e-mail).
// surveys_editor_io.js sends them with the draft (external_targets) and hands back what the server
// saved, so each row keeps the id its organisation's answer will be keyed by.
(function () {
  "use strict";
  var body = document.querySelector("[data-outside-rows]");
  var template = document.querySelector("template[data-outside-template]");
  if (!body || !template) { return; }
  var count = document.querySelector("[data-outside-count]");
  var paste = document.querySelector("[data-outside-paste]");

  function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr[data-outside-row]")); }
  function field(tr, name) { return tr.querySelector("[data-outside-" + name + "]"); }
  function filled(tr) { return (field(tr, "name").value.trim() + field(tr, "email").value.trim()) !== ""; }
  function refresh() {
    if (count) { count.textContent = count.getAttribute("data-text").replace("{count}", String(rows().filter(filled).length)); }
  }
  function label(tr) {  // the remove button says whom it removes
    var button = tr.querySelector("[data-remove-outside]"), name = field(tr, "name").value.trim();
    button.setAttribute("aria-label",
      button.getAttribute("data-text-remove").replace("{name}", name || button.getAttribute("data-text-unnamed")));
  }
  function add(name, email) {
    body.appendChild(document.importNode(template.content, true));
    var tr = body.lastElementChild;
    field(tr, "name").value = name || "";
    field(tr, "email").value = email || "";
    label(tr);
    refresh();
    return tr;
  }

  document.querySelector("[data-add-outside]").addEventListener("click", function () {
    field(add("", ""), "name").focus();
  });
  body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-outside]");
    if (!button) { return; }
    var tr = button.closest("tr"), next = tr.nextElementSibling || tr.previousElementSibling;
    tr.remove();
    refresh();
    (next ? field(next, "name") : document.querySelector("[data-add-outside]")).focus();
  });
  body.addEventListener("input", function (event) {
    var tr = event.target.closest("tr[data-outside-row]");
    if (tr) { label(tr); }
    refresh();
  });

  // A pasted list: one organisation a line, its name then its address (a tab, a comma or spaces
  // before the address). Lines without an address are added as they are, for the person to finish.
  var pasteAdd = document.querySelector("[data-outside-paste-add]");
  if (paste && pasteAdd) {
    pasteAdd.addEventListener("click", function () {
      var first = null;
      paste.value.split(/\r?\n/).forEach(function (line) {
        var text = line.trim();
        if (!text) { return; }
        var m = /^(.*?)[\t,，、\s]+([^\s,，、]+@[^\s,，、]+)$/.exec(text);
        var tr = m ? add(m[1].trim(), m[2].trim()) : add(text, "");
        first = first || tr;
      });
      paste.value = "";
      if (first) { field(first, "name").focus(); }
    });
  }

  window.KumoSurveyOutside = {
    // The rows as the API takes them; a row left empty is no organisation.
    collect: function () {
      return rows().filter(filled).map(function (tr) {
        return { org_id: tr.getAttribute("data-org-id") || "", name: field(tr, "name").value, email: field(tr, "email").value };
      });
    },
    // The server keeps the order it was sent: each filled row gets its organisation's id.
    saved: function (targets) {
      rows().filter(filled).forEach(function (tr, i) {
        if (targets[i]) { tr.setAttribute("data-org-id", targets[i].org_id); }
      });
    }
  };
  refresh();
})();
