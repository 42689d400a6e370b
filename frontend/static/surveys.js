// Kumo Surveys: what every survey page shares — 和暦 for dates, a select that applies itself.
// The JSON calls go through the shared api() of uploader.js (window.KumoUploader.api).
(function () {
  "use strict";
  // The eras as chalicelib/core/wareki.py has them (newest first); dates before 1873 have none.
  var ERAS = [
    { name: "令和", letter: "R", start: "2019-05-01", first: 2019 },
    { name: "平成", letter: "H", start: "1989-01-08", first: 1989 },
    { name: "昭和", letter: "S", start: "1926-12-25", first: 1926 },
    { name: "大正", letter: "T", start: "1912-07-30", first: 1912 },
    { name: "明治", letter: "M", start: "1873-01-01", first: 1868 }
  ];

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function iso(y, m, d) {
    var date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) { return ""; }
    return y + "-" + pad(m) + "-" + pad(d);
  }

  // A typed date (西暦 or 和暦, as the server reads them) as ISO, or "" when it is not one.
  function parseDate(text) {
    var s = String(text || "").normalize("NFKC").replace(/\s+/g, "").toUpperCase();
    var m = /^(\d{4})([./-])(\d{1,2})\2(\d{1,2})$/.exec(s) || /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(s);
    if (m) { return m.length === 5 ? iso(+m[1], +m[3], +m[4]) : iso(+m[1], +m[2], +m[3]); }
    m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
    if (m) { return iso(+m[1], +m[2], +m[3]); }
    m = /^(令和|平成|昭和|大正|明治|[RHSTM])(\d{1,2}|元)(?:年(\d{1,2})月(\d{1,2})日|[./-](\d{1,2})[./-](\d{1,2}))$/.exec(s);
    if (!m) { return ""; }
    var era = ERAS.filter(function (e) { return e.name === m[1] || e.letter === m[1]; })[0];
    var year = m[2] === "元" ? 1 : +m[2];
    var found = iso(era.first + year - 1, +(m[3] || m[5]), +(m[4] || m[6]));
    return found && toWareki(found).indexOf(era.name) === 0 ? found : "";
  }

  // An ISO date as 和暦 (令和8年12月1日), or "".
  function toWareki(isoDate) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate || "")) { return ""; }
    for (var i = 0; i < ERAS.length; i++) {
      if (isoDate >= ERAS[i].start) {
        var p = isoDate.split("-").map(Number), year = p[0] - ERAS[i].first + 1;
        return ERAS[i].name + (year === 1 ? "元" : year) + "年" + p[1] + "月" + p[2] + "日";
      }
    }
    return "";
  }

  // Beside every date field: the 和暦 of what is typed (the server stores the ISO date).
  function showWareki(input) {
    var output = input.parentNode.querySelector("output.wareki");
    if (!output) { return; }
    var found = parseDate(input.value);
    var wareki = toWareki(found);
    output.textContent = wareki && wareki !== input.value.trim() ? wareki : "";
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-date]")) { showWareki(event.target); }
  });

  // The board's department filter applies itself (the form's button does it without a script).
  Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  function hhmm(date) { return pad(date.getHours()) + ":" + pad(date.getMinutes()); }

  window.KumoSurveys = { parseDate: parseDate, toWareki: toWareki, showWareki: showWareki, hhmm: hhmm };
})();
