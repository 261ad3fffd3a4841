// Drag and drop on the agenda builder's grid: a progressive enhancement of the "Move" forms.
// A drop sends the same move (free cell) or swap (occupied cell) form the server validates, then
// reloads; a refusal is shown above the grid. Without JavaScript, the forms do everything.
(function () {
  "use strict";
  var grid = document.querySelector(".agenda-grid[data-csrf]");
  if (!grid || !window.fetch || !window.FormData) return;
  var dragged = null;

  function show(message) {
    var box = document.getElementById("grid-problem");
    if (!box) {
      box = document.createElement("div");
      box.id = "grid-problem";
      box.className = "alert alert-error";
      box.setAttribute("role", "alert");
      box.tabIndex = -1;
      grid.parentNode.parentNode.insertBefore(box, grid.parentNode);
    }
    box.textContent = message;
    box.focus();
  }

  function send(url, fields) {
    var data = new FormData();
    data.append("csrf_token", grid.dataset.csrf);
    data.append("version", grid.dataset.version);
    data.append("session", grid.dataset.session);
    Object.keys(fields).forEach(function (key) { data.append(key, fields[key]); });
    // Not following the redirect: the page it leads to would use up the success message the reload shows.
    fetch(url, { method: "POST", body: data, credentials: "same-origin", redirect: "manual" }).then(function (response) {
      if (response.ok || response.type === "opaqueredirect") {
        window.location.reload();
        return null;
      }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var problem = page.querySelector("[data-builder-error] p");
        show(problem ? problem.textContent : response.statusText);
      });
    }).catch(function () { show(grid.dataset.networkError || "Network error"); });
  }

  grid.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".meeting[draggable]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.request);
  });
  grid.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    grid.querySelectorAll(".drop-target").forEach(function (cell) { cell.classList.remove("drop-target"); });
  });
  grid.addEventListener("dragover", function (event) {
    var cell = event.target.closest && event.target.closest("tbody td");
    if (!dragged || !cell) return;
    event.preventDefault();
    grid.querySelectorAll(".drop-target").forEach(function (c) { if (c !== cell) c.classList.remove("drop-target"); });
    cell.classList.add("drop-target");
  });
  grid.addEventListener("drop", function (event) {
    var cell = event.target.closest && event.target.closest("tbody td");
    if (!dragged || !cell) return;
    event.preventDefault();
    var request = dragged.dataset.request;
    var other = cell.querySelector(".meeting");
    if (other && other === dragged) return;
    if (other) {
      if (window.confirm(grid.dataset.swapQuestion)) {
        send(grid.dataset.swapUrl, { request_a: request, request_b: other.dataset.request });
      }
      return;
    }
    // The cell's slot is its row's, its table its column's (kept off the cells to keep a big grid light).
    var column = grid.tHead.rows[0].cells[cell.cellIndex];
    send(grid.dataset.moveUrl, { request_id: request, slot_id: cell.parentNode.dataset.slot,
                                 table_id: column.dataset.table });
  });
})();
