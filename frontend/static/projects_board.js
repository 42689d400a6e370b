// Kumo Projects: the board page's script. The page works without it (plain forms, links to a
// card's page); with it the board keeps itself current, its forms answer without a page load,
// cards and lists move by drag and drop or the keyboard (projects_dnd.js) and a card opens in a
// dialog (projects_card.js). Everything the board shows is drawn by the server's templates: this
// script swaps in the board's fragment (the page's #board-region, fetched with fragment=1).
//
// Keeping current: every 15 s while the tab is visible (document.visibilityState), the script
// asks for the fragment with If-None-Match and the ETag of what it shows. The ETag is the board
// API's (boards.current_etag), so nothing new costs a 304 with no body; a change costs that one
// request, which brings the redrawn lists. Per hour of an open, visible tab: 240 requests, each
// 304 about 0.7 kB of headers; a hidden tab asks nothing and asks at once when shown again. A
// redraw waits while a card or list is being moved, or while the person types in a form of the
// board, and it never touches the card dialog (outside the redrawn part).
(function () {
  "use strict";
  var region = document.getElementById("board-region");
  var textsNode = document.getElementById("board-texts");
  if (!region || !textsNode || !window.fetch) { return; }
  var T = JSON.parse(textsNode.textContent);
  var live = document.getElementById("board-live");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var POLL_MS = 15000;
  var busy = 0;
  var swapped = [];

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  // A polite announcement; cleared first so the same words are read again.
  function announce(text) {
    if (!live || !text) { return; }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 30);
  }

  function withParam(url, name, value) {
    return url + (url.indexOf("?") >= 0 ? "&" : "?") + name + "=" + encodeURIComponent(value);
  }

  // A JSON call to the board API: resolves with the answer's data, rejects with an Error that
  // carries the status and the server's message (already in the reader's language).
  function api(method, path, body) {
    return fetch(region.getAttribute("data-api") + path, {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) { return data; }
        var error = new Error((data && data.message) || response.statusText);
        error.status = response.status;
        throw error;
      });
    });
  }

  // Where the focus is in the board, told by what it is (a card, a list's grip, a field), so
  // it can be put back on the same thing in the redrawn board.
  function focusKey() {
    var el = document.activeElement;
    if (!el || !region.contains(el)) { return null; }
    var card = el.closest(".board-card");
    if (card && el === card) {
      var lane = card.parentElement && card.parentElement.getAttribute("data-lane");
      return { selector: '.board-card[data-card-id="' + card.getAttribute("data-card-id") + '"]', lane: lane };
    }
    if (el.hasAttribute("data-list-grip")) {
      return { selector: '.board-list[data-list-id="' + el.closest(".board-list").getAttribute("data-list-id") + '"] [data-list-grip]' };
    }
    if (el.id) { return { selector: "#" + CSS.escape(el.id) }; }
    return null;
  }

  function restoreFocus(key) {
    if (!key) { return; }
    var found = Array.prototype.slice.call(region.querySelectorAll(key.selector));
    var target = found.filter(function (el) {
      return !key.lane || (el.parentElement && el.parentElement.getAttribute("data-lane") === key.lane);
    })[0] || found[0];
    if (target) { target.focus(); }
  }

  // Put a freshly drawn board in place of the one shown, keeping the focus where it was.
  function swap(html, focusOverride) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var fresh = holder.content.querySelector("#board-region");
    if (!fresh) { return false; }
    var key = focusOverride || focusKey();
    region.replaceWith(fresh);
    region = fresh;
    restoreFocus(key);
    swapped.forEach(function (callback) { callback(region); });
    var note = region.querySelector('[role="alert"], [role="status"]');
    if (note) { announce(note.textContent.trim()); }
    return true;
  }

  // The board again: `force` asks without If-None-Match (after one's own change).
  function refresh(force, focusOverride) {
    var headers = { "Accept": "text/html" };
    if (!force) { headers["If-None-Match"] = region.getAttribute("data-etag") || ""; }
    return fetch(withParam(region.getAttribute("data-here"), "fragment", "1"), {
      credentials: "same-origin", cache: "no-store", headers: headers
    }).then(function (response) {
      if (response.status === 304) { return false; }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text().then(function (html) { return swap(html, focusOverride); });
    });
  }

  // A drag under way (SortableJS's own state, cleared however the drag ends), typing in a
  // form of the board, or a list's menu open: a redraw would take it away.
  function occupied() {
    if (window.Sortable && window.Sortable.active) { return true; }
    var el = document.activeElement;
    if (el && region.contains(el) && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) { return true; }
    return !!region.querySelector("details[open]");
  }

  var failed = false;
  function poll() {
    if (document.visibilityState !== "visible" || busy > 0 || occupied()) { return; }
    refresh(false).then(function (changed) {
      failed = false;
      if (changed) { announce(T.refreshed); }
    }, function () {
      if (!failed) { announce(T.offline); }
      failed = true;
    });
  }
  window.setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", poll);

  // The board's forms (add a card or a list, a list's settings, restore) answer with the
  // redrawn board instead of a new page; the field that was used keeps the focus.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("#board-region form[data-board-form]")) { return; }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
    body.set("fragment", "1");
    var field = form.querySelector("input[id]:not([type=hidden])");
    var key = field && field.id.indexOf("add-") === 0 ? { selector: "#" + CSS.escape(field.id) } : null;
    busy += 1;
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html" }
    }).then(function (response) { return response.text(); })
      .then(function (html) { busy -= 1; swap(html, key); },
        function () { busy -= 1; form.submit(); });
  });

  window.KumoBoard = {
    T: T,
    fill: fill,
    announce: announce,
    api: api,
    refresh: refresh,
    region: function () { return region; },
    editable: function () { return region.hasAttribute("data-edits"); },
    busy: function (delta) { busy = Math.max(0, busy + delta); },
    onSwap: function (callback) { swapped.push(callback); }
  };
})();
