// Kumo Projects: a card opened from the board in a modal dialog (the native <dialog>: focus is
// kept inside, Escape closes it, the page behind is inert). Its content is the card page's own
// body (fetched with fragment=1) and its forms are the card page's forms, sent here without a
// page load: the answer is the card's body again, with what was done or why it was refused.
// The board behind keeps refreshing; when the dialog closes after a change the board is drawn
// again at once and the focus goes back to the card.
(function () {
  "use strict";
  var B = window.KumoBoard;
  var dialog = document.getElementById("card-dialog");
  if (!B || !dialog || typeof dialog.showModal !== "function") { return; }
  var content = dialog.querySelector(".dialog-content");
  var opened = null; // the card id the dialog shows
  var changed = false;

  function withParam(url, name, value) {
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + name + "=" + encodeURIComponent(value);
  }

  function show(html, focusNote) {
    content.innerHTML = html;
    if (window.KumoMentions) { window.KumoMentions.attach(content); }
    var note = focusNote && content.querySelector('[role="alert"], [role="status"]');
    var heading = content.querySelector("#card-dialog-title");
    if (note) {
      note.setAttribute("tabindex", "-1");
      note.focus();
    } else if (heading) {
      heading.focus();
    }
  }

  function load(url) {
    return fetch(withParam(url, "fragment", "1"), { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      });
  }

  function open(href, cardId) {
    opened = cardId;
    changed = false;
    content.textContent = B.T.loading;
    dialog.showModal();
    load(href).then(function (html) { show(html, false); }, function () { window.location.href = href; });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#board-region a[data-card-link], a[data-open-card]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    var card = link.closest("[data-card-id]");
    open(link.href, card ? card.getAttribute("data-card-id") : link.href.split("/cards/")[1].split("?")[0]);
  });

  // A notice's link names a card (?card=…): the board opens with that card in the dialog.
  var named = document.querySelector("a[data-open-card]");
  if (named) { open(named.href, named.href.split("/cards/")[1].split("?")[0]); }

  dialog.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) { dialog.close(); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("#card-dialog form[data-card-form]")) { return; }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
    body.set("fragment", "1");
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html" }
    }).then(function (response) { return response.text(); })
      .then(function (html) {
        changed = true;
        show(html, true);
      }, function () { form.submit(); });
  });

  dialog.addEventListener("close", function () {
    // Unchanged: the browser has put the focus back on the card's link. Changed: the board is
    // drawn again and the focus goes to the card's link in it.
    content.textContent = "";
    if (changed) {
      var focus = opened ? { selector: '[data-card-id="' + opened + '"] a[data-card-link]' } : null;
      B.refresh(true, focus).catch(function () { /* the next poll redraws it */ });
    }
    changed = false;
  });
})();
