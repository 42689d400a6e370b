// Kumo Projects: @mention suggestions in a card's comment box. Typing @ and part of a member's
// name or staff ID lists the project's members who match (a listbox under the box, the active
// one named by aria-activedescendant); the arrow keys choose, Enter or Tab inserts "@staff_id ",
// Escape closes the list. Without the script one types @staff_id by hand: the server finds it.
(function () {
  "use strict";
  var LIMIT = 8;
  var TOKEN = /(^|[\s(（「])@([^\s@]*)$/;
  var uid = 0;

  function attachOne(box) {
    if (box.hasAttribute("data-mention-ready")) { return; }
    box.setAttribute("data-mention-ready", "");
    var members = JSON.parse(box.getAttribute("data-mentions") || "[]");
    var list = document.createElement("ul");
    list.id = "mentions-" + (++uid);
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", box.getAttribute("data-text-label") || "");
    list.setAttribute("data-testid", "mention-list");
    list.hidden = true;
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    box.setAttribute("aria-controls", list.id);
    var shown = [];
    var active = -1;

    function close() {
      list.hidden = true;
      list.textContent = "";
      shown = [];
      active = -1;
      box.removeAttribute("aria-activedescendant");
    }

    function activate(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (list.children[index]) { box.setAttribute("aria-activedescendant", list.children[index].id); }
    }

    function query() {
      var before = box.value.slice(0, box.selectionStart);
      var match = TOKEN.exec(before);
      return match ? match[2].toLowerCase() : null;
    }

    function insert(member) {
      var caret = box.selectionStart;
      var before = box.value.slice(0, caret);
      var start = before.lastIndexOf("@");
      var text = "@" + member.id + " ";
      box.value = box.value.slice(0, start) + text + box.value.slice(caret);
      var at = start + text.length;
      box.setSelectionRange(at, at);
      close();
      box.focus();
    }

    function suggest() {
      var q = query();
      if (q === null) { close(); return; }
      shown = members.filter(function (m) {
        return m.id.toLowerCase().indexOf(q) === 0 || m.name.replace(/\s+/g, "").toLowerCase().indexOf(q.replace(/\s+/g, "")) >= 0;
      }).slice(0, LIMIT);
      list.textContent = "";
      if (!shown.length) { close(); return; }
      shown.forEach(function (m, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.textContent = m.name + " (@" + m.id + ")";
        option.addEventListener("mousedown", function (event) { event.preventDefault(); insert(m); });
        list.appendChild(option);
      });
      list.hidden = false;
      activate(0);
      status.textContent = (box.getAttribute("data-text-count") || "{count}").replace("{count}", String(shown.length));
    }

    box.addEventListener("input", suggest);
    box.addEventListener("blur", function () { window.setTimeout(close, 150); });
    box.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        activate((active + (event.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && shown[active]) {
        event.preventDefault();
        insert(shown[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation(); // closes the list, not the card's dialog
        close();
      }
    });
  }

  function attach(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("textarea[data-mentions]"), attachOne);
  }

  window.KumoMentions = { attach: attach };
  attach(document);
})();
