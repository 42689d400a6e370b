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
  // Once a minute while the page is in view, and at once when it comes back into view: every
  // poll is an API Gateway and Lambda request, and at 15 s the badge alone was most of a
  // 5,000-staff month's bill (bench/cost.py). Page loads render the count anyway.
  if (csrf) {
    window.setInterval(refreshUnread, 60000);
    document.addEventListener("visibilitychange", refreshUnread);
  }
})();
