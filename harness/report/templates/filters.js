(function () {
  "use strict";
  var section = document.getElementById("f-section"), status = document.getElementById("f-status"),
      listed = document.getElementById("f-listed"), count = document.getElementById("f-count");
  function apply() {
    var shown = 0, total = 0;
    document.querySelectorAll("section.sec").forEach(function (sec) {
      var showSec = !section.value || sec.dataset.section === section.value, any = false;
      sec.querySelectorAll("tr.tool-row").forEach(function (row) {
        var show = showSec && (!status.value || row.dataset.status === status.value) &&
                   (!listed.checked || row.dataset.listed === "yes");
        row.hidden = !show; any = any || show; total += 1; shown += show ? 1 : 0;
      });
      sec.hidden = !any;
    });
    count.textContent = shown + " of " + total + " tools shown";
  }
  [section, status, listed].forEach(function (el) { el.addEventListener("change", apply); });
  apply();
  document.body.dataset.filters = "ready";
})();
