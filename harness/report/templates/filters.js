(function () {
  "use strict";
  // Filters of the summary matrix. Their state lives in the address (#cap=dvh&state=pass),
  // so a filtered view can be linked to; the first load applies it.
  var ids = { cap: "f-cap", state: "f-state", finding: "f-finding", fixture: "f-fixture", section: "f-section" };
  var controls = {}, listed = document.getElementById("f-listed"), count = document.getElementById("f-count");
  Object.keys(ids).forEach(function (name) { controls[name] = document.getElementById(ids[name]); });

  function has(list, word) { return (" " + (list || "") + " ").indexOf(" " + word + " ") >= 0; }

  function visible(row, f) {
    if (f.section && row.dataset.section !== f.section) { return false; }
    if (listed.checked && row.dataset.listed !== "yes") { return false; }
    if (f.finding && !has(row.dataset.findings, f.finding)) { return false; }
    // a row names the sets its tool ran on, or, when shorter, those it did not run on
    if (f.fixture && ("fixturesBut" in row.dataset ? has(row.dataset.fixturesBut, f.fixture)
                                                   : !has(row.dataset.fixtures, f.fixture))) { return false; }
    var cell = f.cap ? row.querySelector('td[data-cap="' + f.cap + '"]') : null;
    if (f.cap && !(cell && cell.dataset.state)) { return false; }
    if (f.state) {
      if (cell) { return cell.dataset.state === f.state; }
      var states = Array.prototype.map.call(row.querySelectorAll("td[data-state]"), function (td) {
        return td.dataset.state;
      });
      return states.indexOf(f.state) >= 0;
    }
    return true;
  }

  function apply() {
    var f = {}, shown = 0, total = 0, words = [];
    Object.keys(controls).forEach(function (name) {
      f[name] = controls[name].value;
      if (f[name]) { words.push(name + "=" + encodeURIComponent(f[name])); }
    });
    if (listed.checked) { words.push("listed=yes"); }
    document.querySelectorAll("#matrix tbody.sec").forEach(function (group) {
      var any = false;
      group.querySelectorAll("tr.tool-row").forEach(function (row) {
        var show = visible(row, f);
        row.hidden = !show; any = any || show; total += 1; shown += show ? 1 : 0;
        row.querySelectorAll("td[data-cap]").forEach(function (td) {
          td.classList.toggle("focus", !!f.cap && td.dataset.cap === f.cap);
        });
      });
      group.hidden = !any;
    });
    count.textContent = shown + " of " + total + " tools shown";
    if (history.replaceState) {
      var target = words.length ? "#" + words.join("&") : location.pathname + location.search;
      try { history.replaceState(null, "", target); } catch (e) { /* a file: URL may refuse */ }
    }
  }

  function fromAddress() {
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var parts = pair.split("="), name = parts[0], value = decodeURIComponent(parts[1] || "");
      if (controls[name]) {
        var known = Array.prototype.some.call(controls[name].options, function (o) { return o.value === value; });
        if (known) { controls[name].value = value; }
      } else if (name === "listed") {
        listed.checked = value === "yes";
      }
    });
  }

  var isFilter = /^#(cap|state|finding|fixture|section|listed)=/.test(location.hash);
  if (isFilter) { fromAddress(); }
  Object.keys(controls).forEach(function (name) { controls[name].addEventListener("change", apply); });
  listed.addEventListener("change", apply);
  if (isFilter) { apply(); }
  // For the browser test: whether the page is wider than the window (it should scroll
  // its tables, never the page).
  var root = document.documentElement;
  document.body.dataset.overflow = root.scrollWidth > root.clientWidth + 1 ? "yes" : "no";
  document.body.dataset.filters = "ready";
})();
