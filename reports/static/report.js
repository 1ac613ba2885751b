/* siteaudit report: search, filter and sort for the tables of problems.
   Inlined into each page and allowed by its hash in the Content-Security-Policy.
   Without it every list is still there in full, page by page: the filter form
   stays hidden and the tables keep their server-side order (most urgent first). */
(function () {
  "use strict";

  function text(el) {
    return (el.textContent || "").replace(/\s+/g, " ").trim().toLowerCase();
  }

  function setUpFilters(form) {
    var table = document.getElementById(form.getAttribute("data-table"));
    if (!table || !table.tBodies.length) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var haystacks = rows.map(text);
    var status = form.querySelector("[role=status]");
    var controls = Array.prototype.slice.call(form.querySelectorAll("select"));
    var search = form.querySelector("input[type=search]");
    function apply() {
      var words = search ? search.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
      var shown = 0;
      rows.forEach(function (row, i) {
        var ok = controls.every(function (c) {
          return !c.value || row.getAttribute("data-" + c.name) === c.value;
        }) && words.every(function (w) { return haystacks[i].indexOf(w) !== -1; });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (status) {
        status.textContent = shown + " of " + rows.length + " shown on this page of the list";
      }
    }
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.hidden = false;
  }

  function sortValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return numeric ? 0 : ""; }
    var raw = cell.getAttribute("data-sort-value");
    if (raw === null) { raw = text(cell); }
    return numeric ? parseFloat(raw.replace(/,/g, "")) || 0 : raw;
  }

  function setUpSorting(table) {
    var head = table.tHead;
    if (!head || !table.tBodies.length) { return; }
    var headers = Array.prototype.slice.call(head.rows[0].cells);
    var live = document.getElementById(table.getAttribute("data-sort-status"));
    headers.forEach(function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = kind === "number";
        rows.sort(function (a, b) {
          var x = sortValue(a, index, numeric), y = sortValue(b, index, numeric);
          if (x < y) { return ascending ? -1 : 1; }
          if (x > y) { return ascending ? 1 : -1; }
          return 0;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        if (live) {
          live.textContent = "Sorted by " + text(button) + (ascending ? ", ascending" : ", descending");
        }
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.filters[data-table]"), setUpFilters);
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), setUpSorting);
}());
