// File-name suggestions as the person types (the page works without this).
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  if (!input || !list || !window.fetch) return;
  var timer = null, last = "", controller = null;
  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.name;  // text only: never parsed as HTML
      option.label = item.path;
      list.appendChild(option);
    });
  }
  input.addEventListener("input", function () {
    var q = input.value.trim();
    clearTimeout(timer);
    if (!q || q === last) return;
    timer = setTimeout(function () {
      last = q;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q),
            {credentials: "same-origin", headers: {"Accept": "application/json"}, signal: controller && controller.signal})
        .then(function (r) { return r.ok ? r.json() : {items: []}; })
        .then(function (body) { show(body.items || []); })
        .catch(function () { /* suggestions are a convenience: stay quiet */ });
    }, 150);
  });
})();
