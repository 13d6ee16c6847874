// Filter and sort the datasets table in the page itself: no server, no other file.
(function () {
  "use strict";
  var table = document.getElementById("datasets");
  var filter = document.getElementById("filter");
  var sort = document.getElementById("sort");
  var count = document.getElementById("count");
  if (!table || !filter || !sort) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);

  function apply() {
    var needle = filter.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var match = !needle || row.getAttribute("data-title").indexOf(needle) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    var order = sort.value;
    var sorted = rows.slice().sort(function (a, b) {
      var sa = parseFloat(a.getAttribute("data-score"));
      var sb = parseFloat(b.getAttribute("data-score"));
      if (order === "score-asc") { return sa - sb; }
      if (order === "score-desc") { return sb - sa; }
      if (order === "title") { return a.getAttribute("data-title").localeCompare(b.getAttribute("data-title")); }
      return parseInt(a.getAttribute("data-order"), 10) - parseInt(b.getAttribute("data-order"), 10);
    });
    sorted.forEach(function (row) { body.appendChild(row); });
    count.textContent = shown + (shown === 1 ? " dataset shown." : " datasets shown.");
  }
  filter.addEventListener("input", apply);
  sort.addEventListener("change", apply);
}());
