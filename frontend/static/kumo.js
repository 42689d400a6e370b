// Kumo: small progressive enhancements. Every page works without this script.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');

  // Keep the unread badge current while the page stays open.
  function refreshUnread() {
    var nav = document.querySelector('.main-nav a[href="/notifications"]');
    if (!nav || document.hidden) { return; }
    fetch("/api/notifications/unread-count", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var badge = nav.querySelector(".badge");
        if (data.unread > 0) {
          if (!badge) {
            badge = document.createElement("span");
            badge.className = "badge";
            badge.setAttribute("data-testid", "unread-count");
            nav.appendChild(document.createTextNode(" "));
            nav.appendChild(badge);
          }
          badge.textContent = String(data.unread);
        } else if (badge) {
          badge.remove();
        }
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  if (csrf) { window.setInterval(refreshUnread, 15000); }
})();
